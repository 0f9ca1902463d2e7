"""How `tidu bench` measures: interleaved epoch timing, peak memory, the matmul peak.

Timing.  For each workload both libraries train their own copy of the model (same initial
weights, same batches — float32, or int64 characters for a token workload —, same
optimizer) in this process, interleaved epoch by epoch — tidu, PyTorch, tidu, PyTorch, … —
first ``warmup`` untimed pairs, then ``pairs`` timed ones.  What is timed is one whole training epoch: for every batch zero_grad,
forward, cross-entropy, backward and the optimizer step (the batches are prepared before
the clock starts).  Before each epoch the garbage collector runs (untimed); on a GPU the
device is synchronized before the clock is read, at both ends.  Interleaving makes a slow
spell of the machine hit both libraries alike, and the per-pair ratios show how steady
the machine was.

Threads.  ``torch.set_num_threads(n)`` for PyTorch, ``threadpoolctl.threadpool_limits(n,
"blas")`` for NumPy's BLAS (which does tidu's matmuls), for the whole run.

Peak memory.  Each library trains one epoch in a fresh subprocess (`main`:
``python -c "…harness import main; main()" memory WORKLOAD LIB …``, with ``--batch``,
``--samples``, ``--width`` for a `workloads.variant`) that imports only that
library (and NumPy; for tidu also its compiled kernels' Numba, `tidu.kernels.preload`,
as PyTorch's import loads its compiled libraries), builds the data, the model and the optimizer, and then reports how far
the resident set size rose above its value right before the epoch: Linux's peak RSS (VmHWM)
is reset first through /proc/self/clear_refs, so the figure is the epoch's own peak —
activations, gradients, optimizer state, workspaces, allocator caches, and the one-time
costs of a first epoch (thread pools, kernel caches) — and not the imports, the data or the
weights.  Elsewhere the rise of ``getrusage().ru_maxrss`` is used (a lower bound).  The
PyTorch subprocess runs with glibc's default malloc settings (TIDU_MALLOC=system), as a
plain PyTorch program would; the tidu one with tidu's own.  On a GPU the figure is the
growth, during the epoch, of the memory held by each library's caching allocator
(torch.cuda.max_memory_reserved, CuPy's default pool total_bytes).

Matmul peak.  The best of a few float32 ``a @ b`` products of two square matrices, with
NumPy and with PyTorch (CuPy and PyTorch CUDA on a GPU) under the same thread count,
measured before and after the workloads (a peak is a maximum: a busy spell must not lower
it); the machine's peak is the larger GFLOP/s (2·n³ / seconds).
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .workloads import (WORKLOADS, Workload, batches, build_model, build_pair, check_names,
                        epoch_flops, first_loss, make_optimizer, variant, workload_data)

DEFAULT_PAIRS, DEFAULT_WARMUP = 7, 1
QUICK_PAIRS, QUICK_WARMUP = 2, 1
MATMUL_SIZE, QUICK_MATMUL_SIZE, MATMUL_REPEATS = 2048, 512, 5
NOISY_SPREAD = 1.5  # max/min of the per-pair ratios above which the machine was probably busy
MEMORY_TIMEOUT_S = 600
SUBPROCESS_CODE = "import sys; from tidu.bench.harness import main; main(sys.argv[1:])"

TORCH_MISSING = ("tidu bench compares against PyTorch, which is not installed: "
                 "pip install 'tidu[dev]'")
CUDA_MISSING = "--device cuda needs a CUDA GPU with CuPy and PyTorch CUDA: "


class BenchError(Exception):
    """A benchmark that cannot run at all (no PyTorch, no GPU, unknown workload)."""


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class Settings:
    """What to run and how: workload names, timed and warm-up pairs, threads, device."""

    names: tuple
    pairs: int
    warmup: int
    threads: int
    device: str = "cpu"
    quick: bool = False
    seed: int = 0
    memory: bool = True


def make_settings(names=(), pairs=None, warmup=None, threads=None, device="cpu",
                  quick=False, seed=0, memory=True) -> Settings:
    """Settings with the defaults filled in (``--quick``: fewer pairs); a BenchError for
    unknown workload names or a bad count."""
    try:
        names = check_names(names)
    except ValueError as exc:
        raise BenchError(str(exc)) from None
    if device not in ("cpu", "cuda"):
        raise BenchError(f"unknown device {device!r}: 'cpu' or 'cuda'")
    pairs = (QUICK_PAIRS if quick else DEFAULT_PAIRS) if pairs is None else pairs
    warmup = (QUICK_WARMUP if quick else DEFAULT_WARMUP) if warmup is None else warmup
    threads = threads or os.cpu_count() or 1
    if pairs < 1 or warmup < 0 or threads < 1:
        raise BenchError("pairs and threads must be at least 1, warmup at least 0")
    return Settings(tuple(names), pairs, warmup, threads, device, quick, seed, memory)


# --------------------------------------------------------------------------- libraries
def import_torch():
    """PyTorch, or a BenchError saying how to install it."""
    try:
        import torch
    except ImportError:
        raise BenchError(TORCH_MISSING) from None
    return torch


def check_device(device: str, torch) -> None:
    """Nothing for the CPU; for CUDA a BenchError with every reason it cannot run."""
    if device != "cuda":
        return
    reasons = []
    if torch.version.cuda is None:
        reasons.append(f"this PyTorch ({torch.__version__}) is built without CUDA")
    elif not torch.cuda.is_available():
        reasons.append("torch.cuda.is_available() is False (no usable GPU)")
    try:
        import cupy  # noqa: F401
    except Exception as exc:  # noqa: BLE001 — ImportError, or a CUDA library failing to load
        reasons.append(f"CuPy cannot be imported ({type(exc).__name__}: {exc})")
    if reasons:
        raise BenchError(CUDA_MISSING + "; ".join(reasons))


def synchronizer(device: str, libs=("tidu", "torch")):
    """A function that waits for the GPU work queued by ``libs`` (tidu's is CuPy's);
    a no-op on the CPU."""
    if device != "cuda":
        return lambda: None
    waits = []
    if "tidu" in libs:
        import cupy
        waits.append(lambda: cupy.cuda.Device().synchronize())
    if "torch" in libs:
        import torch
        waits.append(torch.cuda.synchronize)

    def sync():
        for wait in waits:
            wait()

    return sync


@contextlib.contextmanager
def thread_limit(threads: int, torch=None):
    """Run the block with ``threads`` threads for NumPy's BLAS and (given) PyTorch."""
    from threadpoolctl import threadpool_limits
    before = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads, user_api="blas"):
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(before)


# --------------------------------------------------------------------------- training
@dataclass
class Trainer:
    """One library's side of a workload: its model, optimizer and batches (on the device)."""

    lib: str
    model: object
    optimizer: object
    data: list

    def epoch(self):
        """One training epoch (zero_grad, forward, cross-entropy, backward, step per
        batch); returns the last batch's loss tensor (not read, so nothing syncs)."""
        if self.lib == "tidu":
            from tidu.nn.functional import cross_entropy
        else:
            from torch.nn.functional import cross_entropy
        model, opt = self.model, self.optimizer
        loss = None
        for xb, yb in self.data:
            opt.zero_grad()
            loss = cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        return loss


def to_device_batches(lib: str, data: list, device: str) -> list:
    """The NumPy batches as ``lib`` tensors on ``device`` (PyTorch shares the CPU memory)."""
    if lib == "tidu":
        from tidu import Tensor
        kw = {"device": "cuda"} if device == "cuda" else {}
        return [(Tensor(xb, **kw), Tensor(yb, **kw)) for xb, yb in data]
    import torch
    return [(torch.from_numpy(xb).to(device), torch.from_numpy(yb).to(device))
            for xb, yb in data]


def make_trainer(workload: Workload, lib: str, model, data: list, device: str) -> Trainer:
    """Move ``model`` to ``device`` (tidu: ``model.to("cuda")``), then build its optimizer
    and its device batches."""
    if device == "cuda":
        model.to("cuda")
    return Trainer(lib, model, make_optimizer(workload, lib, model),
                   to_device_batches(lib, data, device))


def timed_epoch(trainer: Trainer, sync) -> tuple:
    """(seconds, last-batch loss) of one epoch; gc runs first, the GPU is synchronized
    before each clock reading."""
    gc.collect()
    sync()
    start = time.perf_counter()
    loss = trainer.epoch()
    sync()
    seconds = time.perf_counter() - start
    return seconds, float(loss.item())


def interleave(ours: Trainer, ref: Trainer, pairs: int, warmup: int, sync) -> dict:
    """Epochs tidu, PyTorch, tidu, PyTorch, …: ``warmup`` untimed pairs, then ``pairs``
    timed ones.  Returns the per-epoch seconds and the last epoch's last-batch losses."""
    out = {"tidu": [], "torch": [], "loss_tidu": float("nan"), "loss_torch": float("nan")}
    for i in range(warmup + pairs):
        t_ours, out["loss_tidu"] = timed_epoch(ours, sync)
        t_ref, out["loss_torch"] = timed_epoch(ref, sync)
        if i >= warmup:
            out["tidu"].append(t_ours)
            out["torch"].append(t_ref)
    return out


# --------------------------------------------------------------------------- results
@dataclass
class Memory:
    """Peak memory of one epoch above the state before it (bytes), and how it was read."""

    peak_bytes: int
    baseline_bytes: int
    method: str

    @property
    def mb(self) -> float:
        return self.peak_bytes / 2**20


@dataclass
class WorkloadResult:
    """Everything measured for one workload; ``error`` is set when it could not run."""

    name: str
    samples: int
    batch: int
    optimizer: str
    times_tidu: list = field(default_factory=list)
    times_torch: list = field(default_factory=list)
    loss_tidu: float = float("nan")
    loss_torch: float = float("nan")
    initial_loss: tuple | None = None  # (tidu, PyTorch) on the first batch, eval mode
    memory_tidu: Memory | None = None
    memory_torch: Memory | None = None
    memory_error: str | None = None
    flops: int | None = None  # matmul FLOPs of one epoch (Linear-only networks)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.times_tidu)

    @property
    def median_tidu(self) -> float:
        return statistics.median(self.times_tidu)

    @property
    def median_torch(self) -> float:
        return statistics.median(self.times_torch)

    @property
    def ratio(self) -> float:
        """tidu/PyTorch of the median epoch times."""
        return self.median_tidu / self.median_torch

    @property
    def ratios(self) -> list:
        """tidu/PyTorch of each timed pair."""
        return [t / p for t, p in zip(self.times_tidu, self.times_torch)]

    @property
    def noisy(self) -> bool:
        r = self.ratios
        return bool(r) and max(r) > NOISY_SPREAD * min(r)

    def fraction(self, lib: str, peak_gflops: float) -> float | None:
        """Share of the matmul peak reached: epoch FLOPs / median epoch time / peak."""
        if self.flops is None or not self.ok or not peak_gflops:
            return None
        seconds = self.median_tidu if lib == "tidu" else self.median_torch
        return self.flops / seconds / (peak_gflops * 1e9)


@dataclass
class MatmulPeak:
    """Best float32 ``a @ b`` GFLOP/s of n×n matrices for each library; ``peak`` is the
    larger."""

    size: int
    repeats: int
    gflops: dict  # library name → GFLOP/s

    @property
    def peak(self) -> float:
        return max(self.gflops.values())

    def best_with(self, other: "MatmulPeak") -> "MatmulPeak":
        """The better of two measurements, library by library."""
        return MatmulPeak(self.size, self.repeats + other.repeats,
                          {k: max(v, other.gflops.get(k, 0.0)) for k, v in self.gflops.items()})


@dataclass
class BenchRun:
    """A whole `tidu bench` run: settings, machine, matmul peak, per-workload results."""

    settings: Settings
    machine: dict
    matmul: MatmulPeak
    results: list
    load_start: str
    load_end: str
    started: str
    seconds: float


# --------------------------------------------------------------------------- one workload
def run_workload(workload: Workload, settings: Settings, log=print) -> WorkloadResult:
    """Time ``workload`` interleaved and measure its memory; a failure of either library
    is recorded in the result (and logged), not raised."""
    samples = workload.sizes(settings.quick)
    result = WorkloadResult(workload.name, samples, workload.batch, workload.optimizer_text,
                            flops=epoch_flops(workload, samples))
    try:
        ours, ref = build_pair(workload, settings.seed)
        x, y = workload_data(workload, samples, settings.seed)
        result.initial_loss = first_loss(workload, ours, ref, x[:workload.batch],
                                         y[:workload.batch])
        data = batches(x, y, workload.batch)
        trainers = [make_trainer(workload, lib, model, data, settings.device)
                    for lib, model in (("tidu", ours), ("torch", ref))]
        timings = interleave(*trainers, settings.pairs, settings.warmup,
                             synchronizer(settings.device))
    except Exception as exc:  # noqa: BLE001 — a layer being written: report, go on
        result.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        log(f"{workload.name}: skipped — {result.error}")
        return result
    result.times_tidu, result.times_torch = timings["tidu"], timings["torch"]
    result.loss_tidu, result.loss_torch = timings["loss_tidu"], timings["loss_torch"]
    if settings.memory:
        measure_memories(result, settings, workload)
    log(f"{workload.name}: tidu {result.median_tidu:.3f} s/epoch, PyTorch "
        f"{result.median_torch:.3f} s/epoch, tidu/PyTorch {result.ratio:.2f}")
    return result


def measure_memories(result: WorkloadResult, settings: Settings,
                     workload: Workload | None = None) -> None:
    """Fill in both libraries' peak memory (subprocesses) of ``workload`` (by default the
    registered workload of ``result.name``); an error is kept as text."""
    workload = workload or WORKLOADS[result.name]
    try:
        result.memory_tidu = memory_subprocess(workload, "tidu", settings)
        result.memory_torch = memory_subprocess(workload, "torch", settings)
    except Exception as exc:  # noqa: BLE001
        result.memory_error = f"{type(exc).__name__}: {exc}".splitlines()[0]


# --------------------------------------------------------------------------- memory
def variant_args(workload: Workload, quick: bool) -> list:
    """The memory subprocess' options that rebuild ``workload`` when it is a `variant` of
    the registered one (another batch size, samples per epoch or hidden width)."""
    base, args = WORKLOADS[workload.name], []
    if workload.batch != base.batch:
        args += ["--batch", str(workload.batch)]
    if workload.sizes(quick) != base.sizes(quick):
        args += ["--samples", str(workload.sizes(quick))]
    if workload.width != base.width:
        args += ["--width", str(workload.width)]
    return args


def memory_subprocess(workload: Workload | str, lib: str, settings: Settings) -> Memory:
    """Run `memory_epoch` for ``lib`` in a fresh Python process and read its answer;
    ``workload`` is a registered name or a Workload (possibly a `variant`)."""
    if isinstance(workload, str):
        workload = WORKLOADS[workload]
    cmd = [sys.executable, "-c", SUBPROCESS_CODE, "memory", workload.name, lib,
           "--threads", str(settings.threads), "--device", settings.device,
           "--seed", str(settings.seed)] + (["--quick"] if settings.quick else []) \
        + variant_args(workload, settings.quick)
    env = dict(os.environ)
    here = str(Path(__file__).resolve().parents[2])  # the folder holding the tidu package
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    if lib == "torch":
        env["TIDU_MALLOC"] = "system"
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                          timeout=MEMORY_TIMEOUT_S)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or ["no output"]
        raise RuntimeError(f"{lib} memory subprocess failed: {lines[-1]}")
    return Memory(**json.loads(proc.stdout.strip().splitlines()[-1]))


def current_rss() -> int | None:
    """Resident set size now (bytes), from /proc/self/statm; None without /proc."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def reset_peak_rss() -> bool:
    """Reset Linux's peak RSS (VmHWM) to the current RSS; False where that is impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_hwm() -> int:
    """Peak RSS since the last reset (bytes), from VmHWM in /proc/self/status."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmHWM in /proc/self/status")


def maxrss_bytes() -> int:
    """getrusage's ru_maxrss in bytes (kilobytes on Linux, bytes on macOS)."""
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def memory_epoch(name: str, lib: str, threads: int, device: str = "cpu",
                 quick: bool = False, seed: int = 0, batch: int | None = None,
                 samples: int | None = None, width: int | None = None) -> Memory:
    """Build ``lib``'s model, optimizer and data for workload ``name`` (its `variant` when
    ``batch``, ``samples`` or ``width`` is given), then train one epoch and return the
    memory it needed above the state before it (see the module docstring).  Meant for a
    fresh process: it imports only ``lib`` (and NumPy)."""
    workload = variant(WORKLOADS[name], batch=batch, width=width, samples=samples)
    torch = import_torch() if lib == "torch" else None
    if lib == "tidu":
        from ..kernels import preload
        preload()  # Numba's libraries count as imports, like PyTorch's compiled ones
    with thread_limit(threads, torch):
        x, y = workload_data(workload, workload.sizes(quick), seed)
        trainer = make_trainer(workload, lib, build_model(workload, lib, seed),
                               batches(x, y, workload.batch), device)
        if device == "cuda":
            return _gpu_memory_epoch(trainer)
        gc.collect()
        baseline, before = current_rss(), maxrss_bytes()
        reset = baseline is not None and reset_peak_rss()
        trainer.epoch().item()
        if reset:
            return Memory(peak_rss_hwm() - baseline, baseline,
                          "peak RSS during one epoch (VmHWM reset via /proc/self/clear_refs) "
                          "minus RSS before it")
        return Memory(max(0, maxrss_bytes() - before), before,
                      "rise of getrusage ru_maxrss over one epoch (a lower bound)")


def _gpu_memory_epoch(trainer: Trainer) -> Memory:
    """Growth of the caching allocator's holdings during one epoch on the GPU."""
    sync = synchronizer("cuda", libs=(trainer.lib,))
    sync()
    if trainer.lib == "torch":
        import torch
        torch.cuda.reset_peak_memory_stats()
        baseline = torch.cuda.memory_reserved()
        trainer.epoch().item()
        sync()
        return Memory(torch.cuda.max_memory_reserved() - baseline, baseline,
                      "growth of torch.cuda.max_memory_reserved over one epoch")
    import cupy
    pool = cupy.get_default_memory_pool()
    baseline = pool.total_bytes()
    trainer.epoch().item()
    sync()
    return Memory(pool.total_bytes() - baseline, baseline,
                  "growth of CuPy's default memory pool total_bytes over one epoch")


# --------------------------------------------------------------------------- matmul peak
def best_seconds(fn, repeats: int, sync=lambda: None) -> float:
    """The fastest of ``repeats`` calls of ``fn`` (after one untimed call)."""
    fn()
    sync()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - start)
    return best


def matmul_peak(torch, size: int, repeats: int = MATMUL_REPEATS,
                device: str = "cpu") -> MatmulPeak:
    """Best float32 n×n ``a @ b`` GFLOP/s of NumPy (CuPy on a GPU) and of PyTorch, under
    the thread limits in force."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size), dtype=np.float32) for _ in range(2))
    sync = synchronizer(device)
    if device == "cuda":
        import cupy
        arrays, array_lib = (cupy.asarray(a), cupy.asarray(b)), "CuPy"
    else:
        arrays, array_lib = (a, b), "NumPy"
    ta, tb = (torch.from_numpy(m).to(device) for m in (a, b))
    flop = 2 * size ** 3
    return MatmulPeak(size, repeats, {
        array_lib: flop / best_seconds(lambda: arrays[0] @ arrays[1], repeats, sync) / 1e9,
        "PyTorch": flop / best_seconds(lambda: ta @ tb, repeats, sync) / 1e9,
    })


# --------------------------------------------------------------------------- the machine
def load_average() -> str:
    """The 1, 5 and 15 minute load averages, or "unknown"."""
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except (OSError, AttributeError):
        return "unknown"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what `platform` knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def memory_total() -> str:
    """Physical memory in GiB, or "unknown"."""
    try:
        return f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        return "unknown"


def numpy_blas() -> str:
    """NumPy's BLAS libraries as threadpoolctl sees them (name, version, arch, threads)."""
    from threadpoolctl import threadpool_info
    pools = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(
        " ".join(str(p) for p in (i.get("internal_api"), i.get("version"),
                                  i.get("architecture"), i.get("threading_layer")) if p)
        + f", {i.get('num_threads')} threads" for i in pools) or "no BLAS found"


def torch_blas(torch) -> str:
    """PyTorch's BLAS (from its build configuration) and its CPU capability."""
    config = torch.__config__.show()
    blas = next((part.split("=", 1)[1] for part in config.replace(",", "\n").split()
                 if part.startswith("BLAS_INFO=")), "unknown")
    capability = next((line.split(":", 1)[1].strip() for line in config.splitlines()
                       if "CPU capability usage" in line), None)
    return blas + (f", CPU capability {capability}" if capability else "")


def kernels_text() -> str:
    """Which path tidu's hot loops take (`tidu.kernels`): Numba's version, or NumPy."""
    from .. import kernels
    if kernels.compiled():
        import numba
        return f"compiled, Numba {numba.__version__}"
    return "NumPy (TIDU_KERNELS=numpy or no Numba)"


def describe_machine(torch, threads: int, device: str) -> dict:
    """The facts a reader needs to judge the numbers: CPU, cores, RAM, OS, versions, BLAS."""
    import tidu
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    info = {
        "CPU": cpu_model(),
        "cores": f"{os.cpu_count()} logical" + (f", {affinity} usable by this process"
                                                  if affinity is not None else ""),
        "RAM": memory_total(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "NumPy": f"{np.__version__} (BLAS: {numpy_blas()})",
        "PyTorch": f"{torch.__version__} (BLAS: {torch_blas(torch)}, "
                   f"{torch.get_num_threads()} intra-op threads)",
        "tidu": f"{tidu.__version__} (kernels: {kernels_text()})",
        "threads": str(threads),
        "device": device,
    }
    if device == "cuda":
        import cupy
        info["GPU"] = torch.cuda.get_device_name()
        info["CuPy"] = cupy.__version__
    return info


# --------------------------------------------------------------------------- the run
def run(settings: Settings, log=print) -> BenchRun:
    """Run ``settings``' workloads (see the module docstring for the method)."""
    torch = import_torch()
    check_device(settings.device, torch)
    started = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    load_start, clock = load_average(), time.perf_counter()
    with thread_limit(settings.threads, torch):
        machine = describe_machine(torch, settings.threads, settings.device)
        size = QUICK_MATMUL_SIZE if settings.quick else MATMUL_SIZE
        peak = matmul_peak(torch, size, device=settings.device)
        log(f"matmul peak ({size}×{size} float32): " + ", ".join(
            f"{k} {v:.1f} GFLOP/s" for k, v in peak.gflops.items()))
        results = [run_workload(WORKLOADS[name], settings, log) for name in settings.names]
        peak = peak.best_with(matmul_peak(torch, size, device=settings.device))
    return BenchRun(settings, machine, peak, results, load_start, load_average(), started,
                    time.perf_counter() - clock)


# --------------------------------------------------------------------------- subprocess entry
def main(argv=None) -> None:
    """``memory WORKLOAD LIB [--threads N] [--device D] [--seed S] [--quick] [--batch B]
    [--samples N] [--width W]``: print
    `memory_epoch`'s result as one JSON line (run by `memory_subprocess` as
    ``python -c SUBPROCESS_CODE …``)."""
    parser = argparse.ArgumentParser(prog="tidu.bench.harness")
    sub = parser.add_subparsers(dest="command", required=True)
    mem = sub.add_parser("memory", help="peak memory of one epoch of one library")
    mem.add_argument("workload", choices=list(WORKLOADS))
    mem.add_argument("lib", choices=["tidu", "torch"])
    mem.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    mem.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    mem.add_argument("--seed", type=int, default=0)
    mem.add_argument("--quick", action="store_true")
    mem.add_argument("--batch", type=int, default=None, help="a variant's batch size")
    mem.add_argument("--samples", type=int, default=None, help="a variant's samples per epoch")
    mem.add_argument("--width", type=int, default=None, help="a variant's hidden width")
    args = parser.parse_args(argv)
    memory = memory_epoch(args.workload, args.lib, args.threads, args.device, args.quick,
                          args.seed, batch=args.batch, samples=args.samples, width=args.width)
    print(json.dumps(memory.__dict__))
