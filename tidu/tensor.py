"""`Tensor`: a NumPy array with reverse-mode automatic differentiation.

Every op that involves a tensor with ``requires_grad`` records one graph node: the parents
and a closure ``backward(g) -> tuple of parent gradients``.  `Tensor.backward` walks the
nodes in reverse topological order (iteratively, so a chain of any length works), sums
gradients that meet at a node, and accumulates the leaves' gradients into ``.grad``.
Only nodes that need a gradient are recorded, and nothing else is stored per op: that
bookkeeping is the whole cost of the engine for small layers.

Anomaly mode (`tidu.autograd.detect_anomaly`) swaps `Tensor._op` for a checking version
while it is on, so the ordinary path pays nothing for it.
"""
from __future__ import annotations

import functools
import linecache
import os
import sys
import threading
import weakref

import numpy as np

from . import backend
from .backend import device_of, normalize_device, parse_to_args, to_device, xp_of
from ._checks import check_cast_overflow, normalize_dim
from .errors import AnomalyError, DimError, DTypeError, GraphError, shape_str

_state = {"dtype": np.dtype(np.float32)}


class _GradMode(threading.local):
    """Whether ops record the graph — per thread, as in PyTorch, so one thread's `no_grad`
    (say, a Dask trial evaluating) never switches off another thread's training."""

    enabled = True
    inference = False  # inside inference_mode (torch.is_inference_mode_enabled)


_grad_mode = _GradMode()


# --------------------------------------------------------------------------- grad mode
class no_grad:
    """Context manager and decorator that records no graph (as `torch.no_grad`)."""

    def __enter__(self):
        self._prev = _grad_mode.enabled
        _grad_mode.enabled = False

    def __exit__(self, *exc):
        _grad_mode.enabled = self._prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):
    """Re-enable graph recording inside a `no_grad` block."""

    def __enter__(self):
        self._prev = _grad_mode.enabled
        _grad_mode.enabled = True


class set_grad_enabled(no_grad):
    """``set_grad_enabled(mode)``: switch graph recording on or off — at once when called as
    a function, or for a block as a context manager / decorator (as torch.set_grad_enabled)."""

    def __init__(self, mode: bool):
        self._prev = _grad_mode.enabled
        self.mode = bool(mode)
        _grad_mode.enabled = self.mode

    def __enter__(self):
        _grad_mode.enabled = self.mode

    def __call__(self, fn):
        _grad_mode.enabled = self._prev  # as a decorator it acts only while fn runs
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper


class inference_mode(no_grad):
    """As torch.inference_mode: no graph is recorded (tidu's `no_grad`; PyTorch also skips
    version counting, which tidu does not have).  ``inference_mode(False)`` records."""

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def __enter__(self):
        self._prev = _grad_mode.enabled, _grad_mode.inference
        _grad_mode.enabled = not self.mode
        _grad_mode.inference = self.mode

    def __exit__(self, *exc):
        _grad_mode.enabled, _grad_mode.inference = self._prev


def is_grad_enabled() -> bool:
    return _grad_mode.enabled


def is_tensor(obj) -> bool:
    """Whether ``obj`` is a tidu Tensor (as torch.is_tensor)."""
    return isinstance(obj, Tensor)


def set_default_dtype(dtype) -> None:
    """Dtype given to float data that names none (float32 unless changed, as in PyTorch)."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise DTypeError(f"set_default_dtype: expected a float dtype, got {dtype}")
    _state["dtype"] = dtype


def get_default_dtype() -> np.dtype:
    return _state["dtype"]


# --------------------------------------------------------------------------- helpers
def _on_device(data) -> bool:
    """Whether ``data`` is an array of a non-CPU backend (a CuPy array, say)."""
    return device_of(data) != "cpu"


def _as_array(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        data = data._data
    xp = xp_of(data) if _on_device(data) else np
    src = xp.asarray(data)
    if dtype is None and src.dtype.kind not in "biucf":
        raise DTypeError(f"tensor: cannot make a tensor from data of dtype {src.dtype}")
    if dtype is None:
        # float data from a Python list or a float64 NumPy array takes the default dtype,
        # so a model built in float32 is fed float32 (PyTorch does the same for lists).
        dtype = _state["dtype"] if src.dtype.kind == "f" else src.dtype
    arr = src
    if src.dtype != dtype:
        with np.errstate(over="ignore"):  # an overflow is reported below, by value
            arr = src.astype(dtype)
        if src.dtype.kind == "f":
            check_cast_overflow(src, arr, "tensor")
    if device is None:  # a device array stays where it is; host data goes to the default device
        if xp is not np or backend.get_default_device() == "cpu":
            return arr
        device = backend.get_default_device()
    return to_device(arr, normalize_device(device))


def _result_array(data):
    """Ops' results as arrays: NumPy ufuncs turn 0-d results into scalars."""
    if isinstance(data, (np.generic, int, float, bool, complex)):
        return np.asarray(data)
    return data


def _freed_backward(g):
    raise GraphError(
        "backward through a graph a second time: its buffers were freed by the first "
        "backward. Pass retain_graph=True to the first .backward() if you need it twice."
    )


def _topological_order(root: "Tensor") -> list:
    """Nodes that need a gradient, root first, each before all of its parents."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node._parents:
            if parent.requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    order.reverse()
    return order


# --------------------------------------------------------------------------- Tensor
class Tensor:
    """An n-dimensional array that can record the ops applied to it.

    ``Tensor(data, requires_grad=False, dtype=None, device=None)``: float data takes the
    default dtype (float32) unless ``dtype`` is given; integer and bool data keep theirs.
    ``device`` ('cpu' or 'cuda'): where the array lives; by default a CuPy array stays on the
    GPU and other data goes to the default device (`tidu.set_backend`, 'cpu' unless changed).
    """

    __slots__ = ("_data", "grad", "requires_grad", "_parents", "_backward", "__weakref__")
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected op

    def __init__(self, data, requires_grad: bool = False, dtype=None, device=None):
        self._data = _as_array(data, dtype, device)
        self.grad = None
        self._parents = ()
        self._backward = None
        if requires_grad and self._data.dtype.kind != "f":
            raise DTypeError(f"requires_grad needs a float tensor, got dtype {self._data.dtype}")
        self.requires_grad = bool(requires_grad)

    # The one constructor every op uses: it records the node only when a gradient is needed.
    @staticmethod
    def _op(data: np.ndarray, parents: tuple, backward) -> "Tensor":
        out = object.__new__(Tensor)
        out._data = data if type(data) is np.ndarray else _result_array(data)
        out.grad = None
        if _grad_mode.enabled and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out._parents = parents
            out._backward = backward
        else:
            out.requires_grad = False
            out._parents = ()
            out._backward = None
        return out

    @staticmethod
    def _wrap(data: np.ndarray) -> "Tensor":
        """A constant tensor around an existing array (no copy, no dtype change)."""
        out = object.__new__(Tensor)
        out._data = data
        out.grad = None
        out.requires_grad = False
        out._parents = ()
        out._backward = None
        return out

    # ------------------------------------------------------------------ properties
    @property
    def data(self) -> "Tensor":
        """The same values as a tensor cut from the graph (``requires_grad=False``) that shares
        this tensor's memory, as PyTorch's ``.data``: ``p.data -= lr * p.grad``,
        ``p.data.copy_(w)`` and ``m.weight.data.normal_(0, 0.01)`` change ``p`` itself, with no
        graph recorded.  Assigning a tensor (``p.data = w``) makes ``p`` hold ``w``'s values.
        (tidu's own code reads the NumPy array as ``._data``; ``.numpy()`` is the public way.)"""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data: a tensor's .data can only be set to a Tensor (as in PyTorch), "
                            f"got {type(value).__name__}; wrap an array with tidu.as_tensor")
        self._data = value._data

    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def device(self) -> "device":
        return device(device_of(self._data))

    @property
    def is_cuda(self) -> bool:
        return device_of(self._data) == "cuda"

    @property
    def is_leaf(self) -> bool:
        return self._backward is None

    @property
    def T(self) -> "Tensor":
        return self.permute(*reversed(range(self.ndim)))

    def size(self, dim=None):
        if dim is None:
            return self._data.shape
        if not self._data.ndim:  # as PyTorch: a 0-d tensor has no dim to ask about
            raise DimError(f"size: dim={dim!r} asked of a 0-d tensor, which has no dims")
        return self._data.shape[normalize_dim(dim, self._data.ndim, "size")]

    def numel(self) -> int:
        return self._data.size

    def dim(self) -> int:
        return self._data.ndim

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        from .printing import tensor_repr  # tidu.set_printoptions' options
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a one-element tensor's value (as torch); other tensors
        take only the empty spec."""
        if self._data.size == 1 and self._data.ndim == 0:
            return format(self._data.item(), spec)
        return object.__format__(self, spec)

    __hash__ = object.__hash__

    # ------------------------------------------------------------------ conversion
    def numpy(self) -> np.ndarray:
        """The NumPy array itself (shared memory), as PyTorch; a GPU tensor needs .cpu() first."""
        if _on_device(self._data):
            raise TypeError(f"numpy(): this tensor is on device '{self.device}'; "
                            f"use .cpu().numpy() to copy it to the host first (as in PyTorch)")
        return self._data

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)``: the host array (as torch; a GPU tensor refuses, as ``numpy()``)."""
        arr = self.numpy()
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def item(self):
        if self._data.size != 1:
            raise ValueError(f"item(): only a one-element tensor has an item, got shape {shape_str(self.shape)}")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def detach(self) -> "Tensor":
        """The same data, cut from the graph."""
        return Tensor._wrap(self._data)

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        if flag and self._data.dtype.kind != "f":
            raise DTypeError(f"requires_grad needs a float tensor, got dtype {self._data.dtype}")
        self.requires_grad = flag
        return self

    def to(self, *args, dtype=None, device=None) -> "Tensor":
        """``to(dtype)``, ``to(device)`` or both, as PyTorch: a cast and/or a move ('cpu',
        'cuda'), each differentiable (the gradient is cast / moved back).  Returns ``self``
        when nothing changes."""
        dtype, device = parse_to_args(args, dtype, device)
        out = self
        if dtype is not None and np.dtype(dtype) != out._data.dtype:
            src = out._data.dtype
            out = Tensor._op(out._data.astype(np.dtype(dtype)), (out,), lambda g: (g.astype(src),))
        if device is not None:
            target, here = normalize_device(device), device_of(out._data)
            if target != here:
                out = Tensor._op(to_device(out._data, target), (out,),
                                 lambda g: (to_device(g, here),))
        return out

    def cpu(self) -> "Tensor":
        return self.to(device="cpu")

    def cuda(self) -> "Tensor":
        return self.to(device="cuda")

    def float(self) -> "Tensor":
        return self.to(np.float32)

    def double(self) -> "Tensor":
        return self.to(np.float64)

    def long(self) -> "Tensor":
        return Tensor._wrap(self._data.astype(np.int64))

    def clone(self) -> "Tensor":
        """A copy of the data that stays in the graph (the gradient passes through)."""
        return Tensor._op(self._data.copy(), (self,), lambda g: (g,))

    def contiguous(self) -> "Tensor":
        """``self`` when its data is C-contiguous, else a contiguous copy (in the graph)."""
        if self._data.flags.c_contiguous:
            return self
        return Tensor._op(xp_of(self._data).ascontiguousarray(self._data), (self,),
                          lambda g: (g,))

    # one-element tensors as Python numbers (PyTorch's rules)
    def _one(self, what: str):
        if self._data.size != 1:
            raise ValueError(f"{what} of a tensor with {self._data.size} values (shape "
                             f"{shape_str(self.shape)}) is ambiguous: only a one-element "
                             f"tensor converts")
        return self._data.item()

    def __bool__(self) -> bool:
        """Truth of a one-element tensor; more values raise (as PyTorch: "Boolean value of
        Tensor with more than one value is ambiguous")."""
        if self._data.size > 1:
            raise ValueError("Boolean value of Tensor with more than one value is ambiguous "
                             f"(shape {shape_str(self.shape)}); use .any() or .all()")
        return bool(self._one("Boolean value"))

    def __int__(self) -> int:
        return int(self._one("int()"))

    def __float__(self) -> float:
        return float(self._one("float()"))

    def __index__(self) -> int:
        """A one-element integer tensor as an index (as PyTorch; float tensors refuse)."""
        if self._data.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors of a single element can be converted to an "
                            f"index, got dtype {self._data.dtype}")
        return int(self._one("__index__"))

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False,
                 inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (only into ``inputs``' when
        given).

        ``gradient`` is needed unless the tensor has one element.  The graph's closures are
        freed afterwards unless ``retain_graph=True`` (default: ``create_graph``); a second
        backward then raises.  ``create_graph=True`` makes the gradients themselves
        differentiable (each ``.grad`` has a graph): see `grad`.
        """
        if not self.requires_grad:
            raise GraphError("backward(): this tensor does not require grad and has no grad_fn")
        if gradient is None:
            if self._data.size != 1:
                raise GraphError(
                    f"backward(): a gradient argument is needed for a non-scalar output "
                    f"of shape {shape_str(self.shape)}"
                )
            seed = xp_of(self._data).ones_like(self._data)
        else:
            seed = _as_array(gradient, self._data.dtype, device_of(self._data))
            if seed.shape != self.shape:
                raise GraphError(
                    f"backward(): gradient shape {shape_str(seed.shape)} does not match "
                    f"output shape {shape_str(self.shape)}"
                )
        if inputs is not None:
            targets = [inputs] if isinstance(inputs, Tensor) else list(inputs)
            for t, g in zip(targets, grad(self, targets, Tensor._wrap(seed), retain_graph, create_graph,
                                          allow_unused=True)):
                if g is not None:
                    t.grad = g if t.grad is None else t.grad + g
            return
        if create_graph:
            _run_backward([self], [Tensor._wrap(seed)], True, _accumulate_leaf_graph, None,
                          create_graph=True)
            return
        owned = set()  # arrays already handed to a leaf's .grad: never alias two leaves
        _run_backward([self], [seed], bool(retain_graph),
                      lambda leaf, g: _accumulate_leaf(leaf, g, owned), capture=None)

    def zero_grad_(self) -> None:
        self.grad = None

    def register_hook(self, hook) -> "_TensorHookHandle":
        """Call ``hook(grad)`` each time the gradient with respect to this tensor is computed
        (before a leaf accumulates it); a returned tensor replaces the gradient (as torch).
        Returns a handle whose ``remove()`` unregisters it."""
        if not self.requires_grad:
            raise GraphError("register_hook: cannot register a hook on a tensor that doesn't "
                             "require gradient")
        if not callable(hook):
            raise TypeError(f"register_hook: hook must be callable, got {type(hook).__name__}")
        return _TensorHookHandle(self, hook)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (as torch)."""
        if self.is_leaf:
            return
        ref = weakref.ref(self)

        def keep(g):
            t = ref()
            if t is not None:
                t.grad = Tensor._wrap(g._data.copy() if t.grad is None else t.grad._data + g._data)
        keep.runs_last = True  # as torch: .grad shows the gradient after the other hooks
        self.register_hook(keep)

    @property
    def grad_fn(self):
        """``None`` for a leaf (and a tensor outside any graph); else the node's backward,
        named after the op that made it (PyTorch's grad_fn, without its graph API)."""
        return None if self._backward is None else _GradFn(self._backward)

    def detach_(self) -> "Tensor":
        """Cut this tensor from the graph in place (it becomes a leaf that needs no grad)."""
        self._parents, self._backward, self.requires_grad = (), None, False
        return self

    # ------------------------------------------------------------------ torch's small queries
    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def element_size(self) -> int:
        return self._data.dtype.itemsize

    def nelement(self) -> int:
        return self._data.size

    def ndimension(self) -> int:
        return self._data.ndim

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.type(other.dtype)

    # ``x.new_zeros(...)`` and friends: same dtype and device as x unless given
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> "Tensor":
        return tensor(data, dtype=dtype or self._data.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    def _new(self, fill, size, dtype, device, requires_grad) -> "Tensor":
        from .creation import full
        return full(size, fill, dtype=dtype or self._data.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False) -> "Tensor":
        return self._new(0, _size_arg(size), dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False) -> "Tensor":
        return self._new(1, _size_arg(size), dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False) -> "Tensor":
        return self._new(0, _size_arg(size), dtype, device, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False) -> "Tensor":
        return self._new(fill_value, _size_arg((size,)), dtype, device, requires_grad)

    # ------------------------------------------------------------------ operators
    # Implementations live in tidu.ops; these bind them as methods (see bottom of file).

    # (last in the class body: these names shadow the builtins inside it)
    def int(self) -> "Tensor":
        """A cast to int32 (torch.int), cut from the graph."""
        return Tensor._wrap(self._data.astype(np.int32))

    def bool(self) -> "Tensor":
        """A cast to bool (nonzero → True), cut from the graph."""
        return Tensor._wrap(self._data.astype(np.bool_))

    def type(self, dtype=None):
        """With no argument, the type's name ('tidu.FloatTensor', as PyTorch's
        'torch.FloatTensor'); with a dtype, ``self.to(dtype)``."""
        if dtype is None:
            names = {"float32": "Float", "float64": "Double", "float16": "Half",
                     "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                     "uint8": "Byte", "bool": "Bool"}
            return f"tidu.{names.get(self._data.dtype.name, self._data.dtype.name)}Tensor"
        if np.dtype(dtype).kind != "f":  # an integer or bool cast has no gradient
            return Tensor._wrap(self._data.astype(np.dtype(dtype)))
        return self.to(dtype)


def _run_backward(outputs: list, seeds: list, retain_graph: bool, at_leaf, capture,
                  create_graph: bool = False) -> None:
    """Send each output's seed back through the recorded graph: every node's gradient is
    summed from its children, passed through its tensor hooks, then through its backward;
    a leaf's goes to ``at_leaf(leaf, g)``.  ``capture`` (a dict id → None, or None) collects
    the gradients arriving at those tensors (`tidu.autograd.grad`).  The closures are freed
    unless ``retain_graph``.  With ``create_graph`` the gradients are tensors made by each
    node's differentiable rule (`tidu.autograd.derivatives`) with recording on, so they carry
    a graph of their own."""
    if len(outputs) == 1:
        order = _topological_order(outputs[0])
    else:  # one order over all outputs: a joint node whose parents they are
        with enable_grad():
            joint = Tensor._op(xp_of(outputs[0]._data).zeros(()), tuple(outputs), None)
        order = _topological_order(joint)[1:]
    if _anomaly.enabled:  # once per backward call: the per-node loop below stays as it is
        for seed in seeds:
            _arm_anomaly_backward(order, seed._data if create_graph else seed)
    if create_graph:
        from .autograd.derivatives import differentiable_backward
    grads = {}
    for out, seed in zip(outputs, seeds):
        prev = grads.get(id(out))
        grads[id(out)] = seed if prev is None else prev + seed
    hooked = bool(_tensor_hooks)  # one test per backward when no tensor has a hook
    with set_grad_enabled(create_graph):
        for node in order:
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if hooked and id(node) in _tensor_hooks:
                g = _run_tensor_hooks(node, g, create_graph)
            if capture is not None and id(node) in capture:
                capture[id(node)] = g
            backward = node._backward
            if backward is None:
                at_leaf(node, g)
                continue
            if create_graph:
                parent_grads = differentiable_backward(node, g)
            else:
                parent_grads = backward(g)
                if not retain_graph:
                    node._backward = _freed_backward
            for parent, pg in zip(node._parents, parent_grads):
                if pg is None or not parent.requires_grad:
                    continue
                key = id(parent)
                prev = grads.get(key)
                grads[key] = pg if prev is None else prev + pg


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         allow_unused=None, materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs`` as a tuple, without touching
    any ``.grad`` (as torch.autograd.grad).  ``grad_outputs`` weights each output (needed for
    a non-scalar output, as in backward); ``retain_graph`` keeps the graph (default: as
    ``create_graph``); an input the outputs do not depend on raises unless ``allow_unused``
    (then None, or zeros with ``materialize_grads``).

    ``create_graph=True``: the gradients are themselves tensors with a graph, so they can be
    differentiated again (Hessian-vector products, gradient penalties, MAML).  The backward
    then runs each op's rule from `tidu.autograd.derivatives` — its gradient written in
    tidu's differentiable ops — instead of the NumPy closure; an op without a rule raises
    a `GraphError` naming it."""
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outs):
        raise GraphError(f"autograd.grad: {len(grad_outputs)} grad_outputs for {len(outs)} outputs")
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise GraphError(f"autograd.grad: input {i} does not require grad")
    seeds = []
    for i, (o, go) in enumerate(zip(outs, grad_outputs)):
        if not isinstance(o, Tensor) or not o.requires_grad:
            raise GraphError(f"autograd.grad: output {i} does not require grad and has no grad_fn")
        if go is None and o._data.size != 1:
            raise GraphError(f"autograd.grad: grad_outputs is needed for the non-scalar output "
                             f"{i} of shape {shape_str(o.shape)}")
        seeds.append(xp_of(o._data).ones_like(o._data) if go is None
                     else _as_array(go, o._data.dtype, device_of(o._data)))
    capture = {id(t): None for t in ins}
    if create_graph:
        seeds = [go if isinstance(go, Tensor) else Tensor._wrap(s)
                 for go, s in zip(grad_outputs, seeds)]
    keep = bool(retain_graph) if retain_graph is not None else create_graph
    _run_backward(outs, seeds, keep, lambda leaf, g: None, capture, create_graph)
    result = []
    for i, t in enumerate(ins):
        g = capture[id(t)]
        if g is None:
            if not allow_unused and not materialize_grads:
                raise GraphError(f"autograd.grad: input {i} was not used in the graph of the "
                                 f"outputs; pass allow_unused=True to get None for it")
            result.append(Tensor._wrap(xp_of(t._data).zeros_like(t._data))
                          if materialize_grads else None)
        elif create_graph:
            result.append(g)
        else:
            result.append(Tensor._wrap(g.astype(t._data.dtype, copy=False)))
    return tuple(result)


def _size_arg(size: tuple) -> tuple:
    """``f(2, 3)`` or ``f((2, 3))`` → (2, 3)."""
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


class _GradFn:
    """What ``tensor.grad_fn`` shows: the op's name, as ``<MulBackward>``."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def name(self) -> str:
        fn = getattr(self.fn, "fn", self.fn)  # anomaly mode wraps the closure
        op = getattr(fn, "__qualname__", "op").split(".<locals>")[0].split(".")[-1].lstrip("_")
        return "".join(w.capitalize() for w in op.split("_")) + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"


# tensor hooks: id(tensor) → (tensor, [hooks]); kept outside Tensor so a tensor without hooks
# carries nothing and the backward pays one dict test per call while none exists
_tensor_hooks: dict = {}


class _TensorHookHandle:
    def __init__(self, t: Tensor, hook):
        self.key, self.hook = key, hook = id(t), hook
        if key not in _tensor_hooks:  # the entry goes when the tensor does
            _tensor_hooks[key] = (weakref.ref(t, lambda _: _tensor_hooks.pop(key, None)), [])
        hooks = _tensor_hooks[key][1]
        if getattr(hook, "runs_last", False):
            hooks.append(hook)
        else:  # kept in running order: a runs_last hook (retain_grad's) after all others
            hooks.insert(next((i for i, h in enumerate(hooks) if getattr(h, "runs_last", False)),
                              len(hooks)), hook)

    def remove(self) -> None:
        entry = _tensor_hooks.get(self.key)
        if entry is not None and self.hook in entry[1]:
            entry[1].remove(self.hook)
            if not entry[1]:
                del _tensor_hooks[self.key]


def _run_tensor_hooks(node: Tensor, g, graph: bool = False):
    """Pass ``g`` through ``node``'s tensor hooks; a returned gradient replaces it.  ``g`` is
    an array, or with ``graph`` (create_graph) a tensor that stays one.  A hook marked
    ``reads_array`` (tidu's own observers, such as the GradientMonitor's) gets the array
    itself, unwrapped, and must not return anything."""
    for hook in tuple(_tensor_hooks[id(node)][1]):
        if getattr(hook, "reads_array", False):
            hook(g._data if graph else g)
            continue
        out = hook(g if graph else Tensor._wrap(g))
        if out is not None:
            new = out if graph else (out._data if isinstance(out, Tensor) else np.asarray(out))
            if new.shape != g.shape:
                raise GraphError(f"a tensor hook returned a gradient of shape "
                                 f"{shape_str(new.shape)} for a tensor of shape {shape_str(g.shape)}")
            g = new
    return g


def _accumulate_leaf_graph(leaf: Tensor, g: Tensor) -> None:
    """With create_graph, ``.grad`` keeps the gradient's graph (a sum, not in place)."""
    leaf.grad = g if leaf.grad is None else leaf.grad + g


def _accumulate_leaf(leaf: Tensor, g: np.ndarray, owned: set) -> None:
    if g.shape != leaf._data.shape:
        raise GraphError(
            f"internal: gradient of shape {shape_str(g.shape)} for a leaf of shape "
            f"{shape_str(leaf._data.shape)}"
        )
    if leaf.grad is None:
        # (CuPy arrays have no writeable flag: they are always writeable)
        if (g.dtype != leaf._data.dtype or not g.flags.owndata
                or not getattr(g.flags, "writeable", True) or id(g) in owned):
            g = g.astype(leaf._data.dtype, copy=True)
        owned.add(id(g))
        leaf.grad = Tensor._wrap(g)
    else:
        leaf.grad._data += g


def _source_dtype(data, dtype):
    """The dtype `tensor`/`as_tensor` give: ``dtype`` if named; else an array's (NumPy,
    CuPy or a tensor's) own dtype, as torch.tensor(np_array) keeps float64; Python numbers
    and lists take the default float dtype (None here: `Tensor` applies it)."""
    if dtype is not None:
        return dtype
    if isinstance(data, Tensor):
        return data._data.dtype
    if isinstance(data, np.generic) or hasattr(data, "__array_interface__") or _on_device(data):
        return data.dtype
    return None


def tensor(data, requires_grad: bool = False, dtype=None, device=None) -> Tensor:
    """A new tensor with a copy of ``data``, as torch.tensor: a NumPy (or CuPy) array keeps
    its dtype (float64 stays float64); Python numbers and lists of floats take the default
    dtype (float32), ints int64, bools bool.  ``Tensor(data)`` instead always gives float data
    the default dtype, as ``torch.Tensor(data)`` does."""
    dtype = _source_dtype(data, dtype)
    data = data._data if isinstance(data, Tensor) else data
    # the cast is left to Tensor, which refuses a float64 value that overflows float32
    arr = data.copy() if _on_device(data) else np.array(data, copy=True)
    return Tensor(arr, requires_grad=requires_grad, dtype=dtype, device=device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """A tensor sharing ``data``'s memory where its dtype and device allow (an array keeps its
    dtype, as torch.as_tensor; Python data takes the default float dtype)."""
    if (isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype)
            and (device is None or normalize_device(device) == device_of(data._data))):
        return data
    return Tensor(data, dtype=_source_dtype(data, dtype), device=device)


class device(str):
    """A device name, 'cpu' or 'cuda', as `torch.device` (``.type`` gives the kind)."""

    def __new__(cls, name="cpu"):
        return super().__new__(cls, normalize_device(name))

    @property
    def type(self) -> str:
        return str(self)


# --------------------------------------------------------------------------- anomaly mode
class _AnomalyMode:
    """Whether anomaly detection is on — process-wide, as PyTorch's: a training thread and the
    thread that switched it on see the same mode."""

    enabled = False
    check_nan = True


_anomaly = _AnomalyMode()
_TIDU_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_op_plain = Tensor.__dict__["_op"]  # the staticmethod object, restored when the mode ends


def set_anomaly_enabled(mode: bool, check_nan: bool = True) -> None:
    """Switch anomaly detection on or off (see `tidu.autograd.detect_anomaly`)."""
    _anomaly.enabled, _anomaly.check_nan = bool(mode), bool(check_nan)
    # swapping the class attribute: every op looks up Tensor._op at call time, so the normal
    # path keeps the plain constructor and pays no flag test per op
    Tensor._op = staticmethod(_op_anomaly) if _anomaly.enabled else _op_plain


def is_anomaly_enabled() -> bool:
    return _anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _anomaly.check_nan


def _finite(arr) -> bool:
    """Whether a float (or complex) array has no NaN/±inf; other dtypes always are."""
    if getattr(arr, "dtype", None) is None or arr.dtype.kind not in "fc":
        return True
    return bool(xp_of(arr).isfinite(arr).all())


def _kind_of_bad(arr) -> str:
    """'NaN', 'inf' or 'NaN and inf' for a non-finite array."""
    xp = xp_of(arr)
    nan, inf = bool(xp.isnan(arr).any()), bool(xp.isinf(arr).any())
    return "NaN and inf" if nan and inf else ("NaN" if nan else "inf")


def _describe(tensors) -> str:
    """'(4, 8) float32, (8,) float32' for an op's inputs."""
    return ", ".join(f"{shape_str(t._data.shape)} {t._data.dtype}" for t in tensors) or "none"


def _op_origin() -> tuple:
    """(op name, where it was created) for the op being recorded.

    The op is the first public function on the stack above ``Tensor._op`` (private helpers
    such as a loss's shared ``_elementwise`` are skipped, so ``mse_loss`` is named, not the
    helper); the place is the innermost frame of user code (outside the tidu package), with
    the module whose ``forward`` runs the op when there is one."""
    frame = sys._getframe(2)
    name, module, site = None, None, None
    while frame is not None:
        code = frame.f_code
        inside = code.co_filename.startswith(_TIDU_DIR)
        if name is None and not code.co_name.startswith("_"):
            name = code.co_name
        if module is None and code.co_name == "forward":
            owner = frame.f_locals.get("self")
            if owner is not None and hasattr(owner, "_modules"):
                module = type(owner).__name__
        if not inside and site is None:
            line = linecache.getline(code.co_filename, frame.f_lineno).strip()
            site = f"{os.path.basename(code.co_filename)}:{frame.f_lineno} in {code.co_name}"
            site += f": {line}" if line else ""
        if name is not None and site is not None:  # any module frame lies below the site
            break
        frame = frame.f_back
    where = site or "inside tidu"
    if module is not None:
        where += f" (in the forward of {module})"
    return name or "op", where


class _AnomalyBackward:
    """A node's backward function wrapped with what anomaly mode knows of its forward op;
    checks the gradients it returns while the mode is on at backward time (as PyTorch)."""

    __slots__ = ("fn", "op", "site", "inputs")

    def __init__(self, fn, op, site, inputs):
        self.fn, self.op, self.site, self.inputs = fn, op, site, inputs

    def __call__(self, g):
        grads = self.fn(g)
        if _anomaly.enabled and _anomaly.check_nan:
            for i, pg in enumerate(grads):
                if pg is not None and not _finite(pg):
                    incoming = "finite" if _finite(g) else "already non-finite"
                    raise AnomalyError(
                        f"detect_anomaly: the backward of '{self.op}' returned a gradient with "
                        f"{_kind_of_bad(pg)} for its input {i} (shape {shape_str(pg.shape)}, "
                        f"{pg.dtype}); the incoming gradient (shape {shape_str(g.shape)}) was "
                        f"{incoming}.  Forward inputs: {self.inputs}.  The op was created at "
                        f"{self.site}",
                        op=self.op, phase="backward", inputs=self.inputs, site=self.site)
        return grads


def _op_anomaly(data, parents, backward):
    """`Tensor._op` in anomaly mode: the plain node, its result checked and its backward
    wrapped with the op's name, input shapes and creation site."""
    out = _op_plain.__func__(data, parents, backward)
    if not _anomaly.check_nan:  # PyTorch's check_nan=False: nothing is checked
        return out
    op, site = _op_origin()
    inputs = _describe(parents)
    if not _finite(out._data):
        bad_inputs = [i for i, p in enumerate(parents) if not _finite(p._data)]
        cause = ("from finite inputs" if not bad_inputs else
                 f"but its inputs {bad_inputs} were already non-finite (the NaN/inf came "
                 f"from outside an op, e.g. the data or a parameter)")
        raise AnomalyError(
            f"detect_anomaly: '{op}' produced {_kind_of_bad(out._data)} in its forward result "
            f"(shape {shape_str(out._data.shape)}, {out._data.dtype}) {cause}.  Inputs: "
            f"{inputs}.  Called at {site}",
            op=op, phase="forward", inputs=inputs, site=site)
    if out._backward is not None:
        out._backward = _AnomalyBackward(out._backward, op, site, inputs)
    return out


def _arm_anomaly_backward(order, seed) -> None:
    """Before a backward in anomaly mode: check the seed gradient and wrap the nodes recorded
    outside the mode (their op is named from the backward function, their site unknown)."""
    if _anomaly.check_nan and not _finite(seed):
        raise AnomalyError(f"detect_anomaly: the gradient passed to backward() has "
                           f"{_kind_of_bad(seed)} (shape {shape_str(seed.shape)})",
                           op="backward", phase="backward", inputs=shape_str(seed.shape),
                           site="backward()")
    for node in order:
        fn = node._backward
        if fn is not None and fn is not _freed_backward and type(fn) is not _AnomalyBackward:
            op = getattr(fn, "__qualname__", "op").split(".<locals>")[0].split(".")[-1]
            node._backward = _AnomalyBackward(
                fn, op.lstrip("_") or "op",
                "(unknown: the forward ran outside detect_anomaly; run it inside to see where)",
                _describe(node._parents))
