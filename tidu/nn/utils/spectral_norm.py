"""Spectral normalization (Miyato et al. 2018): the weight divided by its largest singular
value σ, estimated by power iteration on the weight as a matrix W (``dim`` first, the other
dims flattened):

    v ← normalize(Wᵀu),  u ← normalize(Wv),  σ = uᵀWv,  weight = W / σ

with normalize(x) = x / max(‖x‖, eps).  u and v are buffers, updated (without gradient)
on each training-mode forward and frozen in eval mode; the gradient flows to the original
weight through W and σ.  ``spectral_norm`` / ``remove_spectral_norm`` are PyTorch's old
forward-pre-hook API (``weight_orig``, ``weight_u``, ``weight_v``); `SpectralNormParametrization`
backs ``tidu.nn.utils.parametrizations.spectral_norm``."""
from __future__ import annotations

from ... import random as _random
from ...backend import like, xp_of
from ...errors import ArgumentError
from ...tensor import Tensor, no_grad
from ..modules.module import Module
from ..parameter import Parameter

__all__ = ["SpectralNorm", "spectral_norm", "remove_spectral_norm", "SpectralNormParametrization"]


def _default_dim(module) -> int:
    """0, or 1 for transposed convolutions (their weight is (in, out, *k))."""
    return 1 if type(module).__name__.startswith("ConvTranspose") else 0


def _as_matrix(weight: Tensor, dim: int) -> Tensor:
    """``weight`` with ``dim`` moved first and the rest flattened: (size(dim), −1)."""
    if dim != 0:
        weight = weight.movedim(dim, 0)
    return weight.reshape(weight.shape[0], -1)


def _normalize(x, eps: float):
    """x / max(‖x‖₂, eps) of a 1-d array."""
    xp = xp_of(x)
    return x / xp.maximum(xp.sqrt((x * x).sum()), eps)


def _random_unit(n: int, ref, eps: float):
    host = _random.generator().standard_normal(n).astype(ref.dtype)
    return _normalize(like(ref, host), eps)


def _sigma(w: Tensor, u, v) -> Tensor:
    """uᵀWv with u, v constants, differentiable in W."""
    return (Tensor._wrap(u) * (w @ Tensor._wrap(v))).sum()


class SpectralNorm:
    """The forward pre-hook of `spectral_norm`: sets ``module.<name>`` = W / σ(W)."""

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12):
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.name, self.dim = name, dim
        self.n_power_iterations, self.eps = n_power_iterations, eps
        self.handle = None

    def compute_weight(self, module, do_power_iteration: bool) -> Tensor:
        """W / σ; with ``do_power_iteration`` first ``n_power_iterations`` steps of
        v ← normalize(Wᵀu), u ← normalize(Wv), written into the buffers in place."""
        weight = getattr(module, self.name + "_orig")
        u_buf = getattr(module, self.name + "_u")
        v_buf = getattr(module, self.name + "_v")
        mat = _as_matrix(weight, self.dim)
        if do_power_iteration:
            m = mat._data
            u, v = u_buf._data, v_buf._data
            for _ in range(self.n_power_iterations):
                v = _normalize(m.T @ u, self.eps)
                u = _normalize(m @ v, self.eps)
            u_buf._data[...] = u
            v_buf._data[...] = v
        return weight / _sigma(mat, u_buf._data.copy(), v_buf._data.copy())

    def remove(self, module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        self.handle.remove()
        for suffix in ("", "_u", "_v", "_orig"):
            key = self.name + suffix
            module._parameters.pop(key, None)
            module._buffers.pop(key, None)
            module.__dict__.pop(key, None)
        data = weight._data.copy()
        module.register_parameter(self.name, Parameter(data, dtype=data.dtype))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))


def _spectral_hooks(module, name: str):
    return [h for h in module._forward_pre_hooks.values()
            if isinstance(h, SpectralNorm) and h.name == name]


def spectral_norm(module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None):
    """Spectral normalization with PyTorch's old hook API (torch.nn.utils.spectral_norm):
    the parameter ``<name>`` becomes ``<name>_orig``, buffers ``<name>_u`` (size(dim)) and
    ``<name>_v`` hold unit vectors (random at first), and a forward pre-hook sets
    ``module.<name>`` = W/σ before each forward (power iteration only in training mode).
    Defaults n_power_iterations=1, eps=1e-12, dim=None (0; 1 for ConvTranspose).  Returns
    the module."""
    if _spectral_hooks(module, name):
        raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
    weight = module._parameters.get(name)
    if not isinstance(weight, Parameter):
        raise ArgumentError(f"spectral_norm: {type(module).__name__} has no parameter {name!r} "
                            f"(its parameters: {', '.join(module._parameters) or 'none'})")
    dim = _default_dim(module) if dim is None else dim
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    with no_grad():
        mat = _as_matrix(weight, dim)._data
        h, w = mat.shape
        u, v = _random_unit(h, mat, eps), _random_unit(w, mat, eps)
    del module._parameters[name]
    module.__dict__.pop(name, None)
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, Tensor._wrap(weight._data))
    module.register_buffer(name + "_u", Tensor._wrap(u))
    module.register_buffer(name + "_v", Tensor._wrap(v))
    fn.handle = module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module, name: str = "weight"):
    """Undo `spectral_norm`: ``module.<name>`` becomes a parameter holding W/σ (no power
    iteration), and ``<name>_orig``, ``_u``, ``_v`` and the hook go.  ValueError when
    ``<name>`` carries no spectral norm (as PyTorch).  Returns the module."""
    hooks = _spectral_hooks(module, name)
    if not hooks:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    hooks[0].remove(module)
    return module


class SpectralNormParametrization(Module):
    """The parametrization of ``parametrizations.spectral_norm``: forward(W) = W/σ, the
    buffers ``_u`` and ``_v`` advanced by ``n_power_iterations`` steps of
    u ← normalize(Wv), v ← normalize(Wᵀu) per training-mode call (15 at construction, as
    PyTorch); a 1-d weight is just normalized, W/max(‖W‖, eps)."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps, self.n_power_iterations = eps, n_power_iterations
        if ndim > 1:
            mat = _as_matrix(weight, self.dim)._data
            h, w = mat.shape
            self.register_buffer("_u", Tensor._wrap(_random_unit(h, mat, eps)))
            self.register_buffer("_v", Tensor._wrap(_random_unit(w, mat, eps)))
            self._power_method(mat, 15)

    def _power_method(self, mat, n_power_iterations: int) -> None:
        u, v = self._u._data, self._v._data
        for _ in range(n_power_iterations):
            u = _normalize(mat @ v, self.eps)
            v = _normalize(mat.T @ u, self.eps)
        self._u._data[...] = u
        self._v._data[...] = v

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            norm = (weight * weight).sum().sqrt().clamp(min=self.eps)
            return weight / norm
        mat = _as_matrix(weight, self.dim)
        if self.training:
            self._power_method(mat._data, self.n_power_iterations)
        return weight / _sigma(mat, self._u._data.copy(), self._v._data.copy())

    def right_inverse(self, value: Tensor) -> Tensor:
        return value
