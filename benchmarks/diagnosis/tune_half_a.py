"""Threshold sweep on half A of the planted-bug benchmark, scored on both halves.

Each case is trained once (checkup, the benchmark's settings); the recorded run (monitor,
History, data, optimizer) is then re-diagnosed under each candidate `Thresholds` — one field
at a time ×0.5 and ×2 (fractions kept below 1) — without training again.  A change is
proposed only if it raises half A's hits without adding a false alarm on half A; half B is
reported before and after, never used to choose.

    python benchmarks/diagnosis/tune_half_a.py
"""
import dataclasses
import warnings

from tidu.diagnose.benchmark import CASES
from tidu.diagnose.checkup import checkup
from tidu.diagnose.diagnosis import Thresholds, diagnose


def record():
    runs = []
    for case in CASES:
        kw = case.build()
        d = checkup(**kw)
        runs.append((case, d, kw))
    return runs


def score(runs, t, half):
    hits = alarms = faulty = healthy = 0
    for case, d, kw in runs:
        if case.half != half:
            continue
        if d.monitor is None:  # checkup stopped before training (NaN in the data)
            kinds = d.kinds
        else:
            kinds = diagnose(d.monitor, d.history, kw["train_data"], val_data=kw["val_data"],
                             optimizer=kw["optimizer"], thresholds=t).kinds
        if case.planted is None:
            healthy += 1
            alarms += bool(kinds)
        else:
            faulty += 1
            hits += bool(kinds) and kinds[0] == case.planted
    return hits, faulty, alarms, healthy


def main():
    warnings.simplefilter("ignore")
    runs = record()
    base = Thresholds()
    fmt = lambda s: f"hits {s[0]}/{s[1]}, false alarms {s[2]}/{s[3]}"
    a0, b0 = score(runs, base, "A"), score(runs, base, "B")
    print(f"defaults: A {fmt(a0)}; B {fmt(b0)}")
    proposals = []
    for f in dataclasses.fields(Thresholds):
        for factor in (0.5, 2.0):
            value = getattr(base, f.name) * factor
            if f.name in Thresholds._FRACTIONS and value >= 1:
                continue
            t = dataclasses.replace(base, **{f.name: value})
            a = score(runs, t, "A")
            mark = ""
            if a[0] > a0[0] and a[2] <= a0[2]:
                mark = "  <- proposed"
                proposals.append((f.name, value))
            if a != a0 or mark:
                print(f"{f.name}={value:g}: A {fmt(a)}; B {fmt(score(runs, t, 'B'))}{mark}")
    if proposals:
        t = dataclasses.replace(base, **dict(proposals))
        print(f"all proposals {proposals}: A {fmt(score(runs, t, 'A'))}; "
              f"B {fmt(score(runs, t, 'B'))}")
    else:
        print("no single-threshold change raises half A's hits without a false alarm")


if __name__ == "__main__":
    main()
