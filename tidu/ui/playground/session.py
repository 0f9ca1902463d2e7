r"""`Session`: one playground network being trained, step by step, and what the page shows
of it — the decision boundary (or fitted curve), loss and accuracy per epoch, the per-layer
gradient norms over steps, the update/weight ratio, dead and saturated units, and the
diagnosis' findings with the remedies that one click can apply.

Determinism: the data depend only on the configuration; the network's initialization, the
batch order, dropout masks and RReLU slopes draw from tidu's global generator, which a
session takes (under a lock) only while it trains, with its own saved state.  So the same
configuration gives the same run, whatever else trains beside it (A/B mode).
"""
from __future__ import annotations

import math
import threading
import time

import numpy as np

from ... import no_grad, tensor
from ...diagnose import GradientMonitor, diagnose
from ...nn.utils import clip_grad_norm_
from ...random import get_rng_state, manual_seed, set_rng_state
from ...regularization import l1_penalty, l2_penalty, regularized_parameters
from .build import make_data, make_loss, make_model, make_optimizer, make_scheduler
from .config import parse_config
from .remedies import remedy_patch

__all__ = ["Session", "GRID"]

GRID = 48               # the decision boundary is drawn on a GRID × GRID lattice
_MAX_POINTS = 300       # curves and heat maps are thinned to at most this many columns
_DIAGNOSE_EVERY = 0.5   # seconds between diagnoses while playing
_RECORD_DENSE = 500     # every step is recorded up to this step, then every (step // 500)-th
_RNG_LOCK = threading.Lock()


def _thin(n: int, limit: int = _MAX_POINTS) -> np.ndarray:
    """Indices of at most ``limit`` evenly spread items of ``n`` (the last one included)."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def _finite(values) -> list:
    """JSON-safe floats: NaN and ±inf become None."""
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, float).ravel()]


class Session:
    """``Session(config)``: build the data, network and optimizer of a (raw) configuration
    (see `parse_config`); `train` runs batches, `frame` returns what the page draws."""

    def __init__(self, config: dict | None = None):
        self.config = parse_config(config)
        c = self.config
        self.data = d = make_data(c)
        self.X_train, self.X_val = d.scale(d.X_train), d.scale(d.X_val)
        n_out = 1 if d.regression else d.n_classes
        with _RNG_LOCK:
            manual_seed(c["seed"])
            self.model = make_model(c, d.X_train.shape[1], n_out)
            self._rng = get_rng_state()
        self.batch_size = c["batch_size"] or len(self.X_train)  # 0: full batch
        self.batch_size = min(self.batch_size, len(self.X_train))
        self.steps_per_epoch = math.ceil(len(self.X_train) / self.batch_size)
        self.optimizer = make_optimizer(c, self.model.parameters())
        self.scheduler = make_scheduler(c, self.optimizer, self.steps_per_epoch)
        self.loss_fn = make_loss(c, d.n_classes)
        self.penalized = regularized_parameters(self.model)
        self.monitor = GradientMonitor(self.model, histogram_samples=0).attach()
        self.step = 0
        self.epoch_losses: list = []
        self.history = {"loss": [], "val_loss": []} if d.regression else \
            {"loss": [], "val_loss": [], "accuracy": [], "val_accuracy": []}
        self.diverged: dict | None = None
        self._order = None
        self._diagnosis, self._diagnosed_at = None, -1.0
        self._lock = threading.Lock()
        self._cancelled = False
        self._bounds = None

    # ------------------------------------------------------------------ training
    def _batch(self):
        position = self.step % self.steps_per_epoch
        if position == 0:
            self._order = np.random.default_rng(
                (self.config["seed"], self.step)).permutation(len(self.X_train))
        index = self._order[position * self.batch_size:(position + 1) * self.batch_size]
        return tensor(self.X_train[index]), tensor(self.data.y_train[index])

    def _loss(self, output, target):
        loss = self.loss_fn(output, target)
        if self.config["l1"] > 0:
            loss = loss + self.config["l1"] * l1_penalty(self.penalized)
        if self.config["l2"] > 0:
            loss = loss + self.config["l2"] * l2_penalty(self.penalized)
        return loss

    def _one_step(self) -> None:
        self.model.train()
        x, y = self._batch()
        self.optimizer.zero_grad()
        loss = self._loss(self.model(x), y)
        loss.backward()
        self.monitor.record(loss, step=self.step)
        if self.config["clip"] > 0:
            clip_grad_norm_(self.model.parameters(), self.config["clip"])
        value = float(loss.item())
        if not math.isfinite(value) or self.monitor.nonfinite_origin is not None:
            self._stop_diverged(value)
            return
        self.optimizer.step()
        self.monitor.record_update()
        if self.scheduler is not None:
            self.scheduler.step()
        self.step += 1
        # sparser records as the run grows keep a frame's cost flat (≈ 500·ln(steps/500) rows)
        self.monitor.every_n_steps = max(1, self.step // _RECORD_DENSE)
        self.epoch_losses.append(value)
        if self.step % self.steps_per_epoch == 0:
            self._end_epoch()

    def _stop_diverged(self, value: float) -> None:
        origin = self.monitor.nonfinite_origin or {}
        where = origin.get("where") or "loss"
        if where != "loss" and origin.get("module"):
            where = f"{where}, layer {origin.get('layer')} ({origin['module']})"
        self.diverged = {"step": self.step, "loss": value if math.isfinite(value) else None,
                         "where": where}

    def train(self, steps: int = 1, seconds: float | None = None) -> int:
        """Run up to ``steps`` batches, and no more than fit in ``seconds`` (at least one);
        stops at the first non-finite loss or gradient (see ``diverged``).  Returns how
        many ran."""
        done = 0
        deadline = None if seconds is None else time.perf_counter() + seconds
        with self._lock, _RNG_LOCK:
            set_rng_state(self._rng)
            try:
                while self._may_go_on(done, steps, deadline):
                    self._one_step()
                    done += 1
            finally:
                self._rng = get_rng_state()
        return done

    def _may_go_on(self, done: int, steps: int, deadline: float | None) -> bool:
        if self._cancelled or self.diverged is not None or done >= steps:
            return False
        return deadline is None or done == 0 or time.perf_counter() < deadline

    def cancel(self) -> None:
        """Stop training for good: a `train` running in another thread returns after its
        current step (the page was closed)."""
        self._cancelled = True

    # ------------------------------------------------------------------ evaluation
    def _predict(self, X: np.ndarray) -> np.ndarray:
        self.model.eval()
        with no_grad():
            out = self.model(tensor(X)).numpy()
        return out

    def _scores(self, X: np.ndarray, y: np.ndarray) -> tuple:
        out = self._predict(X)
        with no_grad():
            loss = float(self.loss_fn(tensor(out), tensor(y)).item())
        if self.data.regression:
            return loss, None
        return loss, float((out.argmax(axis=1) == y).mean())

    def _end_epoch(self) -> None:
        self.history["loss"].append(float(np.mean(self.epoch_losses)))
        self.epoch_losses = []
        val_loss, val_acc = self._scores(self.X_val, self.data.y_val)
        self.history["val_loss"].append(val_loss)
        if not self.data.regression:
            self.history["accuracy"].append(self._scores(self.X_train, self.data.y_train)[1])
            self.history["val_accuracy"].append(val_acc)

    # ------------------------------------------------------------------ what the page draws
    def bounds(self) -> list:
        """[x_min, x_max, y_min, y_max] of the drawing area: the data with a margin (the
        data never change, so it is computed once)."""
        if self._bounds is None:
            self._bounds = self._data_bounds()
        return self._bounds

    def _data_bounds(self) -> list:
        X = np.concatenate([self.data.X_train, self.data.X_val])
        if self.data.regression:
            lo, hi = float(X.min()), float(X.max())
            y = np.concatenate([self.data.y_train, self.data.y_val])
            pad = 0.1 * (float(y.max()) - float(y.min()) + 1e-9)
            return [lo, hi, float(y.min()) - pad, float(y.max()) + pad]
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.1 * (hi - lo + 1e-9)
        return [float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]),
                float(hi[1] + pad[1])]

    def points(self) -> dict:
        """The training and validation points (raw coordinates) for the plot."""
        d = self.data

        def pack(X, y):
            return {"x": _finite(X[:, 0]), "y": _finite(y if d.regression else X[:, 1]),
                    "label": [] if d.regression else y.astype(int).tolist()}
        return {"train": pack(d.X_train, d.y_train), "val": pack(d.X_val, d.y_val),
                "bounds": self.bounds(), "regression": d.regression,
                "n_classes": d.n_classes, "layers": [i.name for i in self.monitor.layers]}

    def surface(self) -> dict:
        """The decision boundary: the predicted class and its probability on the lattice
        (row-major, y from top to bottom), or the fitted curve for a regression."""
        x0, x1, y0, y1 = self.bounds()
        if self.data.regression:
            xs = np.linspace(x0, x1, 200, dtype=np.float32)[:, None]
            ys = self._predict(self.data.scale(xs))[:, 0]
            return {"curve": {"x": _finite(xs[:, 0]), "y": _finite(ys)}}
        gx, gy = np.meshgrid(np.linspace(x0, x1, GRID), np.linspace(y1, y0, GRID))
        lattice = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
        logits = self._predict(self.data.scale(lattice)).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        p = np.nan_to_num(p, nan=1.0 / p.shape[1])
        return {"grid": GRID, "classes": p.argmax(axis=1).tolist(),
                "confidence": np.round(p.max(axis=1), 2).tolist()}

    def _layer_stats(self, stats) -> dict:
        if len(stats.steps) == 0:
            return {"heat": {"steps": [], "log10_grad": []}, "update_ratio": [], "update_ratios": [],
                    "dead": None, "saturated": None}
        keep = _thin(len(stats.steps))
        with np.errstate(divide="ignore", invalid="ignore"):
            heat = np.log10(stats.grad_norm[keep])
        last = {name: getattr(stats, name)[-1] for name in ("update_ratio", "dead", "saturated")}

        def share(row):
            row = row[np.isfinite(row)]
            return float(row.mean()) if row.size else None
        return {"heat": {"steps": np.asarray(stats.steps)[keep].tolist(),
                         "log10_grad": [_finite(r) for r in heat]},
                "update_ratio": _finite(last["update_ratio"]),
                "update_ratios": [_finite(column) for column in stats.update_ratio[keep].T],
                "dead": share(last["dead"]), "saturated": share(last["saturated"])}

    def findings(self, force: bool = False, stats=None) -> list:
        """The diagnosis of the run so far (recomputed at most every half second unless
        ``force``): each finding with the remedies and whether the page can apply each."""
        now = time.perf_counter()
        if self.step == 0 and self.diverged is None:
            return []
        if force or self._diagnosis is None or now - self._diagnosed_at > _DIAGNOSE_EVERY:
            history = self.history if self.history["loss"] else None
            self._diagnosis = diagnose(
                self.monitor.stats if stats is None else stats, history=history, data=(self.X_train, self.data.y_train),
                val_data=(self.X_val, self.data.y_val), optimizer=self.optimizer)
            self._diagnosed_at = now
        return [{"kind": f.kind, "summary": f.summary,
                 "remedies": [{"key": r.key, "name": r.name, "term": r.term,
                               "applicable": remedy_patch(r.key, self.config) is not None}
                              for r in f.remedies]}
                for f in self._diagnosis]

    def check_remedies(self, kind: str, limit: int = 4) -> list:
        """Prove a finding's remedies: for each of its first ``limit`` remedies that a knob
        can apply, train the remedied configuration (same data, same seed) for as many
        steps as this run has taken (at least 200, at most 1500) and diagnose it.  Returns
        ``[{key, name, removed, findings, metrics, steps}]``: ``removed`` — the finding is
        absent from the remedied run's diagnosis."""
        self.findings(force=True)
        diagnosis = self._diagnosis or []
        finding = next((f for f in diagnosis if f.kind == kind), None)
        if finding is None:
            raise ValueError(f"check_remedies: no {kind!r} finding in this run's diagnosis; "
                             f"its findings are {[f.kind for f in diagnosis]}")
        steps = min(1500, max(200, self.step))
        out = []
        for remedy in finding.remedies:
            patch = remedy_patch(remedy.key, self.config)
            if patch is None:
                continue
            trial = Session({**self.config, **patch})
            trial.train(steps=steps)
            kinds = [f["kind"] for f in trial.findings(force=True)]
            out.append({"key": remedy.key, "name": remedy.name, "removed": kind not in kinds,
                        "findings": kinds, "steps": trial.step,
                        "metrics": {k: (v[-1] if v else None) for k, v in trial.history.items()}})
            trial.monitor.detach()
            if len(out) == limit:
                break
        return out

    def curves(self) -> dict:
        n = len(self.history["loss"])
        keep = _thin(n)
        out = {"epoch": (keep + 1).tolist()}
        for name, values in self.history.items():
            out[name] = _finite(np.asarray(values, float)[keep]) if n else []
        return out

    def frame(self, force_diagnosis: bool = False) -> dict:
        """Everything the page redraws after a batch of steps (JSON-safe)."""
        with self._lock:
            stats = self.monitor.stats
            lr = self.optimizer.param_groups[0]["lr"]
            latest = {k: (v[-1] if v else None) for k, v in self.history.items()}
            return {"type": "frame", "step": self.step, "epoch": self.step // self.steps_per_epoch,
                    "lr": float(lr), "metrics": {k: _finite([v])[0] if v is not None else None
                                                 for k, v in latest.items()},
                    "curves": self.curves(), **self.surface(), **self._layer_stats(stats),
                    "findings": self.findings(force_diagnosis, stats), "diverged": self.diverged}

    def run_record(self) -> dict:
        """What `RunDB.record_run` stores for this run: config, per-epoch metrics, final."""
        epochs = [{k: v[i] for k, v in self.history.items()}
                  for i in range(len(self.history["loss"]))]
        final = dict(epochs[-1]) if epochs else {}
        final["steps"] = float(self.step)
        return {"config": {"playground": self.config}, "epochs": epochs, "metrics": final,
                "seed": self.config["seed"]}
