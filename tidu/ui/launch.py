"""`serve`: start the `tidu ui` server — bind, print the URL (with the token where one is
needed), serve until Ctrl-C or SIGTERM, then shut down cleanly (uvicorn closes the
WebSockets, the lifespan stops the lab worker and closes the database)."""
from __future__ import annotations

import contextlib
import signal
import socket
import threading

import uvicorn

from .security import is_loopback, new_token
from .server import create_app

__all__ = ["serve", "bind"]


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one), with a clear error when the
    port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise OSError(f"tidu ui: cannot listen on {host}:{port} ({err.strerror}); choose "
                      f"another --port") from None
    sock.listen(128)
    return sock


def serve(host: str = "127.0.0.1", port: int = 8000, db=None, token: str | None = None,
          lab_report: str = "reports/lab/index.html", log=print) -> None:
    """Serve the page on ``host:port`` until interrupted.  On a non-loopback ``host`` a
    token is required (a new one unless given) and printed once in the URL."""
    if not is_loopback(host) and token is None:
        token = new_token()
    sock = bind(host, port)
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    if token:
        log(f"tidu ui: listening on {host}, which is not loopback only: every request needs "
            f"the token; open\n    {url}")
    else:
        log(f"tidu ui: open {url}  (Ctrl-C stops it)")
    app = create_app(db_path=db, token=token, lab_report=lab_report)
    config = uvicorn.Config(app, log_level="warning", ws_ping_interval=20, lifespan="on",
                            timeout_graceful_shutdown=3)
    try:
        with _signals_end_quietly():
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    log("tidu ui: stopped")


@contextlib.contextmanager
def _signals_end_quietly():
    """uvicorn shuts down gracefully on SIGINT/SIGTERM and then raises the signal again for
    the handler it found; that handler is this no-op, so a stopped server exits with 0."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, lambda signum, frame: None)
                for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
