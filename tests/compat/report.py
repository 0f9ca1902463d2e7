"""Print the corpus table: ``python -m tests.compat.report [-j JOBS] [NAME_SUBSTRING ...]``.

One row per script: does it run under PyTorch, under tidu through the shim, do the two
results agree, and the first error (tidu's traceback's last line, or the disagreeing keys).
Ends with the share of scripts that ran unchanged on tidu and agreed with PyTorch.
"""
from __future__ import annotations

import argparse

from tests.compat.corpus import run_corpus, scripts


def table(outcomes) -> str:
    rows = [("script", "torch ok", "tidu ok", "agree", "s torch/tidu", "first error")]
    for o in outcomes.values():
        if not o.torch.ok:
            err = "torch: " + o.torch.error
        elif not o.tidu.ok:
            err = o.tidu.error
        else:
            err = "; ".join(o.problems[:2])
        rows.append((o.name, "yes" if o.torch.ok else "NO", "yes" if o.tidu.ok else "NO",
                     "yes" if o.agree else "NO", f"{o.torch.seconds:.1f}/{o.tidu.seconds:.1f}",
                     err[:150]))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r[:5], widths)) + " | " + r[5] for r in rows]
    n, ran = len(outcomes), sum(o.tidu.ok for o in outcomes.values())
    agreed = sum(o.agree for o in outcomes.values())
    lines.append(f"\nran unchanged on tidu: {ran}/{n} ({100 * ran / max(n, 1):.0f}%); "
                 f"ran and agreed with PyTorch: {agreed}/{n} ({100 * agreed / max(n, 1):.0f}%)")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only scripts whose name contains one of these")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true", help="print each failing tidu run's output tail")
    args = parser.parse_args(argv)
    paths = [p for p in scripts() if not args.names or any(n in p.name for n in args.names)]
    outcomes = run_corpus(paths, jobs=args.jobs)
    print(table(outcomes))
    if args.verbose:
        for o in outcomes.values():
            if not o.agree:
                print(f"\n===== {o.name}\n{(o.tidu.output if o.torch.ok else o.torch.output)[-2500:]}")


if __name__ == "__main__":
    main()
