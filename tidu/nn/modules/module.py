"""`Module`: the base of every layer and model, shaped like `torch.nn.Module`.

Parameters, sub-modules and buffers assigned as attributes are registered in order, so
``state_dict()`` keys are PyTorch's (``0.weight``, ``weight_ih_l0``, ``running_mean``, …) and a
PyTorch state_dict converted to NumPy arrays loads into the matching tidu model.
Registered values also live in the instance ``__dict__``, so attribute access costs nothing.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from ...backend import (device_of, get_default_device, like, normalize_device, parse_to_args,
                        to_device, to_numpy, xp_of)
from ...errors import ArgumentError, GraphError, ShapeError, StateDictError, shape_str
from ...tensor import Tensor, is_grad_enabled
from ..parameter import Parameter


class Module:
    training: bool

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before "
                                 f"assigning attribute {name!r}")
        kinds = ((self._parameters, Parameter), (self._modules, Module), (self._buffers, None))
        for registry, kind in kinds:
            if name in registry:
                # as torch: None, or a value of the same kind, keeps the name in its place
                # (so a reassigned parameter or buffer keeps its state_dict position)
                if value is None or (isinstance(value, kind) if kind else
                                     not isinstance(value, (Parameter, Module))):
                    if kind is None and value is not None:
                        value = _buffer_tensor(value)
                    registry[name] = value
                    object.__setattr__(self, name, value)
                    return
                del registry[name]
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        elif name in self.__dict__.get("_buffer_names", ()):
            value = None if value is None else _buffer_tensor(value)
            self._buffers[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name: str, array, persistent: bool = True) -> None:
        """Register state that is saved in ``state_dict`` but not trained: a tensor without
        gradient (an array or number given is wrapped in one), as PyTorch's buffers."""
        self.__dict__.setdefault("_buffer_names", set()).add(name)
        if not persistent:
            self._non_persistent.add(name)
        setattr(self, name, array)

    def register_parameter(self, name: str, param) -> None:
        setattr(self, name, param)
        if param is None:
            self._parameters[name] = None

    def add_module(self, name: str, module: "Module") -> None:
        """Register ``module`` (a `Module` instance, or None) as the child ``name``."""
        if module is not None and not isinstance(module, Module):
            raise ArgumentError(f"{type(self).__name__}: child {name!r} must be a Module "
                                f"instance, got {_describe(module)}")
        setattr(self, name, module)

    # ------------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    # (forward pre-hooks, forward hooks, backward pre-hooks, full backward hooks) once any
    # hook is registered; None: the plain call
    _hooks = None

    # PyTorch's hook dicts, read by code that checks which hooks are registered
    @property
    def _forward_pre_hooks(self) -> dict:
        return {} if self._hooks is None else dict(self._hooks[0])

    @property
    def _forward_hooks(self) -> dict:
        return {} if self._hooks is None else dict(self._hooks[1])

    @property
    def _backward_pre_hooks(self) -> dict:
        return {} if self._hooks is None else dict(self._hooks[2])

    @property
    def _backward_hooks(self) -> dict:
        return {} if self._hooks is None else dict(self._hooks[3])

    def __call__(self, *args, **kwargs):
        if self._hooks is None:  # the usual path: one attribute test, no hook machinery
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args, kwargs):
        pre, post, bw_pre, bw = self._hooks
        for hook in list(pre.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        state = None
        if (bw_pre or bw) and is_grad_enabled():
            state = _BackwardHookCall(self, list(bw_pre.values()), list(bw.values()))
            args = state.wrap_inputs(args)
        out = self.forward(*args, **kwargs)
        for hook in list(post.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        if state is not None:
            out = state.wrap_outputs(out)
        return out

    def register_forward_pre_hook(self, hook) -> "RemovableHandle":
        """Call ``hook(module, args)`` before each ``forward`` (as PyTorch); a non-None
        result replaces the positional arguments.  Returns a handle whose ``remove()``
        unregisters it."""
        return RemovableHandle(self, 0, hook)

    def register_forward_hook(self, hook) -> "RemovableHandle":
        """Call ``hook(module, args, output)`` after each ``forward`` (as PyTorch); a
        non-None result replaces the output.  Returns a handle whose ``remove()``
        unregisters it."""
        return RemovableHandle(self, 1, hook)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False) -> "RemovableHandle":
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs are
        known, during backward (as PyTorch).  ``grad_output`` is a tuple with one entry per
        output (a tuple output: per top-level element), each a Tensor, or None for an output
        that is not a Tensor or received no gradient.  A non-None result (a tuple of the same
        length) replaces ``grad_output`` for the rest of the backward pass."""
        return RemovableHandle(self, 2, hook, prepend)

    def register_full_backward_hook(self, hook, prepend: bool = False) -> "RemovableHandle":
        """Call ``hook(module, grad_input, grad_output)`` once the gradients with respect to
        the module's positional inputs are computed, during backward (as PyTorch).
        ``grad_input`` has one entry per positional argument: a Tensor, or None for an
        argument that is not a Tensor or does not require grad (keyword arguments are not
        seen).  A non-None result (a tuple of the same length) replaces ``grad_input``.
        When no input requires grad the hook is called with all-None ``grad_input`` as soon
        as ``grad_output`` is known and must return None (PyTorch also warns there; tidu
        does not).

        How: the call wraps the inputs, and then the outputs, in one identity graph node each
        (a ``hub`` gathering the gradients of all its tensors); a module without backward
        hooks is called exactly as before.  Parameters' gradients are not part of
        ``grad_input``, as in PyTorch."""
        return RemovableHandle(self, 3, hook, prepend)

    # ------------------------------------------------------------------ traversal
    def named_modules(self, prefix: str = "", remove_duplicate: bool = True):
        stack = [(prefix, self)]
        seen = set()
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in seen:
                    continue
                seen.add(id(mod))
            yield name, mod
            children = [(f"{name}.{n}" if name else n, m) for n, m in mod._modules.items()
                        if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        seen = set()
        mods = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mod_name, mod in mods:
            for name, p in mod._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self, recurse: bool = True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = ""):
        for mod_name, mod in self.named_modules(prefix):
            for name, b in mod._buffers.items():
                if b is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    def buffers(self):
        for _, b in self.named_buffers():
            yield b

    def apply(self, fn) -> "Module":
        """Call ``fn`` on every sub-module, children before parents (as torch)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> "Module":
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p.grad is not None and not set_to_none:
                p.grad._data[...] = 0
            else:
                p.grad = None

    def requires_grad_(self, flag: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad = flag
        return self

    def to(self, *args, dtype=None, device=None) -> "Module":
        """``to(dtype)``, ``to(device)`` or both, as PyTorch, in place: cast every float
        parameter and buffer to ``dtype`` (float32 or float64; gradients are dropped) and/or
        move parameters, their gradients and buffers to ``device`` ('cpu' or 'cuda')."""
        dtype, device = parse_to_args(args, dtype, device)
        if dtype is not None:
            self._cast(np.dtype(dtype))
        if device is not None:
            self._move(normalize_device(device))
        return self

    def _cast(self, dtype) -> None:
        for m in self.modules():
            for p in m._parameters.values():
                if p is not None and p._data.dtype.kind == "f":
                    p._data = p._data.astype(dtype)
                    p.grad = None
            for b in m._buffers.values():
                if b is not None and b._data.dtype.kind == "f":
                    b._data = b._data.astype(dtype)

    def _move(self, device: str) -> None:
        for m in self.modules():
            for p in m._parameters.values():
                if p is not None:
                    p._data = to_device(p._data, device)
                    if p.grad is not None:
                        p.grad._data = to_device(p.grad._data, device)
            for b in m._buffers.values():
                if b is not None:
                    b._data = to_device(b._data, device)

    def cuda(self) -> "Module":
        return self.to(device="cuda")

    def cpu(self) -> "Module":
        return self.to(device="cpu")

    def double(self) -> "Module":
        return self.to(np.float64)

    def float(self) -> "Module":
        return self.to(np.float32)

    # ------------------------------------------------------------------ state
    def _state_items(self):
        # A module shared at two places is listed under both names, as in torch's state_dict.
        for mod_name, mod in self.named_modules(remove_duplicate=False):
            pre = f"{mod_name}." if mod_name else ""
            for name, p in mod._parameters.items():
                if p is not None:
                    yield pre + name, mod, name, p._data
            for name, b in mod._buffers.items():
                if b is not None and name not in mod._non_persistent:
                    yield pre + name, mod, name, b._data

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """Parameters and persistent buffers by PyTorch's key names, as tensors cut from the
        graph that share the model's memory (as PyTorch's: ``.clone()`` them, or
        ``copy.deepcopy`` the dict, to keep a snapshot).  ``keep_vars=True`` gives the
        parameters themselves; ``destination`` (a dict to fill) and ``prefix`` (put before every
        key) are PyTorch's too."""
        if args:  # torch's deprecated positional (destination, prefix, keep_vars)
            destination, prefix, keep_vars = (list(args) + [destination, prefix, keep_vars][len(args):])[:3]
        out = OrderedDict() if destination is None else destination
        params = {id(p._data): p for p in self.parameters()} if keep_vars else {}
        for key, _, _, arr in self._state_items():
            param = params.get(id(arr))
            out[prefix + key] = param if param is not None else Tensor._wrap(arr)
        return out

    def load_state_dict(self, state_dict, strict: bool = True):
        """Copy values into the model's arrays (in place, cast to each array's dtype).

        Raises `StateDictError` listing every missing, unexpected and mis-shaped key; with
        ``strict=False`` missing and unexpected keys are returned instead.
        """
        if not isinstance(state_dict, Mapping):
            raise StateDictError(
                f"load_state_dict into {type(self).__name__}: expected a mapping of key → array "
                f"(e.g. model.state_dict() or tidu.load(path)), got {type(state_dict).__name__}")
        own = {key: (mod, name, arr) for key, mod, name, arr in self._state_items()}
        given = {k: _host_array(v) for k, v in state_dict.items()}
        missing = [k for k in own if k not in given]
        unexpected = [k for k in given if k not in own]
        mismatched = [_mismatch(k, own[k][2], given[k]) for k in own if k in given]
        mismatched = [m for m in mismatched if m]
        if mismatched or (strict and (missing or unexpected)):
            lines = [f"load_state_dict into {type(self).__name__} failed:"]
            if missing:
                lines.append(f"  missing keys: {', '.join(missing)}")
            if unexpected:
                lines.append(f"  unexpected keys: {', '.join(unexpected)}")
            if mismatched:
                lines.append("  shape or dtype mismatch: " + "; ".join(mismatched))
            raise StateDictError("\n".join(lines))
        for key, (mod, name, arr) in own.items():
            if key in given:
                if type(arr) is np.ndarray:
                    np.copyto(arr, given[key], casting="unsafe")
                else:
                    arr[...] = like(arr, given[key].astype(arr.dtype))
        return missing, unexpected

    # ------------------------------------------------------------------ display
    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self.named_children()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


def _mismatch(key: str, own: np.ndarray, given: np.ndarray) -> str | None:
    """Why ``given`` cannot be copied into the model's array ``own``, or None if it can."""
    if given.dtype.kind not in "biuf":
        return f"{key}: model {own.dtype} values, given dtype {given.dtype}"
    if given.shape != own.shape:
        return f"{key}: model {shape_str(own.shape)}, given {shape_str(given.shape)}"
    return None


class RemovableHandle:
    """The handle of a registered forward or backward (pre-)hook: ``remove()`` unregisters it
    (also on leaving a ``with handle:`` block).  With its last hook removed the module is back
    on the plain call path."""

    _ids = iter(range(1 << 62))
    _KINDS = ("forward pre-hook", "forward hook", "backward pre-hook", "full backward hook")

    def __init__(self, module: Module, kind: int, hook, prepend: bool = False):
        if not callable(hook):
            raise TypeError(f"{type(module).__name__}: a {self._KINDS[kind]} must be callable, "
                            f"got {type(hook).__name__}")
        if module.__dict__.get("_hooks") is None:
            object.__setattr__(module, "_hooks", tuple(OrderedDict() for _ in self._KINDS))
        self.module, self.kind, self.id = module, kind, next(RemovableHandle._ids)
        module._hooks[kind][self.id] = hook
        if prepend:
            module._hooks[kind].move_to_end(self.id, last=False)

    def remove(self) -> None:
        hooks = self.module.__dict__.get("_hooks")
        if hooks is None:
            return
        hooks[self.kind].pop(self.id, None)
        if not any(hooks):
            del self.module.__dict__["_hooks"]

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


# --------------------------------------------------------------------------- backward hooks
def _zeros_like(arr):
    return xp_of(arr).zeros(arr.shape, dtype=arr.dtype)


def _hub(tensors, on_grads):
    """Route ``tensors`` (each requiring grad) through one identity graph node.

    Returns new tensors with the same arrays.  In backward each of them passes its gradient to
    a shared stash and a zero scalar to a hidden ``hub`` node whose parents are the original
    tensors; the topological order runs the hub after all of them, so ``on_grads`` sees every
    gradient at once (None for a tensor that received none) and returns the gradients for the
    originals."""
    xp = xp_of(tensors[0]._data)
    dtype = tensors[0]._data.dtype
    stash = [None] * len(tensors)

    def hub_backward(_):
        grads = tuple(stash)
        stash[:] = [None] * len(stash)
        return on_grads(grads)

    hub = Tensor._op(xp.zeros((), dtype=dtype), tuple(tensors), hub_backward)

    def leg(i):
        def backward(g):
            stash[i] = g if stash[i] is None else stash[i] + g
            return (xp.zeros((), dtype=dtype),)
        return backward

    return [Tensor._op(t._data, (hub,), leg(i)) for i, t in enumerate(tensors)]


class _BackwardHookCall:
    """One call of a module with backward hooks: the input and output hubs and the
    grad_output they share (PyTorch's ``BackwardHook``)."""

    def __init__(self, module, pre_hooks, hooks):
        self.module, self.pre_hooks, self.hooks = module, pre_hooks, hooks
        self.name = type(module).__name__
        self.n_inputs, self.input_index = 0, None
        self.grad_outputs = None

    def _split(self, items):
        index = [i for i, v in enumerate(items) if isinstance(v, Tensor) and v.requires_grad]
        return index, [items[i] for i in index]

    def wrap_inputs(self, args):
        self.n_inputs = len(args)
        index, tensors = self._split(args)
        if not tensors:
            return args
        self.input_index, self.input_like = index, [t._data for t in tensors]
        # tensors that need no grad: zeros in grad_input, as PyTorch's materialised gradients
        self.input_constants = [(i, a) for i, a in enumerate(args)
                                if isinstance(a, Tensor) and not a.requires_grad]
        args = list(args)
        for i, t in zip(index, _hub(tensors, self._input_grads)):
            args[i] = t
        return tuple(args)

    def wrap_outputs(self, out):
        items = out if isinstance(out, tuple) else (out,)
        self.n_outputs = len(items)
        index, tensors = self._split(items)
        if not tensors:
            return out
        self.output_index, self.output_like = index, [t._data for t in tensors]
        items = list(items)
        for i, t in zip(index, _hub(tensors, self._output_grads)):
            items[i] = t
        return tuple(items) if isinstance(out, tuple) else items[0]

    @staticmethod
    def _pack(index, grads, size):
        res = [None] * size
        for i, g in zip(index, grads):
            res[i] = None if g is None else Tensor._wrap(g)
        return tuple(res)

    def _unpack(self, index, values, what, likes):
        """The arrays at ``index`` of a (possibly hook-replaced) gradient tuple, checked
        against the shapes of the tensors they belong to."""
        out = []
        for i, like_arr in zip(index, likes):
            v = values[i]
            if v is None:
                out.append(None)
                continue
            arr = v._data if isinstance(v, Tensor) else v
            if arr.shape != like_arr.shape:
                raise GraphError(f"{self.name}: a backward hook returned {what}[{i}] of shape "
                                 f"{shape_str(arr.shape)}, expected {shape_str(like_arr.shape)}")
            out.append(arr)
        return tuple(out)

    def _check_len(self, result, expected, what, kind):
        if not isinstance(result, (tuple, list)) or len(result) != expected:
            got = len(result) if isinstance(result, (tuple, list)) else type(result).__name__
            raise GraphError(f"{self.name}: {kind} returned an invalid number of {what}, "
                             f"got {got}, but expected {expected}")
        return tuple(result)

    def _output_grads(self, grads):
        grad_outputs = self._pack(self.output_index, grads, self.n_outputs)
        for hook in self.pre_hooks:
            result = hook(self.module, grad_outputs)
            if result is not None:
                grad_outputs = self._check_len(result, len(grad_outputs), "grad_output",
                                               "a backward pre-hook")
        self.grad_outputs = grad_outputs
        # what flows on: zeros for an output that got no gradient (PyTorch materialises them)
        flow = list(grad_outputs)
        for i, like_arr in zip(self.output_index, self.output_like):
            if flow[i] is None:
                flow[i] = _zeros_like(like_arr)
        if self.input_index is None:  # no input requires grad: the hooks run here
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                result = hook(self.module, grad_inputs, grad_outputs)
                if result is not None and not (isinstance(result, tuple)
                                               and all(r is None for r in result)):
                    raise GraphError(f"{self.name}: a backward hook for a module where no input "
                                     f"requires gradient should always return None or None "
                                     f"for all gradients")
            self.grad_outputs = None
        return self._unpack(self.output_index, flow, "grad_output", self.output_like)

    def _input_grads(self, grads):
        if self.grad_outputs is None:  # the gradient did not come through the outputs
            return grads
        grads = [_zeros_like(t) if g is None else g
                 for g, t in zip(grads, self.input_like)]
        grad_inputs = list(self._pack(self.input_index, grads, self.n_inputs))
        for i, a in self.input_constants:
            grad_inputs[i] = Tensor._wrap(_zeros_like(a._data))
        grad_inputs = tuple(grad_inputs)
        for hook in self.hooks:
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is not None:
                grad_inputs = self._check_len(result, len(grad_inputs), "grad_input",
                                              "a backward hook")
        self.grad_outputs = None
        return self._unpack(self.input_index, grad_inputs, "grad_input", self.input_like)


def _host_array(value) -> np.ndarray:
    if isinstance(value, Tensor):
        return to_numpy(value._data)
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor, say
        return value.detach().cpu().numpy()
    return to_numpy(value) if device_of(value) != "cpu" else np.asarray(value)


def _buffer_tensor(value) -> Tensor:
    """A buffer: a tensor as given (cut from any graph), or an array or number wrapped in
    one on the default device (a device array stays where it is)."""
    if isinstance(value, Tensor):
        return value.detach() if value.requires_grad else value
    if type(value) is not np.ndarray and device_of(value) != "cpu":
        return Tensor._wrap(value)
    arr = np.asarray(value)
    device = get_default_device()
    return Tensor._wrap(arr if device == "cpu" else to_device(arr, device))


def check_last_dim(layer: Module, x: Tensor, size: int, what: str = "features") -> None:
    """Raise a ShapeError naming ``layer`` unless ``x``'s last dimension is ``size``."""
    if x.ndim == 0 or x.shape[-1] != size:
        raise ShapeError(f"{layer!r}: expected input with {size} {what} in its last dimension, "
                         f"got shape {shape_str(x.shape)}")


def _describe(value) -> str:
    """A value's kind for an error message; a Module class names the missing call."""
    if isinstance(value, type) and issubclass(value, Module):
        return f"the class {value.__name__} (an instance is needed: {value.__name__}())"
    return f"{type(value).__name__} {value!r}"[:200]
