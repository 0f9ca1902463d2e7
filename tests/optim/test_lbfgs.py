"""tidu.optim.LBFGS against torch.optim.LBFGS: the same float64 problem (least squares, logistic
regression, Rosenbrock) from the same start, parameters, returned loss and closure-call count
equal after every step(closure), with and without the strong-Wolfe line search; state_dict round
trips (also from PyTorch's); bad arguments."""
import doctest

import numpy as np
import pytest
import torch

import tidu
from tidu.errors import HyperParameterError, StateDictError
from tidu.optim import lbfgs as lbfgs_module

RTOL, ATOL = 1e-10, 1e-12
STEPS = 3


# ---------------------------------------------------------------------- problems
# each: (initial parameter arrays, loss(lib, params) with lib = tidu or torch)
def least_squares():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((20, 3)), rng.standard_normal((20, 2))
    def loss(lib, w, b):
        return ((lib.tensor(x) @ w + b - lib.tensor(y)) ** 2).mean()
    return [rng.standard_normal((3, 2)), rng.standard_normal(2)], loss


def logistic():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((30, 4))
    y = (x @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.3 * rng.standard_normal(30) > 0).astype(float)
    def loss(lib, w, b):
        z = lib.tensor(x) @ w + b
        return ((1 + z.exp()).log() - lib.tensor(y) * z).mean() + 1e-3 * (w * w).sum()
    return [0.1 * rng.standard_normal(4), np.zeros(1)], loss


def rosenbrock():
    def loss(lib, a, b):
        return ((1 - a) ** 2 + 100 * (b - a * a) ** 2).sum()
    return [np.array([-1.2]), np.array([1.0])], loss


def quartic():
    # flat near its minimum and steep away from it: interpolated trial points land close to the
    # bracket's ends, so the zoom's "insufficient progress" safeguard runs
    def loss(lib, a, b):
        return (a ** 4).sum() + ((b - 1) ** 4).sum() + 0.01 * (a * b).sum()
    return [np.array([2.0, -1.5]), np.array([3.0])], loss


PROBLEMS = {"least_squares": least_squares, "logistic": logistic, "rosenbrock": rosenbrock,
            "quartic": quartic}


def run_both(problem, steps=STEPS, **options):
    """Step both optimizers ``steps`` times; compare after each step.  Returns both."""
    start, loss_fn = PROBLEMS[problem]()
    ours = [tidu.tensor(a.copy(), dtype=tidu.float64, requires_grad=True) for a in start]
    ref = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    opt, ropt = tidu.optim.LBFGS(ours, **options), torch.optim.LBFGS(ref, **options)
    calls = {"ours": 0, "ref": 0}

    def closure():
        calls["ours"] += 1
        opt.zero_grad()
        loss = loss_fn(tidu, *ours)
        loss.backward()
        return loss

    def rclosure():
        calls["ref"] += 1
        ropt.zero_grad()
        loss = loss_fn(torch, *ref)
        loss.backward()
        return loss

    for k in range(steps):
        loss, rloss = opt.step(closure), ropt.step(rclosure)
        where = f"{problem} {options} after step {k + 1}"
        np.testing.assert_allclose(float(loss._data), rloss.item(), rtol=RTOL, atol=ATOL,
                                   err_msg=f"returned loss, {where}")
        for i, (p, r) in enumerate(zip(ours, ref)):
            np.testing.assert_allclose(p._data, r.detach().numpy(), rtol=RTOL, atol=ATOL,
                                       err_msg=f"parameter {i}, {where}")
        assert calls["ours"] == calls["ref"], f"closure calls {calls}, {where}"
        state, rstate = opt.state[ours[0]], ropt.state[ref[0]]
        assert (state["func_evals"], state["n_iter"]) == (rstate["func_evals"], rstate["n_iter"])
    return opt, ropt, ours, ref


OPTIONS = [
    dict(),
    dict(line_search_fn="strong_wolfe"),
    dict(max_iter=5, history_size=2),
    dict(max_iter=5, history_size=2, line_search_fn="strong_wolfe"),
    dict(lr=0.5, max_iter=7, history_size=3),
    dict(lr=0.8, max_iter=3, max_eval=4, history_size=1, line_search_fn="strong_wolfe"),
    dict(max_iter=1, line_search_fn="strong_wolfe"),  # max_eval 1: a line search with no budget
    dict(max_iter=1),
    dict(lr=0.02, max_iter=6, line_search_fn="strong_wolfe"),  # the bracket must grow
    dict(lr=8.0, max_iter=6, line_search_fn="strong_wolfe"),   # overshoot: zoom
]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_trajectory_matches_torch(problem, options):
    run_both(problem, **options)


def test_long_rosenbrock_run_converges_like_torch():
    # enough iterations for the line search's zoom phase and the history to wrap around
    opt, _, ours, _ = run_both("rosenbrock", steps=3, max_iter=40, history_size=5,
                               line_search_fn="strong_wolfe")
    assert abs(ours[0].item() - 1) < 1e-4 and abs(ours[1].item() - 1) < 1e-4
    assert len(opt.state[ours[0]]["old_dirs"]) == 5


def test_tolerances_stop_early_like_torch():
    run_both("least_squares", steps=3, tolerance_grad=1e-3, tolerance_change=1e-4)
    run_both("logistic", steps=3, tolerance_change=1e-2, line_search_fn="strong_wolfe")


def test_converged_start_calls_closure_once():
    w = tidu.tensor([3.0], dtype=tidu.float64, requires_grad=True)
    opt = tidu.optim.LBFGS([w])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = ((w - 3.0) ** 2).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)._data) == 0.0 and len(calls) == 1
    assert opt.state[w] == {"func_evals": 1, "n_iter": 1 - 1}


def test_cubic_interpolation_matches_formula():
    # f(t) = (t − 2)² + 1 is its own cubic interpolant: the minimiser is exact
    f = lambda t: ((t - 2) ** 2 + 1, 2 * (t - 2))  # noqa: E731
    a, b = (0.0, *f(0.0)), (5.0, *f(5.0))
    a, b = (a[0], a[1], None, a[2]), (b[0], b[1], None, b[2])
    assert abs(lbfgs_module._cubic_min(a, b) - 2.0) < 1e-12
    assert lbfgs_module._cubic_min(a, b, bounds=(3.0, 4.0)) == 3.0


# ---------------------------------------------------------------------- state_dict
@pytest.mark.parametrize("options", [dict(history_size=3), dict(line_search_fn="strong_wolfe")],
                         ids=str)
def test_state_dict_round_trip_resumes_identically(options):
    opt, ropt, ours, ref = run_both("logistic", steps=2, max_iter=4, **options)
    saved = opt.state_dict()
    assert saved["param_groups"][0]["max_eval"] == 5 and saved["param_groups"][0]["params"] == [0, 1]
    assert set(saved["state"][0]) == set(ropt.state_dict()["state"][0])
    _, loss_fn = logistic()
    fresh = [tidu.tensor(p._data.copy(), dtype=tidu.float64, requires_grad=True) for p in ours]
    clone = tidu.optim.LBFGS(fresh, max_iter=4, **options)
    clone.load_state_dict(saved)
    # the torch optimizer's state loads too
    from_torch = [tidu.tensor(p._data.copy(), dtype=tidu.float64, requires_grad=True) for p in ours]
    clone_t = tidu.optim.LBFGS(from_torch, max_iter=4, **options)
    clone_t.load_state_dict(ropt.state_dict())
    for params, o in ((ours, opt), (fresh, clone), (from_torch, clone_t)):
        def closure(params=params, o=o):
            o.zero_grad()
            loss = loss_fn(tidu, *params)
            loss.backward()
            return loss
        o.step(closure)
    for p, q, r in zip(ours, fresh, from_torch):
        np.testing.assert_array_equal(q._data, p._data)
        np.testing.assert_allclose(r._data, p._data, rtol=1e-9, atol=1e-12)


def test_state_dict_through_save_and_load(tmp_path):
    opt, _, ours, _ = run_both("least_squares", steps=1, max_iter=3)
    tidu.save(opt.state_dict(), tmp_path / "lbfgs.pth")
    clone = tidu.optim.LBFGS([tidu.tensor(p._data.copy(), requires_grad=True) for p in ours],
                             max_iter=3)
    clone.load_state_dict(tidu.load(tmp_path / "lbfgs.pth"))
    a, b = opt.state_dict()["state"][0], clone.state_dict()["state"][0]
    assert a.keys() == b.keys()
    for x, y in zip(a["old_dirs"] + [a["d"]], b["old_dirs"] + [b["d"]]):
        np.testing.assert_array_equal(x, y)


def test_load_state_dict_refuses_wrong_sizes():
    opt, _, ours, _ = run_both("least_squares", steps=1, max_iter=3)
    saved = opt.state_dict()
    saved["state"][0]["d"] = saved["state"][0]["d"][:-1]
    other = tidu.optim.LBFGS(ours, max_iter=3)
    with pytest.raises(StateDictError, match=r"'d' has shape \(7,\), expected \(8,\)"):
        other.load_state_dict(saved)
    with pytest.raises(StateDictError, match="parameter 0 only"):
        other.load_state_dict({"state": {1: {}}, "param_groups": saved["param_groups"]})


# ---------------------------------------------------------------------- errors
def param():
    return tidu.tensor([1.0, 2.0], dtype=tidu.float64, requires_grad=True)


def test_defaults_match_torch():
    ours = tidu.optim.LBFGS([param()]).param_groups[0]
    ref = torch.optim.LBFGS([torch.zeros(2, requires_grad=True)]).param_groups[0]
    assert {k: v for k, v in ours.items() if k != "params"} == \
        {k: v for k, v in ref.items() if k not in ("params",)}
    assert tidu.optim.LBFGS([param()], max_iter=9).param_groups[0]["max_eval"] == 11


def test_step_without_closure_raises():
    with pytest.raises(TypeError):
        torch.optim.LBFGS([torch.zeros(1, requires_grad=True)]).step()
    with pytest.raises(TypeError, match="LBFGS.step needs a closure"):
        tidu.optim.LBFGS([param()]).step()


def test_two_param_groups_refused_like_torch():
    with pytest.raises(ValueError, match="per-parameter options"):
        torch.optim.LBFGS([{"params": [torch.zeros(1)]}, {"params": [torch.ones(1)], "lr": 0.1}])
    with pytest.raises(ValueError, match="per-parameter options"):
        tidu.optim.LBFGS([{"params": [param()]}, {"params": [param()], "lr": 0.1}])
    opt = tidu.optim.LBFGS([param()])
    with pytest.raises(ValueError, match="per-parameter options"):
        opt.add_param_group({"params": [param()]})


@pytest.mark.parametrize("kwargs, match", [
    (dict(lr=-1.0), r"lr must be in \[0, inf\), got -1"),
    (dict(lr=float("nan")), "lr must be finite"),
    (dict(history_size=0), r"history_size must be in \[1, inf\), got 0"),
    (dict(history_size=2.5), "history_size must be an int"),
    (dict(max_iter=0), r"max_iter must be in \[1, inf\)"),
    (dict(max_eval=0), r"max_eval must be in \[1, inf\)"),
    (dict(tolerance_grad=-1e-7), "tolerance_grad must be in"),
    (dict(tolerance_change=-1.0), "tolerance_change must be in"),
    (dict(line_search_fn="armijo"), "line_search_fn must be None or 'strong_wolfe', got "
                                    "line_search_fn='armijo'"),
])
def test_bad_hyper_parameters(kwargs, match):
    with pytest.raises(HyperParameterError, match=f"LBFGS: {match}"):
        tidu.optim.LBFGS([param()], **kwargs)


def test_negative_lr_refused_by_torch_too_and_zero_lr_allowed_by_both():
    with pytest.raises(ValueError):
        torch.optim.LBFGS([torch.zeros(1, requires_grad=True)], lr=-1.0)
    run_both("least_squares", steps=1, lr=0.0)


def test_bad_value_set_by_hand_raises_at_step():
    w = param()
    opt = tidu.optim.LBFGS([w])
    opt.param_groups[0]["line_search_fn"] = "wolfe"
    with pytest.raises(HyperParameterError, match="line_search_fn"):
        opt.step(lambda: (w * w).sum())


def test_history_size_changed_between_steps_takes_effect():
    opt, _, ours, _ = run_both("logistic", steps=1, max_iter=6, history_size=4)
    _, loss_fn = logistic()

    def closure():
        opt.zero_grad()
        loss = loss_fn(tidu, *ours)
        loss.backward()
        return loss

    state = opt.state[ours[0]]
    assert len(state["old_dirs"]) == 4
    opt.param_groups[0]["history_size"] = 2
    opt.step(closure)
    assert len(state["old_dirs"]) == len(state["ro"]) == 2
    opt.param_groups[0]["history_size"] = 6
    opt.step(closure)
    assert len(state["old_dirs"]) > 2 and len(state["al"]) >= len(state["old_dirs"])


def test_closure_must_return_the_loss():
    w = param()
    opt = tidu.optim.LBFGS([w])
    with pytest.raises(tidu.errors.ArgumentError, match="closure must return the loss"):
        opt.step(lambda: None)


def test_docstring_example_runs():
    result = doctest.run_docstring_examples(tidu.optim.LBFGS, {}, verbose=False)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(tidu.optim.LBFGS, "LBFGS", globs={}):
        runner.run(test)
    assert result is None and runner.failures == 0 and runner.tries > 0


# ---------------------------------------------------------------------- the line search alone
# 1-D functions f(x) → (value, gradient), searched from x = 0 along d = −f′(0), against PyTorch's
# own line search: each branch of the bracketing and zoom phases runs in one of these
LINE_FUNCTIONS = {
    "quadratic": lambda x: (((x - 3) ** 2).sum(), 2 * (x - 3)),
    "abs": lambda x: (np.abs(x - 1).sum(), np.sign(x - 1)),  # no point meets the curvature rule
    "wavy": lambda x: ((np.sin(11.33 * x) + 2.75 * (x - 2.24) ** 2).sum(),
                       11.33 * np.cos(11.33 * x) + 5.5 * (x - 2.24)),
    "kinked": lambda x: ((0.61 * np.abs(x - 1.72) + 0.4 * (x - 1.72)).sum(),
                         0.61 * np.sign(x - 1.72) + 0.4),
}


@pytest.mark.parametrize("name, t, max_ls", [
    ("quadratic", 1e-3, 25), ("quadratic", 1e-3, 3), ("quadratic", 0.5, 25), ("quadratic", 50, 25),
    ("quadratic", 2, 0), ("abs", 0.01, 25), ("abs", 5, 25), ("wavy", 47.35, 25), ("wavy", 0.05, 25),
    ("kinked", 0.13, 25), ("kinked", 3.0, 25),
])
def test_strong_wolfe_matches_torch(name, t, max_ls):
    from torch.optim.lbfgs import _strong_wolfe as torch_strong_wolfe
    f = LINE_FUNCTIONS[name]
    x0 = np.zeros(1)
    f0, g0 = f(x0)
    d = -g0
    ours = lbfgs_module._strong_wolfe(lambda s: f(x0 + s * d), t, d, float(f0), g0,
                                      float(g0 @ d), max_ls=max_ls)

    def along(x, s, direction):
        value, grad = f(x0 + float(s) * d)
        return float(value), torch.from_numpy(grad)

    ref = torch_strong_wolfe(along, None, t, torch.from_numpy(d), float(f0), torch.from_numpy(g0),
                             torch.from_numpy(g0) @ torch.from_numpy(d), max_ls=max_ls)
    assert ours[3] == ref[3], f"evaluations {ours[3]} vs torch {ref[3]}"
    np.testing.assert_allclose([ours[0], float(ours[2])], [ref[0], float(ref[2])], rtol=1e-12)
    np.testing.assert_allclose(ours[1], ref[1].numpy(), rtol=1e-12)
