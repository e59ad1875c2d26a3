"""A model declared from its loss: the user writes the family, boundcheck generates the rest.

A declared model is a subclass of :class:`DeclaredModel` in one Python file::

    class MyModel(DeclaredModel):
        name = "mine.quartic"
        params = (param("d", "int", 1, 8, "dimension"), ...)   # eta, steps, seed are added
        default_domain = {"d": (1, 4), "steps": (1, 40)}

        def draw(self, p, rng):            # p: the instance's parameters, rng: np.random.Generator(seed)
            return w0, {"A": A, "a": p["a"]}   # initial weights (1-D float64), data (arrays, floats)

        @staticmethod
        def loss(w, A, a): ...             # arguments: w, then the data by name; numba-compilable NumPy
        @staticmethod
        def grad(w, A, a): ...             # required for a NumPy loss (no adjoint is generated)

or with a sympy loss (``weights`` = a tuple of symbols, ``loss_expr`` an expression in them
and in data symbols named like the scalar data), whose gradient and Hessian are derived
symbolically (:mod:`boundcheck.verifiers.models.declared.symbolic`).

boundcheck generates the batched numba kernel (:mod:`~boundcheck.verifiers.models.declared.kernel`),
runs a NumPy reference of the same iteration (the user's functions run as plain Python) and, with
a high-precision backend, the mpmath replay: the data and w_0 are the instance's float64 numbers,
converted exactly; every iterate is then computed in mpmath. A NumPy loss replays in mpmath
when it uses arithmetic, ``@``, ``.sum()``, ``.T``, ``reshape``, slicing and ``np.sum`` /
``np.dot`` only (these work on object arrays); ``np.exp``, ``np.linalg`` and friends do not,
and ``boundcheck check-model`` says so. Module-level functions the loss calls are marked
``@helper`` (jit-compiled inside the kernel, plain Python in the replay). Extras should build their result with
``np.array([...])`` (an ``np.empty`` float buffer would round mpmath values to float64; the
replay then reports only float64 precision, never more).

Observables (t = 0..steps): ``loss``, ``grad_sq`` = ||grad f(w_t)||^2, ``min_grad_sq``,
``dist`` = ||w_t - w_0||_2, ``weight_norm_sq`` = ||w_t||^2, ``step_size`` = eta_t,
``path_sq`` = sum_{k < t} ||w_{k+1} - w_k||^2, and
with ``sharpness = True`` ``sharpness`` = the Rayleigh quotient v^T H v after
:data:`~boundcheck.verifiers.models.declared.kernel.POWER_ITERATIONS` power iterations on
Hessian-vector products from v_0 = 1/sqrt(n) (a lower estimate of lambda_max(H); the products
are the declared ``hvp``, the symbolic Hessian, or else central differences of the gradient),
plus the declared ``extra_observables`` (``extras(w, w0, g, eta_t, *data)`` returns them as an
array) and ``scalar_observables`` (``scalars(p, w0, data)``, float64 at t = 0), and
``finite_run`` (1 if every iterate stayed finite).

Loading a model file runs its code: a model file is trusted code, like any Python module.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import mpmath
import numpy as np

from boundcheck.verifiers.models.base import EPS, ERROR_KEY, SEED_MAX, Model, Observable, Observations, Param, param
from boundcheck.verifiers.models.declared import kernel as kernel_module
from boundcheck.verifiers.models.declared.steps import parse_step_rule
from boundcheck.verifiers.models.precision import FLOAT64

#: parameters every declared model has (a declaration may give its own with the same name)
STANDARD_PARAMS = (
    param("eta", "float", 1e-6, 10.0, "base step size (the step rule reads it)", positive=True),
    param("steps", "int", 1, 500, "number of gradient steps"),
    param("seed", "seed", 0, SEED_MAX, "seed of the instance's data and initial weights"),
)
STANDARD_OBSERVABLES = (
    Observable("loss", True, "f(w_t)"),
    Observable("grad_sq", True, "||grad f(w_t)||^2"),
    Observable("min_grad_sq", True, "min_{k <= t} ||grad f(w_k)||^2"),
    Observable("dist", True, "||w_t - w_0||_2"),
    Observable("weight_norm_sq", True, "||w_t||^2"),
    Observable("step_size", True, "eta_t, the step taken from w_t"),
    Observable("path_sq", True, "sum_{k < t} ||w_{k+1} - w_k||^2 = sum_{k < t} eta_k^2 ||grad f(w_k)||^2"),
)
#: relative accuracy trusted of float64 observables when sharpness comes from finite differences
FD_SHARPNESS_RTOL = 1e-5


class DeclarationError(ValueError):
    """A model file whose declaration is incomplete or inconsistent (one line, names the gap)."""


class DeclaredModel(Model):
    """Base class of a model declared by its loss (see the module docstring)."""

    #: step rule: "eta" (constant), an expression of t (schedule) or of the iterate's observables
    step: str = "eta"
    #: compute ``sharpness[t]`` (power iteration on Hessian-vector products; costs 2 x 20 gradients a step)
    sharpness: bool = False
    #: extra indexed observables: (name, doc) pairs, computed by ``extras``
    extra_observables: tuple[tuple[str, str], ...] = ()
    #: extra scalar observables: (name, doc) pairs, computed by ``scalars`` (float64, at t = 0)
    scalar_observables: tuple[tuple[str, str], ...] = ()
    #: extra observables that are zero in exact arithmetic (residuals of identities) or can be,
    #: so that their float64 values are rounding noise: ``check-model`` leaves them out of the
    #: relative reference-vs-replay comparison (and says so); statements bound them absolutely
    noise_observables: tuple[str, ...] = ()
    #: spread the instances of a batch over threads (:func:`~boundcheck.verifiers.models.declared.kernel.run_strided`)
    parallel: bool = True
    batch_size = 16
    replicas = 4
    #: NumPy loss: these are the user's functions (``grad`` required); sympy loss: derived
    loss = None
    grad = None
    hvp = None
    extras = None
    #: sympy loss: the weight symbols and the expression (then loss/grad/hvp are generated)
    weights: tuple = ()
    loss_expr = None

    def __init__(self) -> None:
        cls = type(self)
        if not self.name:
            raise DeclarationError(f"{cls.__name__}: a declared model needs a name")
        if getattr(cls, "draw", None) is DeclaredModel.draw:
            raise DeclarationError(f"{self.name}: declare draw(self, p, rng) -> (w0, data)")
        own = {p.name for p in cls.params}
        self.params = tuple(cls.params) + tuple(p for p in STANDARD_PARAMS if p.name not in own)
        self.doc = cls.doc or inspect.getdoc(cls) or ""
        if self.loss_expr is not None:
            from boundcheck.verifiers.models.declared.symbolic import symbolic_functions

            self._py, self._mp, self._arg_names = symbolic_functions(self)
        else:
            self._py, self._mp, self._arg_names = self._numpy_functions()
        extra = tuple(Observable(n, True, d) for n, d in self.extra_observables)
        sharp = (Observable("sharpness", True, "top Hessian eigenvalue estimate (power iteration)"),) \
            if self.sharpness else ()
        self.observables = (STANDARD_OBSERVABLES + sharp + extra
                            + tuple(Observable(n, False, d) for n, d in self.scalar_observables)
                            + (Observable("finite_run", False, "1 if every iterate stayed finite"),))
        names = [o.name for o in self.observables]
        clash = sorted({n for n in names if names.count(n) > 1} | (set(names) & set(self.param_names)))
        if clash:
            raise DeclarationError(f"{self.name}: observable name {clash[0]!r} is declared twice")
        if self.sharpness and "hvp" not in self._py:
            # central differences of the gradient (h = 1e-5 relative) carry ~1e-10 truncation and eps/h
            # ~ 2e-11 rounding relative to the gradient's scale, more relative to a small eigenvalue: the
            # float64 values are trusted to 1e-5 only, so near-boundary cells go to the replay
            self.observable_rtol = max(self.observable_rtol, FD_SHARPNESS_RTOL)
        self.rule = parse_step_rule(self.step, self.param_names, [n for n, _ in self.scalar_observables])
        self._kernel = None
        self._layout: tuple | None = None

    # -------------------------------------------------------------- declaration
    def draw(self, p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
        """(w_0, data) of one instance, from its parameters and ``np.random.default_rng(seed)``."""
        raise NotImplementedError

    def scalars(self, p: dict[str, Any], w0: np.ndarray, data: dict[str, Any]) -> dict[str, float]:
        """The declared scalar observables of an instance (float64)."""
        return {}

    def _numpy_functions(self):
        cls = type(self)
        loss, grad = cls.loss, cls.grad
        if loss is None:
            raise DeclarationError(f"{self.name}: declare loss(w, *data) (NumPy) or weights and loss_expr (sympy)")
        if grad is None:
            raise DeclarationError(
                f"{self.name}: a NumPy loss needs its gradient grad(w, *data): boundcheck derives gradients "
                "only for sympy losses (weights, loss_expr) and generates no adjoint of NumPy code")
        fns = {"loss": _plain(loss), "grad": _plain(grad)}
        for name in ("hvp", "extras"):
            fn = getattr(cls, name)
            if fn is not None:
                fns[name] = _plain(fn)
        if self.extra_observables and "extras" not in fns:
            raise DeclarationError(f"{self.name}: extra_observables are declared but extras(w, w0, g, eta, *data) is not")
        args = list(inspect.signature(fns["loss"]).parameters)
        if not args or args[0] != "w":
            raise DeclarationError(f"{self.name}: loss must take the weights first, as loss(w, *data)")
        for name, fn in fns.items():
            expected = {"loss": ["w"], "grad": ["w"], "hvp": ["w", "v"], "extras": ["w", "w0", "g", "eta"]}[name]
            got = list(inspect.signature(fn).parameters)
            if got != expected + args[1:]:
                raise DeclarationError(f"{self.name}: {name} must take ({', '.join(expected + args[1:])}), "
                                       f"not ({', '.join(got)})")
        return fns, fns, tuple(args[1:])

    # -------------------------------------------------------------- instances
    def instance(self, params: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any], dict[str, float]]:
        """(w_0, data by argument name, scalar observables) of one instance."""
        p = {k: params[k] for k in self.param_names}
        w0, data = self.draw(p, np.random.default_rng(int(p["seed"])))
        w0 = np.ascontiguousarray(np.asarray(w0, dtype=np.float64).ravel())
        missing = [a for a in self._arg_names if a not in data]
        if missing:
            raise DeclarationError(f"{self.name}: draw() gives no data {missing[0]!r} (the loss takes it)")
        clean = {}
        for name in self._arg_names:
            value = data[name]
            if isinstance(value, (int, float, np.integer, np.floating)):
                clean[name] = float(value)
            else:
                clean[name] = np.ascontiguousarray(np.asarray(value, dtype=np.float64))
        scalars = {k: float(v) for k, v in self.scalars(p, w0, clean).items()}
        declared = [n for n, _ in self.scalar_observables]
        if sorted(scalars) != sorted(declared):
            raise DeclarationError(f"{self.name}: scalars() gives {sorted(scalars)}, declared {sorted(declared)}")
        return w0, clean, scalars

    # -------------------------------------------------------------- fast path
    @property
    def n_columns(self) -> int:
        return len(kernel_module.COLUMNS) + int(self.sharpness) + len(self.extra_observables)

    def _compiled(self, arrays: list[tuple[str, int]], scalars: list[str]):
        layout = (tuple(arrays), tuple(scalars))
        if self._kernel is None or self._layout != layout:
            from numba import njit

            jitted = {name: njit(cache=True)(fn) for name, fn in self._py.items()}
            # the modules the jitted functions live in: numba's cache of the generated kernel refers to
            # them by name, so a kernel compiled against another module name must not be reused
            modules = sorted({getattr(fn, "__module__", "") or "" for fn in self._py.values()})
            source_key = self.name + "|" + _source_of(type(self)) + "|" + repr(self._arg_names) + "|" + repr(modules)
            self._kernel = kernel_module.build_kernel(
                source_key, jitted, arrays=arrays, scalars=scalars, params=self.param_names,
                model_scalars=[n for n, _ in self.scalar_observables], rule=self.rule, sharpness=self.sharpness,
                has_hvp="hvp" in self._py, n_extra=len(self.extra_observables))
            self._layout = layout
        return self._kernel

    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        insts = [self.instance(p) for p in batch]
        B = len(batch)
        first = insts[0][1]
        arrays = [(n, first[n].ndim) for n in self._arg_names if isinstance(first[n], np.ndarray)]
        scalars = [n for n in self._arg_names if not isinstance(first[n], np.ndarray)]
        kernel = self._compiled(arrays, scalars)
        nw = np.array([w0.size for w0, _, _ in insts], dtype=np.int64)
        W0 = np.zeros((B, int(nw.max())))
        for b, (w0, _, _) in enumerate(insts):
            W0[b, : w0.size] = w0
        padded = []
        for name, ndim in arrays:
            shapes = np.array([inst[1][name].shape for inst in insts], dtype=np.int64).reshape(B, ndim)
            D = np.zeros((B, *shapes.max(axis=0)))
            for b, inst in enumerate(insts):
                D[(b, *(slice(0, s) for s in shapes[b]))] = inst[1][name]
            padded += [D, shapes]
        DS = np.array([[inst[1][n] for n in scalars] for inst in insts], dtype=np.float64).reshape(B, len(scalars))
        PV = np.array([[float(p[n]) for n in self.param_names] for p in batch], dtype=np.float64)
        declared = [n for n, _ in self.scalar_observables]
        SV = np.array([[inst[2][n] for n in declared] for inst in insts], dtype=np.float64).reshape(B, len(declared))
        steps = np.array([int(p["steps"]) for p in batch], dtype=np.int64)
        out = np.full((B, int(steps.max()) + 1, self.n_columns), np.nan)
        with np.errstate(all="ignore"):
            if self.parallel:
                kernel_module.run_strided(kernel, B, W0, nw, *padded, DS, PV, SV, steps, out)
            else:
                kernel(W0, nw, *padded, DS, PV, SV, steps, out, 0, 1)
        return [self._observations(out[b, : steps[b] + 1], insts[b][2], batch[b]) for b in range(B)]

    def rounding_floors(self, params: dict[str, Any], obs: Observations) -> dict[str, np.ndarray]:
        """Absolute error bounds of observables that a float64 run computes only to a floor
        (a quantity 0 in exact arithmetic, a difference that cancels), per iteration; the
        conclusion's tolerance takes them (``obs[ERROR_KEY]``); an indexed observable without
        one gets ``observable_floor`` times its largest magnitude so far.

        Here ``dist`` = ||w_t - w_0||, which cancels while the weights barely move: each
        update rounds w to u ||w||, so against exact gradient descent the iterate carries
        about (t + 1) u max_k ||w_k|| when the step does not expand errors (an estimate for
        a model whose step may: a subclass knowing its step's Lipschitz constant states more),
        and the difference one more rounding of both."""
        with np.errstate(all="ignore"):
            norm = np.fmax.accumulate(np.sqrt(np.abs(obs["weight_norm_sq"])))
            return {"dist": 4 * (np.arange(norm.size) + 2) * EPS * norm}

    def _observations(self, table: np.ndarray, scalars: dict[str, Any], params: dict[str, Any]) -> Observations:
        obs: Observations = {name: table[:, j] for j, name in enumerate(kernel_module.COLUMNS)}
        col = len(kernel_module.COLUMNS)
        if self.sharpness:
            obs["sharpness"] = table[:, col]
            col += 1
        for j, (name, _) in enumerate(self.extra_observables):
            obs[name] = table[:, col + j]
        obs["min_grad_sq"] = _running_min(obs["grad_sq"])
        obs["path_sq"] = _path_sq(obs["step_size"], obs["grad_sq"])
        obs.update(scalars)
        if table.dtype == object:
            finite = all(_finite(v) for v in table.ravel())
        else:
            finite = bool(np.isfinite(table).all())
        obs["finite_run"] = int(finite)
        if table.dtype != object and (floors := self.rounding_floors(params, obs)):
            obs[ERROR_KEY] = floors
        return obs

    # -------------------------------------------------------------- reference and replay
    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        """The same iteration as plain Python: the user's functions on float64 arrays, or
        (``backend.dps``) on mpmath object arrays from the instance's exact float64 inputs."""
        w0, data, scalars = self.instance(params)
        mp = backend.dps is not None
        fns = self._mp if mp else self._py
        xp = backend
        sqrt = mpmath.sqrt if mp else np.sqrt
        args = [xp.asarray(v) if isinstance(v, np.ndarray) else (xp.scalar(v) if mp else v)
                for v in (data[n] for n in self._arg_names)]
        w0x = xp.asarray(w0)
        values = {"PV": {n: (mpmath.mpf(float(params[n])) if mp else float(params[n])) for n in self.param_names},
                  "SV": {n: (mpmath.mpf(v) if mp else v) for n, v in scalars.items()}}
        step_of = self._step_function(mp)
        steps = int(params["steps"])
        dtype = object if mp else np.float64
        table = np.full((steps + 1, self.n_columns), np.nan, dtype=dtype)
        w, f0 = w0x.copy(), None
        for k in range(steps + 1):
            f = fns["loss"](w, *args)
            g = np.asarray(fns["grad"](w, *args))
            gsq = (g * g).sum()
            dw = w - w0x
            dist = sqrt((dw * dw).sum())
            wsq = (w * w).sum()
            f0 = f if k == 0 else f0
            table[k, :4] = [f, gsq, dist, wsq]
            if not (_finite(f) and _finite(gsq)):
                break
            eta_k = step_of(k, f, gsq, dist, wsq, f0, values)
            table[k, 4] = eta_k
            col = len(kernel_module.COLUMNS)
            if self.sharpness:
                table[k, col] = self._sharpness_reference(w, args, fns, mp)
                col += 1
            if self.extra_observables:
                ex = fns["extras"](w, w0x, g, eta_k, *args)
                table[k, col: col + len(self.extra_observables)] = list(ex)
            if k == steps:
                break
            w = w - eta_k * g
        obs = self._observations(table.astype(np.float64) if not mp else table, scalars, params)
        if mp:
            obs["min_grad_sq"] = _running_min(table[:, 1])
            obs["path_sq"] = _path_sq(table[:, 4], table[:, 1])
        return obs

    def _step_function(self, mp: bool):
        variables = {"t": "k", "loss": "f", "grad_sq": "gsq", "dist": "dist", "weight_norm_sq": "wsq", "loss0": "f0"}
        variables.update({p: f"PV[{p!r}]" for p in self.param_names})
        variables.update({s: f"SV[{s!r}]" for s, _ in self.scalar_observables})
        code = self.rule.code("mpmath" if mp else "math", variables)
        namespace = {"math": __import__("math"), "mpmath": mpmath}
        # ``code`` is printed by sympy from the whitelist-parsed rule (no user text is executed)
        exec(f"def _step(k, f, gsq, dist, wsq, f0, PV, SV):\n    return {code}\n", namespace)  # noqa: S102
        step = namespace["_step"]
        if mp:
            return lambda k, f, gsq, dist, wsq, f0, v: step(mpmath.mpf(k), f, gsq, dist, wsq, f0, v["PV"], v["SV"])
        return lambda k, f, gsq, dist, wsq, f0, v: float(step(k, f, gsq, dist, wsq, f0, v["PV"], v["SV"]))

    def _sharpness_reference(self, w, args, fns, mp: bool):
        n = w.size
        one = mpmath.mpf(1) if mp else 1.0
        sqrt = mpmath.sqrt if mp else np.sqrt
        v = np.array([one / sqrt(n)] * n, dtype=object if mp else np.float64)
        if "hvp" in fns:
            def hvp(v):
                return np.asarray(fns["hvp"](w, v, *args))
        else:
            # central differences at a step that leaves an O(h^2) error far below the replay precision
            h = (mpmath.mpf(10) ** (-(mpmath.mp.dps // 2 + 2)) if mp else kernel_module.HVP_RELATIVE_STEP) \
                * (1 + sqrt((w * w).sum()))

            def hvp(v):
                return (np.asarray(fns["grad"](w + h * v, *args)) - np.asarray(fns["grad"](w - h * v, *args))) / (2 * h)
        rq = 0 * one
        for _ in range(kernel_module.POWER_ITERATIONS):
            hv = hvp(v)
            rq = (v * hv).sum()
            nrm = sqrt((hv * hv).sum())
            if not (nrm > 0) or not _finite(nrm):
                break
            v = hv / nrm
        return rq


def helper(fn):
    """Mark a module-level function that a declared loss, gradient or extras calls: compiled by
    numba when the kernel calls it, a plain Python function in the reference and the replay
    (``numba.extending.register_jitable``; numba is imported only when a model file uses it)."""
    from numba.extending import register_jitable

    return register_jitable(fn)


def _plain(fn):
    """The Python function under a staticmethod or a numba dispatcher."""
    fn = fn.__func__ if isinstance(fn, staticmethod) else fn
    return getattr(fn, "py_func", fn)


def _source_of(cls) -> str:
    try:
        return inspect.getsource(inspect.getmodule(cls))
    except (OSError, TypeError):
        return repr(cls)


def _finite(value) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (OverflowError, ValueError, TypeError):
        return False


def _path_sq(step: np.ndarray, grad_sq: np.ndarray) -> np.ndarray:
    """sum_{k < t} step_k^2 grad_sq_k, t = 0..T (0 at t = 0)."""
    out = step.copy()
    out[0] = 0 * step[0] if step.dtype == object else 0.0
    if len(out) > 1:
        out[1:] = np.cumsum(step[:-1] * step[:-1] * grad_sq[:-1])
    return out


def _running_min(values: np.ndarray) -> np.ndarray:
    """min_{k <= t} values[k]; the NaN tail of a run that stopped stays NaN."""
    if values.dtype != object:
        return np.minimum.accumulate(values)
    out = values.copy()
    for k in range(1, len(out)):
        if _finite(out[k - 1]) and _finite(out[k]) and out[k - 1] < out[k]:
            out[k] = out[k - 1]
    return out


__all__ = ["DeclarationError", "DeclaredModel", "Param", "param"]
