"""``boundcheck check-model FILE[:Name]``: is a declared model's generated code right, and how fast?

On instances sampled from the model's default domain (``--instances``, seeded), it

1. compiles the generated kernel and runs the batch;
2. runs the NumPy reference of every instance and the mpmath replay (``--dps`` digits);
3. checks the declared gradient against central differences of the loss, computed in mpmath
   (step 1e-12 at 40 digits: the difference error is far below the comparison's tolerance),
   at w_0 and at the last iterate;

and prints, per comparison, the largest normwise relative difference over every indexed
observable (max_t |a_t - b_t| / max_t |b_t|), with the thresholds it must meet:
kernel vs reference 1e-9 (the same arithmetic compiled two ways), reference vs replay 1e-6
(float64 rounding carried through the iterations of a small instance; a model's declared
``noise_observables``, zero in exact arithmetic, are left out and listed), gradient vs finite
differences 1e-8. Then the speed of the kernel (after compilation; the best of 7 calls) and
of the reference, per gradient step, on the same instances run for 100 steps.
Exit 0 when every check passes, 1 when one fails, 2 on bad input.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

KERNEL_VS_REFERENCE = 1e-9
REFERENCE_VS_REPLAY = 1e-6
GRADIENT_VS_DIFFERENCES = 1e-8
MAX_STEPS = 10
#: steps of the timed runs (kernel and reference, same instances, both including the instance draw)
TIMED_STEPS = 100
TIMED_REPEATS = 7


@dataclass
class ModelCheck:
    """The agreement figures of one model (see the module docstring)."""

    model: str
    instances: int
    kernel_vs_reference: float = np.nan
    reference_vs_replay: float = np.nan
    gradient_vs_differences: float = np.nan
    compile_s: float = np.nan
    kernel_step_us: float = np.nan
    reference_step_us: float = np.nan
    problems: list[str] = field(default_factory=list)
    noise: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return (not self.problems and self.kernel_vs_reference <= KERNEL_VS_REFERENCE
                and self.reference_vs_replay <= REFERENCE_VS_REPLAY
                and self.gradient_vs_differences <= GRADIENT_VS_DIFFERENCES)

    def lines(self) -> list[str]:
        def mark(value, tol):
            return "ok" if value <= tol else "FAIL"

        return [
            f"model {self.model}: {self.instances} instances from its default domain (steps <= {MAX_STEPS})",
            f"  kernel vs NumPy reference     {self.kernel_vs_reference:.2e}  (<= {KERNEL_VS_REFERENCE:.0e}) "
            f"{mark(self.kernel_vs_reference, KERNEL_VS_REFERENCE)}",
            f"  reference vs mpmath replay    {self.reference_vs_replay:.2e}  (<= {REFERENCE_VS_REPLAY:.0e}) "
            f"{mark(self.reference_vs_replay, REFERENCE_VS_REPLAY)}",
            f"  gradient vs finite diffs      {self.gradient_vs_differences:.2e}  (<= {GRADIENT_VS_DIFFERENCES:.0e}) "
            f"{mark(self.gradient_vs_differences, GRADIENT_VS_DIFFERENCES)}",
            f"  speed: kernel {self.kernel_step_us:.2f} us/step, reference {self.reference_step_us:.1f} us/step "
            f"(x{self.reference_step_us / self.kernel_step_us:.0f}); first call {self.compile_s:.1f}s (compile or cache)",
            *([f"  (rounding-noise observables left out of the replay comparison: {', '.join(self.noise)})"]
              if self.noise else []),
            *(f"  problem: {p}" for p in self.problems),
            f"  {'PASS' if self.passed else 'FAIL'}",
        ]


def sample_instances(model, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` parameter sets drawn uniformly from the model's default domain (its declared ranges
    where the domain says nothing), steps capped at MAX_STEPS."""
    rng = np.random.default_rng(seed)
    domain = dict(model.default_domain or {})
    out: list[dict[str, Any]] = []
    for _ in range(100 * count):
        if len(out) == count:
            break
        p = {}
        for prm in model.params:
            lo, hi = domain.get(prm.name, (prm.lo, prm.hi))
            if prm.name == "steps":
                lo, hi = min(lo, MAX_STEPS), min(hi, MAX_STEPS)
            if prm.kind == "seed":
                p[prm.name] = int(rng.integers(0, 2**31))
            elif prm.kind == "int":
                p[prm.name] = int(rng.integers(int(lo), int(hi) + 1))
            else:
                p[prm.name] = float(rng.uniform(lo, hi))
        try:
            out.append(model.validate(p))
        except ValueError:  # a relation among the parameters (r <= n ...): draw again
            continue
    if len(out) < count:
        raise ValueError(f"{model.name}: fewer than {count} valid instances in 100 x {count} draws "
                         "from its default domain")
    return out


def _best_of(call, repeats: int) -> float:
    """The shortest of ``repeats`` timed calls (seconds): the machine's other load only adds time."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def _normwise(a, b) -> float:
    """max_t |a_t - b_t| / max_t |b_t| over the finite entries of b (0 when b is all zero and a equals it)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or not np.array_equal(np.isfinite(a), np.isfinite(b)):
        return np.inf
    keep = np.isfinite(b)
    if not keep.any():
        return 0.0
    diff = np.max(np.abs(a[keep] - b[keep]))
    scale = np.max(np.abs(b[keep]))
    return float(diff / scale) if scale > 0 else (0.0 if diff == 0 else np.inf)


def _indexed_difference(model, first: dict, second: dict, skip: tuple[str, ...] = ()) -> float:
    return max(_normwise(first[n], second[n]) for n in model.indexed_names if n not in skip)


def _gradient_error(model, params: dict[str, Any], w) -> float:
    """Normwise relative error of the declared gradient at ``w`` against mpmath central differences."""
    _, data, _ = model.instance(params)
    with mpmath.workdps(40):
        args = [np.array(v.tolist(), dtype=object) * mpmath.mpf(1) if isinstance(v, np.ndarray) else mpmath.mpf(v)
                for v in (data[n] for n in model._arg_names)]
        wx = np.array([mpmath.mpf(float(x)) for x in w], dtype=object)
        h = mpmath.mpf("1e-12")
        fd = []
        for i in range(wx.size):
            e = np.array([mpmath.mpf(0)] * wx.size, dtype=object)
            e[i] = h
            fd.append((model._mp["loss"](wx + e, *args) - model._mp["loss"](wx - e, *args)) / (2 * h))
        g = np.asarray(model._mp["grad"](wx, *args), dtype=object)
        diff = max(abs(g[i] - fd[i]) for i in range(wx.size))
        scale = max(abs(v) for v in fd)
        return float(diff / scale) if scale > 0 else (0.0 if diff == 0 else np.inf)


def check_model(model, instances: int = 4, seed: int = 0, dps: int = 30) -> ModelCheck:
    """Kernel vs reference vs replay and the gradient vs finite differences (module docstring)."""
    from boundcheck.verifiers.models.declared import DeclaredModel
    from boundcheck.verifiers.models.precision import high_precision

    if not isinstance(model, DeclaredModel):
        raise TypeError(f"{model.name} is a hand-written model: check-model checks declared models "
                        "(its own tests compare its kernel with its reference)")
    report = ModelCheck(model.name, instances, noise=tuple(model.noise_observables))
    batch = sample_instances(model, instances, seed)
    start = time.perf_counter()
    fast = model.run(batch)
    report.compile_s = time.perf_counter() - start
    timed = [dict(p, steps=min(int(model.param("steps").hi), TIMED_STEPS)) for p in batch]
    n_steps = sum(int(p["steps"]) + 1 for p in timed)
    model.run(timed)
    report.kernel_step_us = _best_of(lambda: model.run(timed), TIMED_REPEATS) / n_steps * 1e6
    report.reference_step_us = _best_of(lambda: [model.reference(p) for p in timed], 1) / n_steps * 1e6
    refs = [model.reference(p) for p in batch]
    report.kernel_vs_reference = max(_indexed_difference(model, f, r) for f, r in zip(fast, refs))
    replay, grad = [], []
    for p, r in zip(batch, refs):
        try:
            hp = model.reference(p, high_precision(dps))
            replay.append(_indexed_difference(model, r, hp, model.noise_observables))
        except (TypeError, AttributeError, ValueError) as exc:
            report.problems.append(f"the mpmath replay fails ({type(exc).__name__}: {exc}); the loss uses an "
                                   "operation object arrays lack (np.exp, np.linalg, ...): write it with "
                                   "arithmetic, @, sum, reshape")
            break
        try:
            w0, _, _ = model.instance(p)
            grad.append(_gradient_error(model, p, w0))
        except (TypeError, AttributeError, ValueError) as exc:
            report.problems.append(f"the gradient check fails ({type(exc).__name__}: {exc})")
            break
    if replay:
        report.reference_vs_replay = max(replay)
    if grad:
        report.gradient_vs_differences = max(grad)
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="a model file FILE.py[:Name], or the name of a declared model")
    parser.add_argument("--instances", type=int, default=4, help="instances sampled from the default domain (4)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sampled instances (0)")
    parser.add_argument("--dps", type=int, default=30, help="digits of the mpmath replay (30)")


def main(args: argparse.Namespace) -> int:
    from boundcheck.verifiers.errors import BoundcheckError
    from boundcheck.verifiers.models import get_model

    if args.instances < 1 or args.dps < 16:
        raise BoundcheckError("check-model needs --instances >= 1 and --dps >= 16")
    try:
        model = get_model(args.model)
    except (KeyError, ValueError, OSError, SyntaxError, ImportError) as exc:
        raise BoundcheckError(f"cannot load model {args.model}: {str(exc).strip(chr(39))}") from None
    try:
        report = check_model(model, args.instances, args.seed, args.dps)
    except TypeError as exc:
        raise BoundcheckError(str(exc)) from None
    print("\n".join(report.lines()))
    return 0 if report.passed else 1
