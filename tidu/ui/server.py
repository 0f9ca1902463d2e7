"""The `tidu ui` web server: Starlette routes for the page, its JSON API and the playground's
WebSocket, served by uvicorn on 127.0.0.1 unless told otherwise.

Routes::

    GET  /                       the page (playground, runs, lab; every asset under /static)
    WS   /ws/playground          one playground run: the page sends knobs and play/pause/
                                 step/reset/remedy/save, the server sends frames
    GET  /api/playground         knobs, their defaults and choices, presets
    GET  /api/runs               the run database, filtered (kind, status, name, since, until)
    GET  /api/runs/{id}          one run: config, final metrics, metrics per epoch
    GET  /api/runs/{id}/trials   a search's trials
    GET  /api/runs/{id}/csv      its metrics as CSV
    GET  /api/overlay?ids=1,2    several runs and their config differences
    GET  /api/lab                the experiments, their latest verdicts, whether a report exists
    POST /api/lab/{id}/run       run one (quick mode) in a worker process
    GET  /api/lab/jobs/{job}     its progress, then its verdict and report section
    GET  /lab/report             the latest `tidu lab` report, if there is one

Training runs in a worker thread (`asyncio.to_thread`), so the event loop keeps serving;
a closed tab closes its WebSocket, which ends its training.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..runs import RunDB
from . import lab_api, runs_api
from .playground import CHOICES, DEFAULTS, ConfigError, Session, apply_remedy, config_difference
from .playground.config import MAX_LAYERS, MAX_WIDTH, RANGES
from .playground.presets import PRESETS, preset_configs, preset_for_experiment
from .runs_api import UIError, clean
from .security import AccessGuard

__all__ = ["create_app"]

STATIC = Path(__file__).with_name("static")
FRAME_SECONDS = 0.04   # training time between two frames while playing (≈ 15 frames/s)
log = logging.getLogger("tidu.ui")


def _json(value, status: int = 200) -> JSONResponse:
    return JSONResponse(clean(value), status_code=status)


async def _ui_error(request, exc: UIError):
    return _json({"error": exc.message}, exc.status)


async def _http_error(request, exc: HTTPException):
    return _json({"error": exc.detail}, exc.status_code)


async def _server_error(request, exc: Exception):
    log.exception("tidu ui: %s %s failed", request.method, request.url.path)
    return _json({"error": f"the server failed: {type(exc).__name__}: {exc}"}, 500)


# ---------------------------------------------------------------------- the playground
class PlaygroundSocket:
    """One page's playground over one WebSocket: commands in, frames out.  While playing,
    it trains for `FRAME_SECONDS` in a worker thread, sends a frame and looks for commands;
    paused, it waits for the next command."""

    def __init__(self, ws: WebSocket, db_path):
        self.ws, self.db_path = ws, db_path
        self.session: Session | None = None
        self.playing = False
        self.until: int | None = None  # play pauses itself at this step (A/B lockstep)

    async def send_error(self, field: str | None, message: str) -> None:
        await self.ws.send_json({"type": "error", "field": field, "message": message})

    async def new_session(self, config: dict) -> None:
        self.playing = False
        try:
            self.session = await asyncio.to_thread(Session, config)
        except ConfigError as err:
            await self.send_error(err.field, str(err))
            return
        await self.ws.send_json({"type": "reset", "config": self.session.config,
                                 **self.session.points()})
        await self.send_frame(force=True)

    async def send_frame(self, force: bool = False) -> None:
        frame = await asyncio.to_thread(self.session.frame, force)
        await self.ws.send_json(frame)

    async def handle(self, msg) -> None:
        op = msg.get("op") if isinstance(msg, dict) else None
        if op == "config":
            return await self.new_session(msg.get("config") or {})
        if self.session is None:
            return await self.send_error("op", f"send a config first; got {op!r}")
        if op == "play":
            until = msg.get("until")
            if until is not None and (isinstance(until, bool) or not isinstance(until, int)):
                return await self.send_error("until", f"expected a step number or null, got "
                                                      f"{until!r}")
            self.until = until
            self.playing = self.session.diverged is None
        elif op == "pause":
            self.playing = False
            await self.send_frame(force=True)
        elif op == "step":
            self.playing = False
            await asyncio.to_thread(self.session.train, 1)
            await self.send_frame(force=True)
        elif op == "reset":
            await self.new_session(self.session.config)
        elif op == "remedy":
            await self.apply(msg.get("key"))
        elif op == "check":
            await self.check(msg.get("kind"))
        elif op == "save":
            await self.save(msg.get("name"))
        else:
            await self.send_error("op", f"expected one of config, play, pause, step, reset, "
                                        f"remedy, check, save; got {op!r}")

    async def apply(self, key) -> None:
        try:
            config = apply_remedy(key, self.session.config)
        except ValueError as err:
            return await self.send_error("remedy", str(err))
        await self.ws.send_json({"type": "remedied", "key": key,
                                 "changed": config_difference(self.session.config, config)})
        await self.new_session(config)

    async def check(self, kind) -> None:
        playing, self.playing = self.playing, False
        try:
            results = await asyncio.to_thread(self.session.check_remedies, kind)
        except ValueError as err:
            return await self.send_error("check", str(err))
        await self.ws.send_json({"type": "checked", "kind": kind, "remedies": clean(results)})
        self.playing = playing

    async def save(self, name) -> None:
        record = self.session.run_record()
        name = str(name or f"playground {self.session.config['dataset']}")[:200]

        def write():
            with RunDB(self.db_path) as db:
                return db.record_run("train", "finished", name=name, **record)
        run_id = await asyncio.to_thread(write)
        await self.ws.send_json({"type": "saved", "run_id": run_id, "name": name})

    async def run(self) -> None:
        inbox: asyncio.Queue = asyncio.Queue()

        async def read():
            try:
                while True:
                    await inbox.put(await self.ws.receive_json())
            except (WebSocketDisconnect, RuntimeError):
                await inbox.put(None)
            except ValueError:  # not JSON: say so, keep the connection
                await self.send_error(None, "messages must be JSON objects")
                await read()
        reader = asyncio.create_task(read())
        live = self.ws.app.state.playgrounds
        live.add(self)
        try:
            while True:
                if self.playing and inbox.empty():
                    left = 10**9 if self.until is None else self.until - self.session.step
                    if left > 0:
                        await asyncio.to_thread(self.session.train, left, FRAME_SECONDS)
                    if self.session.diverged is not None or (
                            self.until is not None and self.session.step >= self.until):
                        self.playing = False  # diverged, or waiting for its A/B partner
                    await self.send_frame(force=not self.playing)
                    continue
                msg = await inbox.get()
                if msg is None:  # the tab closed: its training ends here
                    return
                await self.handle(msg)
        finally:
            if self.session is not None:
                self.session.cancel()
            live.discard(self)
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def playground_socket(ws: WebSocket) -> None:
    await ws.accept()
    with contextlib.suppress(WebSocketDisconnect):
        await PlaygroundSocket(ws, ws.app.state.db_path).run()


async def playground_schema(request: Request):
    ranges = {k: {"min": lo, "max": hi, "integer": integer} for k, (lo, hi, integer) in RANGES.items()}
    presets = {}
    for name, p in PRESETS.items():
        a, b = preset_configs(name)
        presets[name] = {"title": p["title"], "experiment": p["experiment"], "watch": p["watch"],
                         "a": a, "b": b}
    return _json({"defaults": DEFAULTS, "choices": CHOICES, "ranges": ranges,
                  "max_layers": MAX_LAYERS, "max_width": MAX_WIDTH, "presets": presets})


# ---------------------------------------------------------------------- runs and lab
def _db(request: Request) -> RunDB:
    return request.app.state.db


async def runs_list(request: Request):
    q = request.query_params
    args = {k: q.get(k) for k in ("kind", "status", "name", "since", "until", "parent", "limit",
                                  "offset") if q.get(k) not in (None, "")}
    return _json(await asyncio.to_thread(runs_api.list_runs, _db(request), **args))


async def run_detail(request: Request):
    return _json(await asyncio.to_thread(runs_api.run_detail, _db(request),
                                         request.path_params["run_id"]))


async def run_trials(request: Request):
    return _json(await asyncio.to_thread(runs_api.search_trials, _db(request),
                                         request.path_params["run_id"]))


async def run_csv(request: Request):
    run_id = request.path_params["run_id"]
    text = await asyncio.to_thread(runs_api.export_csv_text, _db(request), run_id)
    return PlainTextResponse(text, media_type="text/csv", headers={
        "content-disposition": f'attachment; filename="tidu-run-{int(run_id)}.csv"'})


async def runs_overlay(request: Request):
    return _json(await asyncio.to_thread(runs_api.overlay, _db(request),
                                         request.query_params.get("ids", "")))


async def lab_list(request: Request):
    rows = await asyncio.to_thread(lab_api.experiments, _db(request), preset_for_experiment())
    report = request.app.state.lab_report
    return _json({"experiments": rows, "report": bool(report) and Path(report).is_file()})


async def lab_run(request: Request):
    job = request.app.state.lab_jobs.start(request.path_params["exp_id"])
    return _json({"job_id": job})


async def lab_job(request: Request):
    return _json(request.app.state.lab_jobs.status(request.path_params["job_id"]))


async def lab_report_page(request: Request):
    path = request.app.state.lab_report
    if path is None or not Path(path).is_file():
        raise UIError(f"no lab report at {path}: run `tidu lab` (or `make demo`) first, or "
                      f"run an experiment from this page", status=404)
    return FileResponse(path, media_type="text/html")


async def index(request: Request):
    return FileResponse(STATIC / "index.html", media_type="text/html")


async def favicon(request: Request):
    return Response(status_code=204)


# ---------------------------------------------------------------------- the app
def create_app(db_path=None, token: str | None = None, lab_report="reports/lab/index.html"):
    """The ASGI app.  ``db_path``: the run database (default `tidu.runs.default_db_path`);
    ``token``: required on every request when given (see `tidu.ui.security`);
    ``lab_report``: the `tidu lab` report to serve at /lab/report."""
    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            app.state.lab_jobs.shutdown()
            app.state.db.close()

    routes = [
        Route("/", index), Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        WebSocketRoute("/ws/playground", playground_socket),
        Route("/api/playground", playground_schema),
        Route("/api/runs", runs_list), Route("/api/runs/{run_id}", run_detail),
        Route("/api/runs/{run_id}/trials", run_trials), Route("/api/runs/{run_id}/csv", run_csv),
        Route("/api/overlay", runs_overlay),
        Route("/api/lab", lab_list), Route("/api/lab/{exp_id}/run", lab_run, methods=["POST"]),
        Route("/api/lab/jobs/{job_id}", lab_job), Route("/lab/report", lab_report_page),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        UIError: _ui_error, HTTPException: _http_error, Exception: _server_error})
    app.state.db = RunDB(db_path)
    app.state.db_path = app.state.db.path
    app.state.lab_jobs = lab_api.LabJobs(app.state.db)
    app.state.lab_report = lab_report
    app.state.playgrounds = set()  # the open playground sockets (a closed tab leaves it)
    return AccessGuard(app, token=token)
