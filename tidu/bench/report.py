"""How `tidu bench` shows its results: the console table, the notes, the targets, and the
markdown report (machine, method, workloads, results table, targets)."""
from __future__ import annotations

import math

from .harness import NOISY_SPREAD, BenchRun, WorkloadResult
from .workloads import WORKLOADS

# The targets of the issue: (workload, target, its value from a result and the matmul peak,
# whether the value meets it, how the value is printed).
def _ratio_at_most(limit: float) -> tuple:
    return (f"tidu/PyTorch ≤ {limit:g}", lambda r, peak: r.ratio, lambda v: v <= limit, "{:.2f}")


# issue 15 (Performance 2.0): convolutions and recurrent layers at PyTorch's speed, every
# MLP below it
TARGETS = tuple((name, *_ratio_at_most(limit)) for name, limit in (
    ("mlp", 0.9), ("mlp1024", 0.9), ("mlp_bn_dropout", 0.9), ("resmlp20", 0.9),
    ("mlp2048", 0.9), ("cnn", 1.0), ("lstm", 1.0), ("gru2", 1.0))) + (
    ("mlp1024", "tidu reaches ≥ 50% of the matmul peak",
     lambda r, peak: r.fraction("tidu", peak), lambda v: v >= 0.5, "{:.0%}"),
)

HEADER = ("workload", "samples", "batch", "tidu s/epoch", "PyTorch s/epoch", "tidu/PyTorch",
          "pair min–max", "tidu peak MB", "PyTorch peak MB", "tidu % matmul peak",
          "PyTorch % matmul peak", "tidu last loss", "PyTorch last loss")
LEFT = {0}  # left-aligned columns; the others are numbers


# --------------------------------------------------------------------------- cells
def _num(value, fmt: str) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else fmt.format(value)


def row(result: WorkloadResult, peak_gflops: float) -> list:
    """One table row of a workload (dashes for what was not measured)."""
    head = [result.name, f"{result.samples:,}", str(result.batch)]
    if not result.ok:
        return head + ["skipped"] + ["—"] * (len(HEADER) - len(head) - 1)
    mem_t = result.memory_tidu.mb if result.memory_tidu else None
    mem_p = result.memory_torch.mb if result.memory_torch else None
    return head + [
        f"{result.median_tidu:#.4g}", f"{result.median_torch:#.4g}", f"{result.ratio:.2f}",
        f"{min(result.ratios):.2f}–{max(result.ratios):.2f}",
        _num(mem_t, "{:.1f}"), _num(mem_p, "{:.1f}"),
        _num(result.fraction("tidu", peak_gflops), "{:.0%}"),
        _num(result.fraction("torch", peak_gflops), "{:.0%}"),
        _num(result.loss_tidu, "{:.4f}"), _num(result.loss_torch, "{:.4f}"),
    ]


def rows(run: BenchRun) -> list:
    return [row(r, run.matmul.peak) for r in run.results]


# --------------------------------------------------------------------------- tables
def text_table(header, body) -> str:
    """A plain text table: columns padded to their widest cell, numbers right-aligned."""
    cells = [list(header)] + [list(r) for r in body]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(r):
        return "  ".join(c.ljust(w) if i in LEFT else c.rjust(w)
                         for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    return "\n".join([line(cells[0]), "  ".join("─" * w for w in widths)]
                     + [line(r) for r in cells[1:]])


def markdown_table(header, body, left=LEFT) -> str:
    """A GitHub markdown table, numbers (columns not in ``left``) right-aligned."""
    align = ["---" if i in left else "---:" for i in range(len(header))]
    return "\n".join("| " + " | ".join(r) + " |" for r in [list(header), align, *body])


# --------------------------------------------------------------------------- notes, targets
def notes(run: BenchRun) -> list:
    """Remarks a reader must see next to the numbers: skipped workloads, memory failures,
    a loaded machine, initial losses that differ, dropout's own draws."""
    out = []
    for r in run.results:
        if r.error:
            out.append(f"{r.name}: skipped — {r.error}")
            continue
        if r.noisy:
            out.append(f"{r.name}: the per-pair ratios vary by more than {NOISY_SPREAD}× "
                       f"({min(r.ratios):.2f}–{max(r.ratios):.2f}): the machine was probably "
                       f"loaded (load average at the end {run.load_end}); run again on an "
                       f"idle machine, or with fewer --threads")
        if r.initial_loss and not math.isclose(*r.initial_loss, rel_tol=1e-4, abs_tol=1e-5):
            out.append(f"{r.name}: the initial losses differ (tidu {r.initial_loss[0]:.6f}, "
                       f"PyTorch {r.initial_loss[1]:.6f}): the models do not start alike")
        if any((r.fraction(lib, run.matmul.peak) or 0) > 1 for lib in ("tidu", "torch")):
            out.append(f"{r.name}: above 100% of the measured matmul peak: the peak was "
                       f"probably measured during a busy spell")
        if r.memory_error:
            out.append(f"{r.name}: peak memory not measured — {r.memory_error}")
        out += [f"{r.name}: {n}" for n in WORKLOADS[r.name].notes]
    return out


def targets(run: BenchRun) -> list:
    """(workload, target, value text, "met" / "not met" / "not measured") of each target."""
    by_name = {r.name: r for r in run.results}
    out = []
    for name, what, value_of, test, fmt in TARGETS:
        result = by_name.get(name)
        value = value_of(result, run.matmul.peak) if result is not None and result.ok else None
        if value is None:
            out.append((name, what, "—", "not measured"))
        else:
            out.append((name, what, fmt.format(value), "met" if test(value) else "not met"))
    return out


def summary(run: BenchRun) -> str:
    """One line: versions, threads, device, pairs, load average."""
    m, s = run.machine, run.settings
    return (f"tidu {m['tidu']} vs PyTorch {m['PyTorch'].split()[0]} on {s.device} "
            f"({m['CPU']}, {s.threads} threads), float32, {s.warmup} warm-up + {s.pairs} "
            f"timed pairs interleaved{' (quick)' if s.quick else ''}; load average "
            f"{run.load_start} → {run.load_end}; matmul peak {run.matmul.peak:.1f} GFLOP/s")


def console(run: BenchRun) -> str:
    """The console report: summary line, the table, the notes, the targets."""
    parts = [summary(run), "", text_table(HEADER, rows(run))]
    if notes(run):
        parts += [""] + [f"note: {n}" for n in notes(run)]
    parts += ["", "targets:"] + [f"  {name:8s} {what}: {value} — {status}"
                                 for name, what, value, status in targets(run)]
    parts += ["", f"peak memory: {memory_method(run)}"]
    return "\n".join(parts)


# --------------------------------------------------------------------------- markdown
def memory_method(run: BenchRun) -> str:
    """How the peak memory was measured (from the subprocesses' own account)."""
    methods = {m.method for r in run.results for m in (r.memory_tidu, r.memory_torch) if m}
    what = "; ".join(sorted(methods)) or "not measured"
    return (f"{what}; each library alone in a fresh subprocess, after its imports, data, model "
            f"and optimizer were built (so the figure is what training adds: activations, "
            f"gradients, optimizer state, workspaces, allocator caches, and a first epoch's "
            f"one-time costs such as thread pools)")


def method(run: BenchRun) -> str:
    """The method section of the markdown report."""
    s = run.settings
    return "\n".join([
        f"- **Interleaved**: per workload, epochs alternate tidu, PyTorch, tidu, PyTorch, … in "
        f"one process: {s.warmup} untimed warm-up pair(s), then {s.pairs} timed pairs. A slow "
        f"spell of the machine hits both alike; the per-pair ratios (min–max) show how steady "
        f"it was (a spread above {NOISY_SPREAD}× is flagged).",
        "- **Timed**: one whole training epoch — per batch `zero_grad`, forward, cross-entropy, "
        "backward, optimizer step. The batches are prepared before the clock starts; the "
        "garbage collector runs before each epoch (untimed)"
        + ("; the GPU is synchronized before each clock reading." if s.device == "cuda"
           else "."),
        "- **Same work**: same float32 synthetic data (standard normal inputs, labels 0…9 from "
        "a fixed random linear teacher), same initial weights (PyTorch's initialization copied "
        "into tidu with `load_state_dict`), same optimizer and hyper-parameters, same batches "
        "in the same order. The last-batch loss of each library shows both train the same thing."
        + token_data_note(run),
        f"- **Threads**: {s.threads} for both: `torch.set_num_threads({s.threads})` and "
        f"`threadpoolctl.threadpool_limits({s.threads}, \"blas\")` for NumPy's BLAS. Both "
        "libraries share the process, so PyTorch also runs under tidu's malloc tuning "
        "(raised glibc mmap/trim thresholds).",
        "- **Reported**: median seconds per epoch of each library; tidu/PyTorch = ratio of the "
        "medians, with the smallest and largest per-pair ratio.",
        f"- **Peak memory** (MB = 2²⁰ bytes): {memory_method(run)}.",
        f"- **Matmul peak**: best of {run.matmul.repeats} float32 {run.matmul.size}×"
        f"{run.matmul.size} `a @ b` (2·n³ FLOPs) per library under the same threads, half "
        f"before and half after the workloads: "
        + ", ".join(f"{k} {v:.1f} GFLOP/s" for k, v in run.matmul.gflops.items())
        + f"; peak = {run.matmul.peak:.1f} GFLOP/s. For the Linear-only networks, % matmul "
        "peak = matmul FLOPs per epoch / median epoch time / peak, with N samples and Linear "
        "layers of sizes (inᵢ, outᵢ): forward 2·N·Σ inᵢ·outᵢ, weight gradients the same, "
        "input gradients the same without the first layer (its input is the data, whose "
        "gradient neither library computes), i.e. 6·N·Σ inᵢ·outᵢ − 2·N·in₁·out₁ (the plain "
        "6·N·Σ convention would count a third more for the 784-256-256-10 MLP). Biases, "
        "activations, BatchNorm, loss and optimizer are not counted.",
    ])


def token_data_note(run: BenchRun) -> str:
    """A sentence on the int64 token data of the workloads that take characters (empty
    when none of them ran), appended to the method's "same work" item."""
    names = [r.name for r in run.results if WORKLOADS[r.name].vocab is not None]
    if not names:
        return ""
    return (f" {', '.join(names)} take int64 character indices instead (uniform over the "
            f"vocabulary), labelled by a fixed random linear teacher of each sequence's "
            f"character counts.")


def machine(run: BenchRun) -> str:
    """The machine section of the markdown report."""
    lines = [f"- **{key}**: {value}" for key, value in run.machine.items()]
    lines += [f"- **load average** (1, 5, 15 min): {run.load_start} at the start, "
              f"{run.load_end} at the end",
              f"- **date**: {run.started} (the run took {run.seconds:.0f} s)"]
    return "\n".join(lines)


def workloads_section(run: BenchRun) -> str:
    """One line per workload: model, batch, samples per epoch, optimizer."""
    out = []
    for r in run.results:
        w = WORKLOADS[r.name]
        out.append(f"- **{w.name}**: {w.description}; batch {w.batch}, {r.samples:,} samples "
                   f"per epoch, {w.optimizer_text}, cross-entropy"
                   + "".join(f"; {n}" for n in w.notes))
    return "\n".join(out)


def markdown(run: BenchRun, command: str = "tidu bench") -> str:
    """The whole markdown report."""
    s = run.settings
    target_rows = [[name, what, value, f"**{status}**" if status == "met" else status]
                   for name, what, value, status in targets(run)]
    parts = [
        f"# tidu vs PyTorch ({s.device.upper() if s.device == 'cuda' else 'CPU'}), side by side",
        "",
        f"Generated by `{command}`"
        + (" in quick mode (tiny sizes: a smoke test, not a benchmark)" if s.quick else "")
        + ". Lower tidu/PyTorch is better for tidu.",
        "", "## Machine", "", machine(run),
        "", "## Method", "", method(run),
        "", "## Workloads", "", workloads_section(run),
        "", "## Results", "", markdown_table(HEADER, rows(run)),
    ]
    if notes(run):
        parts += ["", "Notes:", ""] + [f"- {n}" for n in notes(run)]
    parts += ["", "## Targets", "",
              markdown_table(("workload", "target", "measured", "status"), target_rows,
                             left={0, 1, 3}), ""]
    return "\n".join(parts)
