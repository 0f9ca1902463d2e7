"""Resuming `fit` from a tampered or damaged checkpoint: one SerializationError naming the file
and the missing or mistyped field — never a KeyError('rng') halfway through — and nothing of
the file applied to the model, the optimizer or the random states."""
import copy
import random
import re

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.serialization import SerializationError
from tidu.train import EarlyStopping, Regularizer, fit


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((20, 4)).astype(np.float32), rng.integers(0, 2, 20)


def _run(path, epochs, resume=False, seed=0):
    """A small model trained with momentum, a penalty and EarlyStopping (so the checkpoint
    holds optimizer, callback and accumulator state); returns the model."""
    tidu.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 2))
    opt = tidu.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    fit(model, nn.CrossEntropyLoss(), opt, _data(), val_data=_data(), epochs=epochs,
        batch_size=5, verbose=0, metrics=["accuracy"], checkpoint=path, resume=resume,
        callbacks=[EarlyStopping(patience=3), Regularizer("l2", lam=1e-3)])
    return model


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """The state saved after one epoch of two."""
    path = tmp_path_factory.mktemp("ckpt") / "run.npz"
    _run(path, epochs=1)
    return tidu.load(path)


def _at(state, field):
    *parents, last = field.split("/")
    for key in parents:
        state = state[int(key) if isinstance(state, list) else key]
    return state, (int(last) if isinstance(state, list) else last)


def _delete(field):
    def tamper(state):
        parent, key = _at(state, field)
        del parent[key]
    return tamper


def _set(field, value):
    def tamper(state):
        parent, key = _at(state, field)
        parent[key] = value(parent[key]) if callable(value) else value
    return tamper


CASES = {
    # missing fields
    "no_rng": (_delete("rng"), "has no field 'rng'"),
    "no_epoch": (_delete("progress/epoch"), "has no field 'progress/epoch'"),
    "no_model": (_delete("model"), "has no field 'model'"),
    "no_optimizer": (_delete("optimizer"), "has no field 'optimizer'"),
    "no_progress": (_delete("progress"), "has no field 'progress'"),
    "no_accumulators": (_delete("accumulators"), "has no field 'accumulators'"),
    "no_numpy_rng": (_delete("rng/numpy"), "has no field 'rng/numpy'"),
    "no_param_groups": (_delete("optimizer/param_groups"), "has no field 'optimizer/param_groups'"),
    "no_loader_rng": (_delete("train_loader/rng_state"), "has no field 'train_loader/rng_state'"),
    "no_history": (_delete("history"), "has no field 'history'"),
    "no_stop_training": (_delete("stop_training"), "has no field 'stop_training'"),
    "no_format": (_delete("format"), "is not a tidu.train checkpoint .*'format' is missing"),
    "foreign_format": (_set("format", "keras"), "'format' is 'keras'"),
    "no_version": (_delete("version"), "has checkpoint version missing"),
    "future_version": (_set("version", 99), "has checkpoint version 99"),
    # mistyped fields
    "epoch_str": (_set("progress/epoch", "3"),
                  r"field 'progress/epoch': expected an int ≥ 0, found str '3'"),
    "epoch_negative": (_set("progress/epoch", -1), r"'progress/epoch': expected an int ≥ 0"),
    "epoch_float": (_set("progress/epoch", 1.0),
                    r"'progress/epoch': expected an int ≥ 0, found float"),
    "finished_int": (_set("progress/epoch_finished", 1),
                     "'progress/epoch_finished': expected a bool"),
    "model_list": (_set("model", [1, 2]), "'model': expected a mapping, found list"),
    "weight_str": (_set("model/0.weight", "abc"), "'model/0.weight': expected an array, found str"),
    "optimizer_int": (_set("optimizer", 5), "'optimizer': expected a mapping, found int"),
    "lr_str": (_set("optimizer/param_groups/0/lr", "fast"),
               "'optimizer/param_groups/0/lr': expected a number, found str"),
    "params_not_ints": (_set("optimizer/param_groups/0/params", ["a"]),
                        "'optimizer/param_groups/0/params/0': expected an int ≥ 0"),
    "rng_str": (_set("rng", "seed"), "'rng': expected a mapping, found str"),
    "numpy_rng_short_keys": (_set("rng/numpy", lambda v: (v[0], v[1][:10]) + tuple(v[2:])),
                             "'rng/numpy': expected np.random.get_state\\(\\)'s 5-tuple"),
    "numpy_rng_bad_name": (_set("rng/numpy", lambda v: ("PCG99",) + tuple(v[1:])),
                           "'rng/numpy': expected np.random.get_state"),
    "python_rng_short": (_set("rng/python", (3, (1, 2), None)),
                         "'rng/python': expected random.getstate\\(\\)'s 3-tuple"),
    "tidu_rng_unknown_generator": (_set("rng/tidu", {"bit_generator": "os.system", "state": {}}),
                                   "'rng/tidu': expected a NumPy bit generator state"),
    "tidu_rng_bad_state": (_set("rng/tidu", lambda v: {**v, "state": {"state": "x", "inc": 1}}),
                           "'rng/tidu': expected a NumPy bit generator state"),
    "loader_rng_list": (_set("train_loader/epoch_start_rng_state", [1, 2]),
                        "'train_loader/epoch_start_rng_state': expected a NumPy bit generator"),
    "history_epoch_strs": (_set("history/epoch", ["a"]),
                           "'history/epoch/0': expected an int ≥ 0"),
    "history_values_str": (_set("history/history/loss", "low"),
                           "'history/history/loss': expected a list"),
    "stop_training_str": (_set("stop_training", "no"),
                          "'stop_training': expected a bool, found str"),
    "outputs_str": (_set("accumulators/outputs", "x"),
                    "'accumulators/outputs': expected an array or None"),
    "penalty_str": (_set("accumulators/penalty_sums/l2_penalty", "big"),
                    "'accumulators/penalty_sums/l2_penalty': expected a number"),
    "callbacks_list": (_set("callbacks", []), "'callbacks': expected a mapping, found list"),
    "stop_reason_int": (_set("stop_reason", 3), "'stop_reason': expected a str or None, found int"),
}


def _weights(model):
    return {k: v.cpu().numpy().copy() for k, v in model.state_dict().items()}


def _tampered_copy(checkpoint, tamper):
    state = copy.deepcopy(checkpoint)
    state["model"] = dict(state["model"])  # an OrderedDict of arrays: deep-copied above
    tamper(state)
    return state


@pytest.mark.parametrize("case", sorted(CASES))
def test_tampered_checkpoint_gives_one_serialization_error(tmp_path, checkpoint, case):
    tamper, words = CASES[case]
    path = tmp_path / "run.npz"
    tidu.save(_tampered_copy(checkpoint, tamper), path)
    tidu.manual_seed(123)
    np_before, py_before = np.random.get_state()[1].copy(), random.getstate()
    try:
        _run(path, epochs=2, resume=True)
    except SerializationError as err:
        message = str(err)
        assert type(err) is SerializationError
        assert repr(str(path)) in message, message
        assert message.count(repr(str(path))) == 1, message
        assert re.search(words, message), message
    except BaseException as err:  # KeyError('rng'), TypeError, ... escaping is the failure
        pytest.fail(f"{case}: {type(err).__name__} escaped: {err!r}")
    else:
        pytest.fail(f"{case}: the tampered checkpoint was resumed from")
    # nothing of the file was applied: the global random states are those from before
    assert np.array_equal(np.random.get_state()[1], np_before) and random.getstate() == py_before


def test_tampering_is_caught_before_the_model_is_touched(tmp_path, checkpoint):
    path = tmp_path / "run.npz"
    tidu.save(_tampered_copy(checkpoint, _delete("rng")), path)  # rng is restored last
    tidu.manual_seed(7)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 2))
    before = _weights(model)
    opt = tidu.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(SerializationError, match="has no field 'rng'"):
        fit(model, nn.CrossEntropyLoss(), opt, _data(), val_data=_data(), epochs=2,
            batch_size=5, verbose=0, metrics=["accuracy"], checkpoint=path, resume=True,
            callbacks=[EarlyStopping(patience=3), Regularizer("l2", lam=1e-3)])
    after = _weights(model)
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert opt.state == {}


def test_the_untampered_checkpoint_resumes_to_the_uninterrupted_run(tmp_path, checkpoint):
    """The schema accepts what fit writes: resuming it ends where two straight epochs end."""
    path = tmp_path / "run.npz"
    tidu.save(checkpoint, path)
    resumed = _weights(_run(path, epochs=2, resume=True))
    straight = _weights(_run(tmp_path / "straight.npz", epochs=2))
    assert resumed.keys() == straight.keys()
    assert all(resumed[k].tobytes() == straight[k].tobytes() for k in resumed)


@pytest.mark.parametrize("damage, words", [
    (lambda data: data[:len(data) // 2], "truncated or corrupt"),
    (lambda data: b"", "empty"),
    (lambda data: b"\x80\x04" + data[2:], "pickle"),
])
def test_a_damaged_checkpoint_file_is_refused_on_resume(tmp_path, checkpoint, damage, words):
    path = tmp_path / "run.npz"
    tidu.save(checkpoint, path)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(SerializationError, match=words) as err:
        _run(path, epochs=2, resume=True)
    assert repr(str(path)) in str(err.value)
