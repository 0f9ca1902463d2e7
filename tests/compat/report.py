"""Print the corpus table: ``python -m tests.compat.report [-j JOBS] [--dir DIR] [NAME_SUBSTRING ...]``.

One row per script: does it run under PyTorch, under tidu through the shim, do the two
results agree, and the first error (tidu's traceback's last line, or the disagreeing keys).
Ends with the share of scripts that ran unchanged on tidu and agreed with PyTorch, overall
and, when both kinds ran, separately for the scripts used to drive tidu's fixes (01-29), for
the first held-out batch (30-44, marked ``[held-out]``; later also used to drive fixes) and
for the second held-out batch (45 and up, marked ``[held-out 2]``), written after the fixes
for 30-44, whose rate is not biased by any of them.

``--dir heldout3`` runs another folder of ``tests/compat`` instead of ``scripts/`` (a
measurement set the test suite does not collect, e.g. the third held-out batch 61+), each
script with that folder as its working directory; its rows are marked with the folder name.
"""
from __future__ import annotations

import argparse

from pathlib import Path

from tests.compat import corpus
from tests.compat.corpus import COMPAT_DIR, run_corpus, scripts


HELD_OUT_FROM = 30     # scripts numbered from here on were written after tidu's fixes
HELD_OUT_2_FROM = 45   # the second held-out batch, written after the fixes driven by 30-44


def _number(name: str) -> int:
    digits = name.split("_", 1)[0]
    return int(digits) if digits.isdigit() else -1


def is_held_out(name: str) -> bool:
    """Scripts 30+ were written after the fixes driven by 01-29 (both held-out batches)."""
    return _number(name) >= HELD_OUT_FROM


def is_held_out_2(name: str) -> bool:
    """Scripts 45+ were not used as a to-do list for tidu at all, so their rate is unbiased."""
    return _number(name) >= HELD_OUT_2_FROM


def _rate(label: str, outcomes: list) -> str:
    n, ran = len(outcomes), sum(o.tidu.ok for o in outcomes)
    agreed = sum(o.agree for o in outcomes)
    return (f"{label}: {ran}/{n} ({100 * ran / max(n, 1):.0f}%); "
            f"ran and agreed with PyTorch: {agreed}/{n} ({100 * agreed / max(n, 1):.0f}%)")


def table(outcomes, batch: str | None = None) -> str:
    """The report; ``batch`` names a folder run instead of ``scripts/`` (one rate, no split)."""
    rows = [("script", "torch ok", "tidu ok", "agree", "s torch/tidu", "first error")]
    for o in outcomes.values():
        if not o.torch.ok:
            err = "torch: " + o.torch.error
        elif not o.tidu.ok:
            err = o.tidu.error
        else:
            err = "; ".join(o.problems[:2])
        name = o.name + (f" [{batch}]" if batch else " [held-out 2]" if is_held_out_2(o.name)
                         else " [held-out]" if is_held_out(o.name) else "")
        rows.append((name, "yes" if o.torch.ok else "NO", "yes" if o.tidu.ok else "NO",
                     "yes" if o.agree else "NO", f"{o.torch.seconds:.1f}/{o.tidu.seconds:.1f}",
                     err[:150]))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r[:5], widths)) + " | " + r[5] for r in rows]
    lines.append("\n" + _rate("ran unchanged on tidu", list(outcomes.values())))
    if batch:
        return "\n".join(lines)
    held = [o for o in outcomes.values() if is_held_out(o.name)]
    used = [o for o in outcomes.values() if not is_held_out(o.name)]
    first = [o for o in held if not is_held_out_2(o.name)]
    second = [o for o in held if is_held_out_2(o.name)]
    if held and used:
        lines.append(_rate("  scripts 01-29 (drove the fixes), ran unchanged", used))
        lines.append(_rate("  held-out scripts 30+, ran unchanged", held))
    if first and second:
        lines.append(_rate("    first held-out batch 30-44, ran unchanged", first))
    if second and (first or used):
        lines.append(_rate("    second held-out batch 45+, ran unchanged", second))
    return "\n".join(lines)


def _run_in(folder, paths, jobs):
    """Run ``paths`` with ``folder`` (when given) as the scripts' working directory."""
    if folder is None:
        return run_corpus(paths, jobs=jobs)
    saved = corpus.SCRIPTS_DIR
    corpus.SCRIPTS_DIR = folder    # run_script's cwd; restored for any later scripts/ run
    try:
        return run_corpus(paths, jobs=jobs)
    finally:
        corpus.SCRIPTS_DIR = saved


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only scripts whose name contains one of these")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true", help="print each failing tidu run's output tail")
    parser.add_argument("--dir", default=None,
                        help="a folder of tests/compat to run instead of scripts/ (e.g. heldout3)")
    args = parser.parse_args(argv)
    folder = None if args.dir in (None, "scripts") else COMPAT_DIR / args.dir
    if folder is not None and not folder.is_dir():
        parser.error(f"--dir: expected a folder of {COMPAT_DIR}, got {args.dir!r}")
    pool = scripts() if folder is None else sorted(folder.glob("[0-9][0-9]*_*.py"))
    paths = [p for p in pool if not args.names or any(n in p.name for n in args.names)]
    outcomes = _run_in(folder, paths, args.jobs)
    print(table(outcomes, batch=None if folder is None else Path(folder).name))
    if args.verbose:
        for o in outcomes.values():
            if not o.agree:
                print(f"\n===== {o.name}\n{(o.tidu.output if o.torch.ok else o.torch.output)[-2500:]}")


if __name__ == "__main__":
    main()
