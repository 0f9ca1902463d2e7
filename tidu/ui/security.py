"""Who may talk to `tidu ui`: loopback by default; anything else only with the token.

Bound to a loopback address (the default, 127.0.0.1), the server refuses any request whose
client address is not loopback and any whose ``Host`` header is not a loopback name (a
web page elsewhere cannot reach it by DNS rebinding).  Bound to another address it
requires a token — printed once at start, as Jupyter does — on every request: as
``?token=…`` (the printed URL; the page then keeps it in a cookie), as an
``Authorization: token …`` header or as the ``tidu_token`` cookie.  A refused request gets
403 and one line saying why.
"""
from __future__ import annotations

import hmac
import ipaddress
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

__all__ = ["is_loopback", "new_token", "AccessGuard", "COOKIE"]

COOKIE = "tidu_token"
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or ``localhost``) is a loopback address."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _host_name(headers: dict) -> str:
    host = headers.get("host", "")
    if host.startswith("["):  # [::1]:8000
        return host[:host.index("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _given_token(scope, headers: dict) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("token"):
        return query["token"][0]
    auth = headers.get("authorization", "")
    if auth.lower().startswith("token "):
        return auth[6:].strip()
    cookie = SimpleCookie(headers.get("cookie", ""))
    return cookie[COOKIE].value if COOKIE in cookie else None


class AccessGuard:
    """ASGI middleware: `AccessGuard(app, token=None)`.  Without a token only loopback
    clients with a loopback ``Host`` get through; with one, every request must carry it.
    A page request that brought the right token in its query gets it back as a cookie, so
    the page's own requests carry it."""

    def __init__(self, app, token: str | None = None):
        self.app, self.token = app, token

    def refusal(self, scope) -> str | None:
        """Why this request is refused, or None."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        client = (scope.get("client") or (None, None))[0]
        if self.token is None:
            if not is_loopback(client):
                return (f"refused: the server listens on loopback only and {client} is not "
                        f"a loopback address")
            if _host_name(headers) not in _LOOPBACK_NAMES:
                return f"refused: Host {headers.get('host')!r} is not a loopback name"
            return None
        given = _given_token(scope, headers)
        if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
            return "refused: this server needs its token (the URL printed at start has it)"
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        reason = self.refusal(scope)
        if reason is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})
                return
            body = reason.encode()
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        if self.token is None or scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"set-cookie", cookie.encode())]}
            await send(message)
        return await self.app(scope, receive, send_with_cookie)
