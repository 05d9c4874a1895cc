"""Which site a request comes from: the Origin check next to the CSRF token.

Origins are compared as (scheme, host, port), the port filled in for http and https, so
`https://qms.example.lv` and `https://qms.example.lv:443` are the same site and
`http://...` of the same host is not. urllib.parse splits the URLs (IPv6 brackets,
ports, case); there is nothing more to parse that a library would add.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.types import Scope

_DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def _origin(url: str) -> Origin | None:
    """(scheme, host, port) of an absolute http(s) URL, None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def own_origin(scope: Scope) -> Origin | None:
    """This request's own origin: the scheme the server reports and the Host it was sent
    to (what a browser on our page puts in Origin)."""
    host = ""
    for key, value in scope.get("headers", []):
        if key == b"host":
            host = value.decode("latin-1").strip()
            break
    if not host and (server := scope.get("server")):
        host = f"{server[0]}:{server[1]}" if server[1] else str(server[0])
    return _origin(f"{scope.get('scheme', 'http')}://{host}") if host else None


def foreign_origin(scope: Scope) -> str | None:
    """The origin a request names (Origin, or Referer when there is no Origin) when it is
    not ours; None when it is ours or the request names none (then the CSRF token alone
    decides). "null" (a sandboxed frame, a privacy-stripped origin) is not ours."""
    origin = referer = None
    for key, value in scope.get("headers", []):
        if key == b"origin":
            origin = value.decode("latin-1").strip()
        elif key == b"referer":
            referer = value.decode("latin-1").strip()
    claimed = origin if origin is not None else referer
    if claimed is None:
        return None
    ours = own_origin(scope)
    return claimed if ours is None or _origin(claimed) != ours else None
