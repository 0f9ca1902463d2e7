"""`tidu bench`: tidu and PyTorch train the same models side by side, in one run.

    from tidu.bench import run_bench, console, markdown
    run = run_bench(["mlp", "cnn"], threads=2)   # a BenchRun
    print(console(run))

Layout: `tidu.bench.workloads` is *what* is trained (the model pairs, their optimizers and
data), `tidu.bench.harness` *how* it is measured (interleaved timing, peak memory in a
subprocess, the matmul peak, the machine), `tidu.bench.report` how it is shown (console
table, markdown).  PyTorch is a dev dependency: it is imported only when a benchmark
runs, never by ``import tidu`` or ``import tidu.bench``.
"""
from .harness import BenchError, BenchRun, Settings, WorkloadResult, make_settings, run
from .report import console, markdown, targets
from .workloads import WORKLOADS, Workload, epoch_flops

__all__ = ["WORKLOADS", "BenchError", "BenchRun", "Settings", "Workload", "WorkloadResult",
           "console", "epoch_flops", "make_settings", "markdown", "run", "run_bench",
           "targets"]


def run_bench(names=(), *, pairs=None, warmup=None, threads=None, device="cpu", quick=False,
              seed=0, memory=True, log=print) -> BenchRun:
    """Benchmark the workloads ``names`` (all when empty) in tidu and PyTorch.

    ``pairs`` timed and ``warmup`` untimed interleaved epoch pairs (defaults 7 and 1;
    ``quick``: 2 and 1 on tiny data), ``threads`` for both libraries (default: all cores),
    ``device`` "cpu" or "cuda", ``memory=False`` skips the peak-memory subprocesses.
    Raises `BenchError` when it cannot run at all (unknown name, no PyTorch, no GPU).
    """
    return run(make_settings(names, pairs, warmup, threads, device, quick, seed, memory),
               log=log)
