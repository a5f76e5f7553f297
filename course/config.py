"""Configuration from environment variables, with safe defaults for a newcomer's machine."""
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """A setting that makes the app unsafe or unable to start; the message says how to fix it."""


def _flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    """Read an on/off environment variable ("1", "true", "yes" mean on)."""
    value = env.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret(instance: Path) -> str:
    """Generate the development secret key once and keep it in the instance folder."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def redis_options(env: Mapping[str, str]) -> dict[str, float]:
    """Short socket timeouts, so a dead or hung Redis fails a request fast instead of hanging it."""
    seconds = float(env.get("REDIS_TIMEOUT_SECONDS", "2"))
    return {"socket_connect_timeout": seconds, "socket_timeout": seconds}


def _cache_settings(env: Mapping[str, str], instance: Path) -> dict[str, Any]:
    """Redis when REDIS_URL is set, else a file cache that every worker on the machine shares."""
    if env.get("REDIS_URL"):
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": env["REDIS_URL"],
                "CACHE_KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "msc:"),
                "CACHE_OPTIONS": redis_options(env)}
    # A threshold stops the file cache pruning live launch data; 0 would mean "never prune".
    return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(instance / "cache"),
            "CACHE_THRESHOLD": 50000}


def _ratelimit_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Rate limits (docs/rate-limits.md), sized so a class of 300 can launch in one minute
    from one campus NAT; RATELIMIT_ENABLED=0 for a deployment behind its own limiter."""
    return {
        "RATELIMIT_ENABLED": _flag(env, "RATELIMIT_ENABLED", True),
        "RATELIMIT_LOGIN": env.get("RATELIMIT_LOGIN", "900 per minute"),
        "RATELIMIT_LAUNCH": env.get("RATELIMIT_LAUNCH", "900 per minute"),
        "RATELIMIT_IMPORT": env.get("RATELIMIT_IMPORT", "20 per minute;200 per hour"),
        "RATELIMIT_RENDER": env.get("RATELIMIT_RENDER", "30 per minute;300 per hour"),
        "RATELIMIT_RENDER_CONCURRENCY": int(env.get("RATELIMIT_RENDER_CONCURRENCY", "2")),
        "RATELIMIT_RENDER_WAIT_SECONDS": float(env.get("RATELIMIT_RENDER_WAIT_SECONDS", "3")),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", ""),
        "RATELIMIT_STRATEGY": env.get("RATELIMIT_STRATEGY", "sliding-window-counter"),
    }


def _origins(text: str) -> list[str]:
    """Space-separated origins such as https://canvas.school.edu; anything else is refused."""
    found = text.split()
    bad = [o for o in found if not re.fullmatch(r"https?://[A-Za-z0-9.*-]+(:\d+)?", o)]
    if bad:
        raise ConfigError(f"FRAME_ANCESTORS takes origins like https://lms.example.edu, not {bad}")
    return found


def _host_settings(env: Mapping[str, str], production: bool) -> dict[str, Any]:
    """TRUSTED_HOSTS (Flask refuses any other Host with a 400) and TOOL_URL (the public
    address absolute URLs are built from); docs/operations.md, "Trusted hosts"."""
    text = env.get("TRUSTED_HOSTS", "").replace(",", " ").strip()
    hosts = text.split()
    bad = [h for h in hosts if not re.fullmatch(r"\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d+)?|"
                                               r"\[[0-9A-Fa-f:.]+\](:\d+)?", h)]
    if bad and text != "*":
        raise ConfigError(f"TRUSTED_HOSTS takes host names like course.example.edu, not {bad}")
    if production and not hosts:
        raise ConfigError("TRUSTED_HOSTS is required when APP_ENV=production: the host names "
                          "the tool is served at, e.g. TRUSTED_HOSTS=course.example.edu. Set "
                          "TRUSTED_HOSTS=* only if the proxy in front already refuses other hosts.")
    url = env.get("TOOL_URL", "").strip()
    if url and not re.fullmatch(r"https?://[A-Za-z0-9.:\[\]-]+(/[^\s?#]*)?", url):
        raise ConfigError(f"TOOL_URL takes an address like https://course.example.edu/, not {url!r}")
    return {"TRUSTED_HOSTS": None if text in ("", "*") else hosts,
            "TOOL_URL": url.rstrip("/") + "/" if url else ""}


def _demo_platform_url(url: str) -> str:
    """DEMO_PLATFORM_URL: the demo platform's own site, such as http://localhost:5000/."""
    if url and not re.fullmatch(r"https?://[A-Za-z0-9.:\[\]-]+/?", url):
        raise ConfigError(f"DEMO_PLATFORM_URL takes an address like http://localhost:5000/, "
                          f"not {url!r}")
    return url.rstrip("/") + "/" if url else ""


def build_config(instance: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Turn the environment into Flask settings, refusing unsafe production combinations."""
    env = os.environ if env is None else env
    production = env.get("APP_ENV", "development").lower() == "production"
    demo = _flag(env, "DEMO_PLATFORM")
    if production and demo:
        raise ConfigError("DEMO_PLATFORM=1 is refused when APP_ENV=production: the demo "
                          "platform signs launches for anyone. Unset DEMO_PLATFORM.")
    secret = env.get("SECRET_KEY")
    if production and not secret:
        raise ConfigError("SECRET_KEY is required when APP_ENV=production. Generate one with "
                          "`python -c 'import secrets; print(secrets.token_hex(32))'`.")
    https = env.get("PREFERRED_URL_SCHEME", "https" if production else "http") == "https"
    database = env.get("DATABASE_URL") or f"sqlite:///{instance / 'course.sqlite3'}"
    if database.startswith("postgres://"):
        database = "postgresql://" + database[len("postgres://"):]
    if database.startswith("postgresql://"):
        database = "postgresql+psycopg://" + database[len("postgresql://"):]
    config: dict[str, Any] = {
        "APP_ENV": "production" if production else "development",
        "SECRET_KEY": secret or _dev_secret(instance),
        "SQLALCHEMY_DATABASE_URI": database,
        # pre_ping lets the pool recover by itself after a database restart; on PostgreSQL
        # course/connections.py checks the socket instead, with no round trip.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DEMO_PLATFORM": demo,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "PROXY_FIX": int(env.get("PROXY_FIX", "0")),
        # Inside an LMS iframe the cookies are third-party: they need SameSite=None, Secure and
        # Partitioned (CHIPS). Plain-HTTP development keeps Lax, which browsers accept there.
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_SAMESITE": "None" if https else "Lax",
        "SESSION_COOKIE_PARTITIONED": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_NAME": "msc_session",
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_BYTES", str(2 * 1024 * 1024))),
        # Questions one GIFT import may hold (docs/uploads-and-limits.md); more is a 413.
        "GIFT_MAX_QUESTIONS": int(env.get("GIFT_MAX_QUESTIONS", "2000")),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "LTI_LEEWAY_SECONDS": int(env.get("LTI_LEEWAY_SECONDS", "60")),
        # Course rights come from context roles; these map LMS administrators to instructor
        # (docs/roles-and-sessions.md). Canvas gives institution Administrator to sub-account admins.
        "LTI_SYSTEM_ADMIN_IS_INSTRUCTOR": _flag(env, "LTI_SYSTEM_ADMIN_IS_INSTRUCTOR", True),
        "LTI_INSTITUTION_ADMIN_IS_INSTRUCTOR": _flag(env, "LTI_INSTITUTION_ADMIN_IS_INSTRUCTOR"),
        # A course session ends after this long without a request, or this long after the launch.
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "480")),
        "SESSION_MAX_HOURS": int(env.get("SESSION_MAX_HOURS", "24")),
        "HTTP_TIMEOUT_SECONDS": float(env.get("HTTP_TIMEOUT_SECONDS", "10")),
        # A score "sending" this long belonged to a worker that died; another worker takes it.
        "OUTBOX_STALE_SECONDS": float(env.get("OUTBOX_STALE_SECONDS", "300")),
        # Scores an LMS setting refuses (Moodle's grade sync off) are retried this long.
        "OUTBOX_CONFIG_GIVE_UP_DAYS": float(env.get("OUTBOX_CONFIG_GIVE_UP_DAYS", "30")),
        "LOG_JSON": _flag(env, "LOG_JSON", production),
        # Origins allowed to frame the tool besides the registered platforms' own (a Canvas or
        # Moodle site served from another host, such as a vanity domain).
        "FRAME_ANCESTORS": _origins(env.get("FRAME_ANCESTORS", "")),
        # The demo platform's own address; when set, its page frames the tool from this other
        # site as an LMS does (docs/cookies-and-iframes.md), e.g. http://localhost:5000/.
        "DEMO_PLATFORM_URL": _demo_platform_url(env.get("DEMO_PLATFORM_URL", "").strip()),
    }
    config.update(_cache_settings(env, instance))
    config.update(_host_settings(env, production))
    config.update(_ratelimit_settings(env))
    return config
