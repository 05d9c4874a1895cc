"""Sessions in signed cookies, CSRF tokens bound to them, and the security headers.

The session cookie holds who is signed in (user id and the account's session epoch),
when the session started and was last used, and the CSRF token. It is signed, so any
worker can read it and nothing about sessions lives in process memory. Bumping the
account's epoch (sign-out, password change, deactivation) makes every cookie of that
person worthless.

Cookies are signed by `CookieCodec`, for sessions here and for the questionnaire preview
(`respond/previewstate.py`). It stands on itsdangerous, the Pallets library under Flask's
sessions: maintained, typed, without dependencies, and it does the parts a hand-made codec
can get wrong: a key per purpose derived from QMS_SECRET_KEY and a salt (HMAC-SHA256),
constant-time comparison, and lists of keys for rotation. New cookies are always signed
with QMS_SECRET_KEY; cookies signed with a key of QMS_SECRET_KEY_PREVIOUS are still read,
and a session read so is signed anew with the current key in the same response.

Cookies of the hand-made codec before it are not read: those sessions just end (people
sign in once more) and those previews start empty, and nothing on the server is lost.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from itsdangerous import BadData, BadSignature, Serializer, URLSafeSerializer, base64_encode
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from markupsafe import Markup, escape

from qms.i18n import N_
from qms.web.origin import foreign_origin, own_origin

SESSION_COOKIE = "qms_session"
IDLE_SECONDS = 8 * 3600
ABSOLUTE_SECONDS = 24 * 3600
# Re-signing the cookie on every request would be a Set-Cookie per response for nothing.
REFRESH_SECONDS = 300
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "testserver"})
_STATE_KEY = "qms.session"
log = logging.getLogger("qms.security")

# A year, sent only over https (browsers ignore it on http). Without includeSubDomains:
# a municipality's other sites under the same domain are not ours to force onto https.
HSTS = "max-age=31536000"
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
)


@dataclass
class WebSession:
    user_id: int | None
    epoch: int
    csrf: str
    issued: int
    seen: int
    # `fresh`: no valid cookie came with the request. `dirty`: the cookie must be (re)sent.
    fresh: bool = False
    dirty: bool = False
    cleared: bool = field(default=False)

    @classmethod
    def new(cls, now: int) -> WebSession:
        return cls(None, 0, secrets.token_urlsafe(32), now, now, fresh=True)

    def csrf_token(self) -> str:
        if self.fresh:
            self.dirty = True
        return self.csrf

    def sign_in(self, user_id: int, epoch: int, now: int) -> None:
        # A new token at sign-in: a token planted before it must not outlive it.
        self.user_id, self.epoch = user_id, epoch
        self.csrf = secrets.token_urlsafe(32)
        self.issued = self.seen = now
        self.dirty = True

    def sign_out(self, now: int) -> None:
        self.user_id, self.epoch = None, 0
        self.csrf = secrets.token_urlsafe(32)
        self.issued = self.seen = now
        self.dirty = True


class _Serializer(URLSafeSerializer):
    """itsdangerous' URL-safe JSON serializer with HMAC-SHA256, compressing only when asked:
    a session cookie is a hundred bytes, and compressing it would only make its format vary."""

    def __init__(self, keys: str | list[str], *, compress: bool) -> None:
        super().__init__(
            keys, signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256}
        )
        self._compress = compress

    def dump_payload(self, obj: Any) -> bytes:
        if self._compress:
            return super().dump_payload(obj)
        return base64_encode(Serializer.dump_payload(self, obj))


class Read(NamedTuple):
    data: Any
    # Signed with a previous key: the caller signs it anew when it can.
    stale: bool


class CookieCodec:
    """JSON data as a signed cookie value, for one purpose ("session", "preview"); a
    scope (a questionnaire) is signed too, so one scope's value is nothing in another."""

    def __init__(
        self,
        secret_key: str,
        previous: Sequence[str] = (),
        *,
        purpose: str,
        compress: bool = False,
    ) -> None:
        self._purpose = purpose
        self._current = _Serializer(secret_key, compress=compress)
        self._previous = _Serializer(list(previous), compress=compress) if previous else None

    def _salt(self, scope: str) -> str:
        return f"qms.{self._purpose}:{scope}" if scope else f"qms.{self._purpose}"

    def dumps(self, data: Any, scope: str = "") -> str:
        value: str = self._current.dumps(data, salt=self._salt(scope))
        return value

    def loads(self, raw: str, scope: str = "") -> Read | None:
        """None for a forged or malformed value, or one signed with a key no longer listed."""
        salt = self._salt(scope)
        for serializer, stale in ((self._current, False), (self._previous, True)):
            if serializer is None:
                continue
            try:
                return Read(serializer.loads(raw, salt=salt), stale)
            except BadSignature:
                continue
            except BadData:  # a good signature on what does not decode: a bug of ours
                return None
        return None


class SessionCodec:
    def __init__(self, secret_key: str, previous: Sequence[str] = ()) -> None:
        self._cookies = CookieCodec(secret_key, previous, purpose="session")

    def dumps(self, session: WebSession) -> str:
        return self._cookies.dumps(
            {
                "u": session.user_id,
                "e": session.epoch,
                "c": session.csrf,
                "i": session.issued,
                "s": session.seen,
            }
        )

    def loads(self, raw: str, now: int) -> WebSession | None:
        """None for a forged, malformed or expired cookie."""
        read = self._cookies.loads(raw)
        if read is None:
            return None
        try:
            data = read.data
            user_id = data["u"]
            session = WebSession(
                user_id=int(user_id) if user_id is not None else None,
                epoch=int(data["e"]),
                csrf=str(data["c"]),
                issued=int(data["i"]),
                seen=int(data["s"]),
            )
        except (ValueError, KeyError, TypeError):
            return None
        if session.user_id is not None and (
            now - session.seen > IDLE_SECONDS or now - session.issued > ABSOLUTE_SECONDS
        ):
            return None
        if session.user_id is not None and now - session.seen > REFRESH_SECONDS:
            session.seen = now
            session.dirty = True
        if read.stale:
            session.dirty = True  # signed with a previous key: sign it with the current one
        return session


_current: ContextVar[WebSession | None] = ContextVar("qms_web_session", default=None)


def session_of(connection: ASGIConnection[Any, Any, Any, Any]) -> WebSession:
    found = connection.scope.get("state", {}).get(_STATE_KEY)
    if not isinstance(found, WebSession):
        raise RuntimeError("SessionMiddleware is not installed")
    return found


def csrf_token() -> str:
    """For templates: the current session's token (starts a session if there is none)."""
    session = _current.get()
    return session.csrf_token() if session is not None else ""


def csrf_input() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(csrf_token())
    )


def _cookie_value(headers: Iterable[tuple[bytes, bytes]], name: str) -> str | None:
    for key, value in headers:
        if key != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            cookie_name, _, cookie_value = part.strip().partition("=")
            if cookie_name == name:
                return cookie_value
    return None


def _host(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"host":
            host = value.decode("latin-1").strip().lower()
            return host.rsplit(":", 1)[0] if not host.endswith("]") else host
    server = scope.get("server")
    return str(server[0]) if server else ""


def cookie_is_secure(scope: Scope) -> bool:
    """Secure everywhere but on this machine, where development runs on plain http."""
    return scope.get("scheme") == "https" or _host(scope) not in LOCAL_HOSTS


class SessionMiddleware:
    """Reads the session cookie before the route runs and writes it back when it changed;
    sets the security headers on every response it sees."""

    def __init__(self, app: ASGIApp, codec: SessionCodec) -> None:
        self.app = app
        self.codec = codec

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        now = int(time.time())
        raw = _cookie_value(scope.get("headers", []), SESSION_COOKIE)
        session = (self.codec.loads(raw, now) if raw else None) or WebSession.new(now)
        scope.setdefault("state", {})[_STATE_KEY] = session
        token = _current.set(session)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and session.dirty:
                headers = MutableScopeHeaders.from_message(message)
                attributes = "Path=/; HttpOnly; SameSite=Lax"
                if cookie_is_secure(scope):
                    attributes += "; Secure"
                value = self.codec.dumps(session)
                headers.add("set-cookie", f"{SESSION_COOKIE}={value}; {attributes}")
                # A page that carries a session must not sit in a shared cache.
                headers["cache-control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            _current.reset(token)


def _with_secure(cookie: bytes) -> bytes:
    attributes = cookie.split(b";")[1:]
    if any(part.strip().lower() == b"secure" for part in attributes):
        return cookie
    return cookie + b"; Secure"


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook: every response, 404s and static files included.

    Over https (as the server reports the scheme: behind a proxy, uvicorn's forwarded
    headers from QMS_TRUSTED_PROXIES) it adds HSTS and makes every cookie Secure, whatever
    the host and whoever set the cookie (session, preview, language, easy-read), so that no
    cookie of an https site can leak over plain http."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS:
        if name not in headers:
            headers[name] = value
    if scope.get("scheme") == "https":
        headers["strict-transport-security"] = HSTS
        message["headers"] = [
            (key, _with_secure(value) if key.lower() == b"set-cookie" else value)
            for key, value in message.get("headers", [])
        ]
    handler = scope.get("route_handler")
    permission = getattr(handler, "opt", {}).get("permission")
    if getattr(permission, "action", None) is not None:
        # Pages behind sign-in never sit in a browser's or proxy's cache.
        headers["cache-control"] = "no-store"


CSRF_FAILED = N_("This form has expired. Please go back, reload the page and try again.")
CROSS_SITE = N_(
    "This form was sent from another website, so it was not accepted. If you meant to send "
    "it, open this site's page yourself and send the form from there."
)


class CsrfFailed(PermissionDeniedException):
    message = CSRF_FAILED


class CrossSiteRefused(CsrfFailed):
    message = CROSS_SITE


async def check_csrf(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """A guard on every route: state-changing requests carry the session's token, as a
    form field (plain forms) or the X-CSRF-Token header (htmx, from `hx-headers`).

    Before the token, the Origin check, as a second lock that does not depend on the
    token staying secret: a browser names the page a post comes from, and a post from
    another site is refused even with a valid token (one leaked through a log, a shared
    screen, a bug elsewhere)."""
    if connection.scope.get("method", "GET") in SAFE_METHODS:
        return
    if (claimed := foreign_origin(connection.scope)) is not None:
        # Also what a proxy that rewrites the Host header looks like: the log says so.
        log.warning(
            "refused %s %s from %r (this site: %r)",
            connection.scope.get("method"),
            connection.scope.get("path"),
            claimed,
            own_origin(connection.scope),
        )
        raise CrossSiteRefused("Origin or Referer of another site")
    session = session_of(connection)
    sent = connection.headers.get(CSRF_HEADER)
    if not sent and hasattr(connection, "form"):
        form = await connection.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if session.fresh or not sent or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise CsrfFailed("CSRF token missing or wrong")
