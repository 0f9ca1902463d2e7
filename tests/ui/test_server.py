"""The `tidu ui` server without a browser: who may connect (loopback, or the token), bad
input answered as one message (never a traceback), the playground's WebSocket protocol,
saving a run, and a clean stop on SIGTERM.  Requests go through Starlette's in-process test
client (no network) or to a real server on 127.0.0.1."""
import json
import urllib.error
import urllib.request

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.ui.conftest import start_ui, stop_ui
from tidu.runs import RunDB
from tidu.ui.security import AccessGuard, is_loopback
from tidu.ui.server import create_app

LOCAL = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.7", 50000)  # TEST-NET-3: an address that is not loopback


def client(app, where=LOCAL, base="http://127.0.0.1:8000", **kwargs):
    return TestClient(app, base_url=base, client=where, **kwargs)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "runs.db"


@pytest.fixture
def app(db_path, tmp_path):
    return create_app(db_path=db_path, lab_report=str(tmp_path / "missing.html"))


def test_loopback_names():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.5.0.1", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "203.0.113.7", "example.com", "", None))


def test_without_a_token_only_loopback_clients_get_in(app):
    with client(app) as c:
        page = c.get("/")
        assert page.status_code == 200 and "<title>tidu ui</title>" in page.text
        assert c.get("/static/playground.js").status_code == 200
    with client(app, where=REMOTE) as c:
        refused = c.get("/")
        assert refused.status_code == 403
        assert "203.0.113.7 is not a loopback address" in refused.text
    with client(app, base="http://evil.example:8000") as c:  # DNS rebinding
        assert c.get("/api/runs").status_code == 403


def test_with_a_token_every_request_needs_it(db_path):
    app = create_app(db_path=db_path, token="s3cret")
    with client(app, where=REMOTE) as c:
        assert c.get("/api/runs").status_code == 403
        assert c.get("/api/runs?token=wrong").status_code == 403
        assert "needs its token" in c.get("/").text
        assert c.get("/api/runs", headers={"Authorization": "token s3cret"}).status_code == 200
        first = c.get("/?token=s3cret")  # the printed URL: the page keeps it in a cookie
        assert first.status_code == 200 and "tidu_token=s3cret" in first.headers["set-cookie"]
        assert c.get("/api/runs").status_code == 200  # the cookie carries it now
    with client(app, where=REMOTE) as c:
        with pytest.raises(WebSocketDisconnect):
            with c.websocket_connect("ws://127.0.0.1:8000/ws/playground") as ws:
                ws.receive_json()


def test_bad_input_gets_one_message_not_a_traceback(app):
    with client(app) as c:
        for url, words in (("/api/runs?kind=bogus", "kind must be one of"),
                           ("/api/runs?limit=-3", "limit"),
                           ("/api/runs/999", "999"),
                           ("/api/runs/abc", "run_id"),
                           ("/api/overlay?ids=1", "ids"),
                           ("/api/lab/E99/run", None),
                           ("/api/lab/jobs/nope", "nope"),
                           ("/lab/report", "tidu lab")):
            response = c.post(url) if url.endswith("/run") else c.get(url)
            assert 400 <= response.status_code < 500, (url, response.status_code)
            body = response.json()
            assert set(body) == {"error"} and "Traceback" not in body["error"], body
            if words:
                assert words in body["error"], (url, body)


def test_playground_socket_protocol(app, db_path):
    with client(app) as c, c.websocket_connect("ws://127.0.0.1:8000/ws/playground") as ws:
        ws.send_json({"op": "play"})
        assert ws.receive_json() == {"type": "error", "field": "op",
                                     "message": "send a config first; got 'play'"}
        ws.send_json({"op": "config", "config": {"lr": "fast"}})
        error = ws.receive_json()
        assert error["type"] == "error" and error["field"] == "lr" and "'fast'" in error["message"]
        ws.send_json({"op": "config", "config": {"hidden": [8, 8], "n_samples": 100}})
        reset = ws.receive_json()
        assert reset["type"] == "reset" and reset["config"]["hidden"] == [8, 8]
        assert reset["layers"] == ["0", "2", "4"] and len(reset["train"]["x"]) == 70
        assert ws.receive_json()["step"] == 0
        ws.send_json({"op": "step"})
        assert ws.receive_json()["step"] == 1
        ws.send_json({"op": "play"})
        steps = [ws.receive_json()["step"] for _ in range(5)]
        assert steps == sorted(steps) and steps[-1] > steps[0]
        ws.send_json({"op": "pause"})
        frame = ws.receive_json()
        while frame["type"] == "frame" and frame["step"] < steps[-1]:
            frame = ws.receive_json()
        ws.send_json({"op": "save", "name": "from the page"})
        saved = _next(ws, "saved")
        ws.send_json({"op": "remedy", "key": "lstm"})
        assert "no knob" in _next(ws, "error")["message"]
        ws.send_json({"op": "remedy", "key": "batchnorm"})
        assert _next(ws, "remedied")["changed"] == ["batchnorm"]
        assert _next(ws, "reset")["config"]["batchnorm"] is True
        ws.send_json({"op": "dance"})
        assert "expected one of" in _next(ws, "error")["message"]
    run = RunDB(db_path).get_run(saved["run_id"])
    assert (run.kind, run.name, run.status) == ("train", "from the page", "finished")
    assert run.config["playground"]["hidden"] == [8, 8]
    assert run.metrics["steps"] >= steps[-1]
    assert len(RunDB(db_path).metrics(run.id)["val_accuracy"]) >= 1


def _next(ws, kind):
    """The next message of ``kind``, skipping frames still in flight."""
    for _ in range(200):
        msg = ws.receive_json()
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind} message")


def test_check_remedies_over_the_socket(app):
    with client(app) as c, c.websocket_connect("ws://127.0.0.1:8000/ws/playground") as ws:
        ws.send_json({"op": "config", "config": {"hidden": [8] * 6, "activation": "sigmoid",
                                                 "init": "small", "n_samples": 200}})
        _next(ws, "reset")
        for _ in range(300):
            ws.send_json({"op": "step"})
        frame = None
        while frame is None or frame["step"] < 300:
            frame = _next(ws, "frame")
        assert "vanishing_gradients" in [f["kind"] for f in frame["findings"]]
        ws.send_json({"op": "check", "kind": "vanishing_gradients"})
        checked = _next(ws, "checked")
        assert any(r["removed"] for r in checked["remedies"])
        ws.send_json({"op": "check", "kind": "overfitting"})
        assert "no 'overfitting' finding" in _next(ws, "error")["message"]


def test_the_runs_api_serves_the_database(app, db_path):
    with RunDB(db_path) as db:
        first = db.record_run("train", "finished", name="a", config={"lr": 0.1},
                              epochs=[{"loss": 1.0}, {"loss": 0.5}])
        second = db.record_run("train", "finished", name="b", config={"lr": 0.2},
                               epochs=[{"loss": 0.9}])
    with client(app) as c:
        listed = c.get("/api/runs?kind=train").json()
        assert listed["total"] == 2 and [r["id"] for r in listed["runs"]] == [second, first]
        detail = c.get(f"/api/runs/{first}").json()
        assert detail["series"]["loss"] == [[0, 1.0], [1, 0.5]]
        overlay = c.get(f"/api/overlay?ids={first},{second}").json()
        assert overlay["differences"] == {"lr": [0.1, 0.2]}
        csv = c.get(f"/api/runs/{first}/csv")
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines() == ["epoch,loss", "0,1.0", "1,0.5"]


def test_a_real_server_stops_cleanly_on_sigterm(tmp_path):
    proc, url = start_ui(tmp_path / "runs.db")
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url + "api/playground", timeout=10) as response:
        assert "spirals" in json.loads(response.read())["choices"]["dataset"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "evil.example"}),
                               timeout=10)
    assert refused.value.code == 403
    assert stop_ui(proc) == 0
    assert "tidu ui: stopped" in proc.stdout.read()


def test_a_non_loopback_host_gets_a_token_printed_once(tmp_path, monkeypatch):
    """`serve` on 0.0.0.0 (not bound here: the socket is a loopback one) makes a token,
    prints it once in the URL, says why, and builds the app with it."""
    import socket

    import uvicorn

    from tidu.ui import launch
    made = {}
    real_create = launch.create_app
    monkeypatch.setattr(launch, "bind", lambda host, port: socket.create_server(("127.0.0.1", 0)))
    monkeypatch.setattr(launch, "create_app",
                        lambda **kw: made.setdefault("app", (kw, real_create(**kw))))
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)
    lines = []
    launch.serve(host="0.0.0.0", port=8123, db=tmp_path / "r.db", log=lines.append)
    kwargs, app = made["app"]
    token = kwargs["token"]
    assert token and len(token) >= 20 and isinstance(app, AccessGuard) and app.token == token
    assert sum(token in line for line in lines) == 1
    assert "not loopback" in lines[0] and f"?token={token}" in lines[0]
    assert lines[-1] == "tidu ui: stopped"
    with client(app, where=REMOTE) as c:
        assert c.get("/").status_code == 403
        assert c.get(f"/?token={token}").status_code == 200


def test_access_guard_passes_lifespan_events_through():
    calls = []

    async def app(scope, receive, send):
        calls.append(scope["type"])
    import asyncio
    asyncio.run(AccessGuard(app)({"type": "lifespan"}, None, None))
    assert calls == ["lifespan"]


def test_closing_the_socket_stops_its_training(app):
    import time
    with client(app) as c:
        with c.websocket_connect("ws://127.0.0.1:8000/ws/playground") as ws:
            ws.send_json({"op": "config", "config": {"hidden": [8, 8]}})
            _next(ws, "reset")
            ws.send_json({"op": "play"})
            while _next(ws, "frame")["step"] < 50:
                pass
            (playground,) = app.app.state.playgrounds
        deadline = time.monotonic() + 10
        while app.app.state.playgrounds and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not app.app.state.playgrounds, "the closed socket's loop still runs"
        time.sleep(0.05)  # a step under way in the worker thread may finish
        step = playground.session.step
        time.sleep(0.5)
        assert playground.session.step == step  # no more training after the tab closed


def test_the_lab_api_says_whether_the_report_exists(db_path, tmp_path):
    report = tmp_path / "index.html"
    app = create_app(db_path=db_path, lab_report=str(report))
    with client(app) as c:
        lab = c.get("/api/lab").json()
        assert lab["report"] is False and len(lab["experiments"]) == 29
        assert {e["id"]: e["preset"] for e in lab["experiments"]}["E1"] == "vanishing"
        report.write_text("<title>tidu lab report</title>", encoding="utf-8")
        assert c.get("/api/lab").json()["report"] is True
        page = c.get("/lab/report")
        assert page.status_code == 200 and "tidu lab report" in page.text


def test_a_taken_port_is_one_clear_error(tmp_path):
    import socket

    from click.testing import CliRunner

    from tidu.cli import main
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        out = CliRunner().invoke(main, ["ui", "--port", str(port), "--db", str(tmp_path / "r.db")])
    assert out.exit_code != 0
    assert out.output.strip() == (f"Error: tidu ui: cannot listen on 127.0.0.1:{port} (Address "
                                  f"already in use); choose another --port")


def test_play_until_pauses_at_that_step(app):
    with client(app) as c, c.websocket_connect("ws://127.0.0.1:8000/ws/playground") as ws:
        ws.send_json({"op": "config", "config": {"hidden": [8, 8], "batch_size": 1}})
        _next(ws, "reset")
        ws.send_json({"op": "play", "until": "soon"})
        assert _next(ws, "error")["field"] == "until"
        ws.send_json({"op": "play", "until": 30})
        frame = _next(ws, "frame")
        while frame["step"] < 30:
            frame = _next(ws, "frame")
        assert frame["step"] == 30  # not a step more: it waits for a later `until`
        ws.send_json({"op": "play", "until": 45})
        while frame["step"] < 45:
            frame = _next(ws, "frame")
        assert frame["step"] == 45
