"""Frames per second of the playground, end to end: a real `tidu ui` server on 127.0.0.1
trains a network and sends frames over its WebSocket to a client that counts them (what
the page receives; drawing a frame in the browser takes a few milliseconds on top).

    python benchmarks/ui/frame_rate.py [--seconds 10] [--hidden 8,8] [--dataset spirals]

The issue's target: at least 10 updates a second for a 2×8 network on 2 cores.
"""
import argparse
import asyncio
import json
import os
import sys
import tempfile
import time

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
from tests.ui.conftest import start_ui, stop_ui  # noqa: E402


async def count_frames(url: str, config: dict, seconds: float) -> dict:
    async with websockets.connect(url.replace("http://", "ws://") + "ws/playground",
                                  max_size=2**24) as ws:
        await ws.send(json.dumps({"op": "config", "config": config}))
        while json.loads(await ws.recv())["type"] != "frame":
            pass
        await ws.send(json.dumps({"op": "play"}))
        frames, first_step, start = 0, None, time.perf_counter()
        gaps, last = [], start
        while time.perf_counter() - start < seconds:
            msg = json.loads(await ws.recv())
            if msg["type"] != "frame":
                continue
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
            frames += 1
            first_step = msg["step"] if first_step is None else first_step
            step = msg["step"]
        elapsed = time.perf_counter() - start
        gaps.sort()
        return {"frames_per_s": frames / elapsed, "steps_per_s": (step - first_step) / elapsed,
                "median_gap_ms": 1000 * gaps[len(gaps) // 2],
                "p95_gap_ms": 1000 * gaps[int(0.95 * (len(gaps) - 1))], "frames": frames,
                "last_step": step}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--hidden", default="8,8")
    parser.add_argument("--dataset", default="spirals")
    args = parser.parse_args()
    config = {"hidden": [int(w) for w in args.hidden.split(",")], "dataset": args.dataset}
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_ui(os.path.join(tmp, "runs.db"))
        try:
            result = asyncio.run(count_frames(url, config, args.seconds))
        finally:
            stop_ui(proc)
    print(f"hidden {config['hidden']} on {args.dataset}, {args.seconds:g} s, "
          f"{os.cpu_count()} cores: {result['frames_per_s']:.1f} frames/s, "
          f"{result['steps_per_s']:.0f} steps/s, gap between frames median "
          f"{result['median_gap_ms']:.0f} ms, p95 {result['p95_gap_ms']:.0f} ms "
          f"({result['frames']} frames, step {result['last_step']})")


if __name__ == "__main__":
    main()
