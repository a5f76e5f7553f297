"""Command-line tools: `flask lti ...` for administrators and `flask content check`."""
import json
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from course.content import ContentError
from course.lti import keys
from course.lti.platforms import (
    PlatformUrls,
    all_platforms,
    canvas_urls,
    moodle_urls,
    upsert_platform,
)
from course.registry import content_checks

lti_cli = AppGroup("lti", help="Register LTI platforms and manage the tool's keys.")
content_cli = AppGroup("content", help="Validate course content.")


def _preset_urls(preset: str | None, base_url: str | None, canvas_env: str,
                 given: dict[str, str | None]) -> PlatformUrls:
    """URLs from a preset, overridden by any URL given explicitly."""
    if preset == "moodle":
        if not base_url:
            raise click.UsageError("--preset moodle needs --base-url (the Moodle site URL).")
        base = moodle_urls(base_url)
    elif preset == "canvas":
        base = canvas_urls(canvas_env)
    else:
        base = PlatformUrls("", "", "", "")
    urls = PlatformUrls(given["issuer"] or base.issuer, given["auth_url"] or base.auth_url,
                        given["token_url"] or base.token_url, given["jwks_url"] or base.jwks_url)
    values = (urls.issuer, urls.auth_url, urls.token_url, urls.jwks_url)
    missing = [n for n, v in zip(("--issuer", "--auth-url", "--token-url", "--jwks-url"), values)
               if not v]
    if missing:
        raise click.UsageError(f"Missing {', '.join(missing)} (or use --preset).")
    return urls


@lti_cli.command("add-platform")
@click.option("--issuer")
@click.option("--client-id", required=True)
@click.option("--auth-url")
@click.option("--token-url")
@click.option("--jwks-url")
@click.option("--deployment-id", "deployment_ids", multiple=True,
              help="Repeat to add several deployments.")
@click.option("--name", default="", help="A label for administrators.")
@click.option("--preset", type=click.Choice(["moodle", "canvas"]))
@click.option("--base-url", help="Moodle site URL, with --preset moodle.")
@click.option("--canvas-env", type=click.Choice(["prod", "beta", "test"]), default="prod")
def add_platform(client_id: str, deployment_ids: tuple[str, ...], name: str, preset: str | None,
                 base_url: str | None, canvas_env: str, **given: str | None) -> None:
    """Register a platform, or add deployments to one (safe to run again)."""
    urls = _preset_urls(preset, base_url, canvas_env, given)
    reg, added = upsert_platform(urls, client_id, list(deployment_ids), name)
    click.echo(f"Platform {reg.id}: issuer={reg.issuer} client_id={reg.client_id}")
    click.echo(f"  deployments: {', '.join(d.deployment_id for d in reg.deployments) or '(none)'}"
               f"  (added {len(added)})")


@lti_cli.command("list-platforms")
def list_platforms() -> None:
    """Show every registered platform with its deployments."""
    rows = all_platforms()
    if not rows:
        click.echo("No platforms registered. Use `flask --app wsgi lti add-platform`.")
    for reg in rows:
        deps = ", ".join(d.deployment_id for d in reg.deployments) or "(none)"
        click.echo(f"{reg.id}\t{reg.issuer}\tclient_id={reg.client_id}\tdeployments={deps}")
        click.echo(f"\tauth={reg.auth_login_url}\n\ttoken={reg.auth_token_url}\n"
                   f"\tjwks={reg.key_set_url or '(static key set)'}")


@lti_cli.command("registration-link")
@click.option("--expires", "expires", default="24h", show_default=True,
              help="How long the link works: 30m, 24h, 7d (at most 30d).")
@click.option("--label", default="", help="A note for administrators, such as the LMS's name.")
@click.option("--tool-url", envvar="TOOL_URL", default="http://127.0.0.1:5000",
              show_default=True, help="The tool's public address (or set TOOL_URL).")
def registration_link(expires: str, label: str, tool_url: str) -> None:
    """Print a one-time URL that registers one LMS by LTI Dynamic Registration."""
    from course.lti.dynreg_service import create_link, parse_lifetime
    try:
        lifetime = parse_lifetime(expires)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--expires") from exc
    production = current_app.config["APP_ENV"] == "production"
    if not tool_url.startswith(("https://",) if production else ("https://", "http://")):
        raise click.BadParameter("give the tool's public HTTPS address, such as "
                                 "https://course.example.edu", param_hint="--tool-url")
    token, link = create_link(lifetime, label)
    click.echo(f"{tool_url.rstrip('/')}/lti/register?rt={token}")
    click.echo(f"  works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC. Paste it into Moodle "
               "(Manage tools > Tool URL) or Canvas (Developer Keys > LTI Registration).",
               err=True)


@lti_cli.command("rotate-key")
def rotate_key() -> None:
    """Create a new signing key; the previous key stays published until the next rotation."""
    key = keys.rotate()
    click.echo(f"New signing key kid={key.kid}; JWKS now publishes "
               f"{', '.join(k['kid'] for k in keys.jwks()['keys'])}")


@lti_cli.command("remove-member")
@click.option("--context", "context_pk", type=click.IntRange(1, 2**31 - 1), required=True,
              help="The course number, as in the tool's /c/<number>/ URLs.")
@click.option("--user", "sub", required=True, help="The person's LTI user id (the launch's sub).")
def remove_member(context_pk: int, sub: str) -> None:
    """End someone's access to a course; their attempts stay in the gradebook."""
    from course.members import MemberError
    from course.members import remove_member as remove
    try:
        removed = remove(context_pk, sub)
    except MemberError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Removed {sub} from course {context_pk}: their next request ends their session. "
               "A new launch from the platform brings them back, so also unenrol them there."
               if removed else f"{sub} was already removed from course {context_pk}.")


@lti_cli.command("sync-roster")
@click.option("--context", "context_pk", type=click.IntRange(1, 2**31 - 1), required=True,
              help="The course number, as in the tool's /c/<number>/ URLs.")
def sync_roster(context_pk: int) -> None:
    """Read the course roster from the platform and remove whoever has left the course."""
    from course.members import MemberError, sync_from_platform
    try:
        gone = sync_from_platform(context_pk)
    except MemberError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Removed {len(gone)} member(s) from course {context_pk}"
               + (f": {', '.join(gone)}" if gone else "."))


@content_cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def content_check(as_json: bool) -> None:
    """Validate every module, question and handout; exit 1 on the first broken file."""
    summary: dict = {}
    try:
        # Each package registers its check: a summary dict, or ContentError on broken content.
        for check in content_checks(current_app):
            summary.update(check())
    except ContentError as exc:
        click.echo(f"Content error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(summary, default=str))
        return
    for key, value in summary.items():
        click.echo(f"{key}: {value}")
    click.echo("Content OK.")


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(lti_cli)
    app.cli.add_command(content_cli)
