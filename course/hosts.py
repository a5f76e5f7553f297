"""The tool's public address, from configuration: never from a request's Host header."""
from collections.abc import Mapping
from typing import Any


def public_root(config: Mapping[str, Any], environ: Mapping[str, Any]) -> str:
    """TOOL_URL, else the first exact TRUSTED_HOSTS entry, else the address the server listens on.

    A forged Host header used to become the demo registration's login and token URLs (and a
    frame-ancestors origin). The last fallback reads the WSGI server's own name and port, which
    the development server takes from its socket, not from the request.
    """
    if config.get("TOOL_URL"):
        return str(config["TOOL_URL"])
    scheme = config.get("PREFERRED_URL_SCHEME", "http")
    exact = [h for h in config.get("TRUSTED_HOSTS") or () if not h.startswith(".")]
    if exact:
        return f"{scheme}://{exact[0]}/"
    scheme = environ.get("wsgi.url_scheme", "http")
    host, port = environ.get("SERVER_NAME", "localhost"), str(environ.get("SERVER_PORT", ""))
    default = {"http": "80", "https": "443"}.get(scheme)
    return f"{scheme}://{host}{'' if port in ('', default) else ':' + port}/"
