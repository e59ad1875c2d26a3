"""boundcheck's speed, measured side by side with NumPy, PyTorch (CPU) and JAX in one run.

    python -m benchmarks.run            # everything (a few minutes on 2 cores, plus cold compilation)
    python -m benchmarks.run --quick    # fewer sizes and repetitions
    python -m benchmarks.run --sections models,end-to-end   # a subset (kernels, models,
                                        # scaling-models, end-to-end, first-run, verify-all)

Absolute numbers drift by 20% on shared machines, so every figure is also given as a
ratio to a peer measured in the same process. Peers that are not installed are
skipped with a note (``pip install -e ".[bench]"`` brings PyTorch and JAX). Before it
times anything, each section checks that the implementations agree.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks import relu_peers
from boundcheck.verifiers.models import relu_gd

SIZES = [(16, 4, 32), (64, 16, 256), (256, 64, 2048), (1024, 128, 4096)]


def best_time(fn: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs (after one warm-up run): the least-disturbed one."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def matmul_peak(threads: int | None = None, size: int = 2048) -> float:
    """float64 GFLOP/s of a large square product (the machine's practical peak)."""
    from threadpoolctl import threadpool_limits

    a, b = np.random.default_rng(0).standard_normal((2, size, size))
    with threadpool_limits(threads):
        seconds = best_time(lambda: a @ b, 3)
    return 2 * size**3 / seconds / 1e9


def instance(n: int, d: int, m: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, rng.standard_normal(n), rng.standard_normal((m, d)), rng.choice([-1.0, 1.0], size=m)


def boundcheck_kernels() -> dict[str, Callable]:
    """name -> fn(X, y, W, a, eta, steps) for the numba formulations."""

    def numba_kernel(kernel):
        def run(X, y, W, a, eta, steps):
            W = W.copy()
            out = np.empty(steps + 1)
            kernel(X, y, W, a, eta, steps, out)
            return W, out
        return run

    return {"numba loops": numba_kernel(relu_gd.relu_gd_loops), "numba blas": numba_kernel(relu_gd.relu_gd_blas),
            "boundcheck": relu_gd.relu_gd}


def steps_for(n: int, d: int, m: int) -> int:
    return max(5, min(2000, int(3e8 / (6 * n * d * m))))


def time_implementations(implementations: dict[str, Callable], sizes, repeats: int) -> dict[str, list]:
    """Steps per second of each implementation at each size, after checking it against NumPy."""
    results: dict[str, list] = {name: [] for name in implementations}
    for n, d, m in sizes:
        X, y, W, a = instance(n, d, m)
        _, expected = relu_peers.numpy_gd(X, y, W, a, 0.01, 3)
        steps = steps_for(n, d, m)
        for name, fn in implementations.items():
            if name == "numba loops" and n * d * m > 2**22:
                results[name].append(None)  # minutes per run at the largest size; not a contender there
                continue
            _, got = fn(X, y, W, a, 0.01, 3)
            agree = float(np.max(np.abs(got - expected) / np.abs(expected)))
            if agree > 1e-9:
                raise AssertionError(f"{name} disagrees with NumPy at {(n, d, m)}: {agree:.2e}")
            results[name].append(steps / best_time(functools.partial(fn, X, y, W, a, 0.01, steps), repeats))
    return results


def peer_in_subprocess(name: str, sizes, repeats: int) -> list | None:
    """Time a peer (PyTorch, JAX) in its own process: their thread pools and OpenMP runtime
    would otherwise compete with numba's in this one and distort both."""
    proc = subprocess.run([sys.executable, "-m", "benchmarks.peer", name, json.dumps(sizes), str(repeats)],
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode == 3:
        print(f"note: {name} is not installed: skipped (pip install -e '.[bench]')")
        return None
    if proc.returncode != 0:
        raise RuntimeError(f"{name} benchmark failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout)


def single_instance(sizes, repeats: int, peak: float) -> list[dict]:
    timings = {"numpy": time_implementations({"numpy": relu_peers.numpy_gd}, sizes, repeats)["numpy"]}
    timings.update(time_implementations(boundcheck_kernels(), sizes, repeats))
    for peer in ("pytorch", "jax jit"):
        found = peer_in_subprocess(peer, sizes, repeats)
        if found is not None:
            timings[peer] = found
    rows = []
    for k, (n, d, m) in enumerate(sizes):
        row = {"size": (n, d, m), **{name: values[k] for name, values in timings.items()}}
        row["gflops boundcheck"] = row["boundcheck"] * 6 * n * d * m / 1e9  # the issue's 6 n d m count
        row["% peak"] = 100 * row["gflops boundcheck"] / peak
        rows.append(row)
    return rows


def batched(repeats: int, count: int = 256, size=(16, 4, 32), steps: int = 200) -> dict:
    import numba

    n, d, m = size
    data = [instance(n, d, m, seed) for seed in range(count)]
    X, y, W, a = (np.stack([inst[k] for inst in data]) for k in range(4))
    eta = np.full(count, 0.01)
    out = np.empty((count, steps + 1))

    def numba_batched():
        relu_gd.relu_gd_batched(X, y, W.copy(), a, eta, steps, out)

    def numpy_loop():
        for b in range(count):
            relu_peers.numpy_gd(X[b], y[b], W[b], a[b], 0.01, steps)

    numba_batched()
    _, expected = relu_peers.numpy_gd(X[7], y[7], W[7], a[7], 0.01, steps)
    assert np.allclose(out[7], expected, rtol=1e-9)

    # one and two threads interleaved, several rounds: on a shared VM the second core's
    # availability drifts between runs, so the best round and the median are both reported
    threads = numba.get_num_threads()
    rounds: dict[int, list[float]] = {threads: [], 1: []}
    for _ in range(2 * repeats):
        for count_threads in rounds:
            numba.set_num_threads(count_threads)
            rounds[count_threads].append(count * steps / best_time(numba_batched, 1))
    numba.set_num_threads(threads)
    result = {"instances": count, "size": size, "steps": steps,
              "numba prange": max(rounds[threads]), "numba prange (median round)": float(np.median(rounds[threads])),
              "numba prange, 1 thread": max(rounds[1]),
              "numpy loop": count * steps / best_time(numpy_loop, 1)}
    vmapped = peer_in_subprocess("jax vmap", [list(size), count, steps], repeats)
    if vmapped is not None:
        result["jax vmap"] = vmapped[0]
    result["2-core speed-up"] = result["numba prange"] / result["numba prange, 1 thread"]
    result["2-core speed-up (medians)"] = float(np.median(rounds[threads]) / np.median(rounds[1]))
    return result


def scaling(repeats: int) -> dict:
    """Seconds per step against the flop count; the fitted log-log exponent should be near 1."""
    sizes = [(64, 16, 256), (128, 32, 512), (256, 32, 1024), (256, 64, 2048), (512, 64, 2048), (512, 128, 4096)]
    flops, seconds = [], []
    for n, d, m in sizes:
        X, y, W, a = instance(n, d, m)
        steps = max(3, int(2e8 / (6 * n * d * m)))
        t = best_time(functools.partial(relu_gd.relu_gd, X, y, W, a, 0.01, steps), repeats) / steps
        flops.append(6 * n * d * m)
        seconds.append(t)
    slope, _ = np.polyfit(np.log(flops), np.log(seconds), 1)
    return {"sizes": sizes, "seconds_per_step": seconds, "flops": flops, "exponent": float(slope)}


def every_model(count: int = 64, seed: int = 0, only: set[str] | None = None) -> list[dict]:
    """Each model's batched kernel against its NumPy reference, on ``count`` admissible draws
    of the model's first for_all theorem: instances per second, the ratio, and the largest
    relative difference of any observable between the two (the tests bound it; here it is
    reported so a fast kernel that drifted would show); an observable whose error bound the
    model states is measured in units of the two runs' bounds instead."""
    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers.draw.plan import DrawPlan
    from boundcheck.verifiers.draw.sampler import sample
    from boundcheck.verifiers.models import get_model
    from boundcheck.verifiers.models.base import ERROR_KEY

    # a gradient-descent statement where a model also has gradient-flow ones (an ODE solve, not a kernel)
    preferred = {"linear.two_layer": "linear.xu2023.gd_rate_derived"}
    statements = all_statements()
    ordered = [statements[sid] for sid in preferred.values()] + list(statements.values())
    rows, seen = [], set()
    for statement in ordered:
        if statement.model in seen or statement.kind != "theorem" or statement.quantifier.kind != "for_all":
            continue
        if only is not None and statement.model not in only:
            continue
        seen.add(statement.model)
        model = get_model(statement.model)
        plan, rng = DrawPlan(statement, model), np.random.default_rng(seed)
        drawn = [p for p in (sample(plan, rng) for _ in range(20 * count)) if p is not None]
        # as the checker runs them: each drawn parameter set with the model's replicas (seeds)
        batch = [q for p in drawn[: max(1, count // model.replicas)] for q in plan.replicate(p, model.replicas)][:count]
        if not batch:
            continue
        fast = model.run(batch)  # compiles on first use; timed below
        slow = [model.reference(params) for params in batch[:4]]
        drift, drift_at, spectral, normwise, diverging, in_bounds = 0.0, "", 0.0, 0.0, 0, 0.0
        for got, want in zip(fast, slow):
            stated_got, stated_want = got.get(ERROR_KEY) or {}, want.get(ERROR_KEY) or {}
            # a run that blows up (1e70 on linear networks at 400 steps past the cap) amplifies
            # the last bit of any difference by its growth: not comparable, counted apart
            blown = any(not isinstance(v, dict) and np.nanmax(np.abs(np.asarray(v, dtype=float)), initial=0.0) > 1e30
                        for v in want.values())
            diverging += blown
            for name, value in want.items():
                if isinstance(value, dict):  # error bounds (ERROR_KEY), not an observable
                    continue
                want_arr = np.asarray(value, dtype=float)
                got_arr = np.asarray(got[name], dtype=float)
                if want_arr.shape != got_arr.shape:
                    continue
                finite = np.isfinite(want_arr) & np.isfinite(got_arr)
                if finite.any() and name in stated_got and name in stated_want:
                    # an observable that states its error bound is judged against it: each run is
                    # within its bound of the exact value, so the two differ by at most the sum (a
                    # residual at its rounding floor, an identity's residual, which is 0 exactly,
                    # are noise, and a relative difference of two noises says nothing)
                    bound = (np.broadcast_to(np.asarray(stated_got[name], dtype=float), want_arr.shape)
                             + np.broadcast_to(np.asarray(stated_want[name], dtype=float), want_arr.shape))[finite]
                    diff = np.abs(got_arr[finite] - want_arr[finite])
                    in_bounds = max(in_bounds, float(np.max(np.where(diff == 0, 0.0, diff / np.maximum(bound, 1e-300)))))
                    continue
                if finite.any():  # relative, floored at 1e-12 of max(the observable's largest value, 1):
                    # observables that are 0 in exact arithmetic (an eigenvalue of an exactly
                    # conserved matrix) are rounding noise of order 1e-16 in both
                    scale = np.maximum(np.abs(want_arr[finite]), 1e-12 * max(np.abs(want_arr[finite]).max(), 1.0))
                    rel = float(np.max(np.abs(got_arr[finite] - want_arr[finite]) / scale))
                    if rel > drift:
                        drift, drift_at = rel, name
                    if name in EIGENVALUE_OF.get(statement.model, {}):
                        # an eigenvalue is accurate to eps ||M|| (Weyl), not to eps |lambda|
                        norm = np.abs(np.asarray(want[EIGENVALUE_OF[statement.model][name]], dtype=float))
                        norm = np.broadcast_to(norm, want_arr.shape)[finite]
                        rel = float(np.max(np.abs(got_arr[finite] - want_arr[finite]) / np.maximum(norm, 1e-300)))
                    spectral = max(spectral, rel)
                    if not blown:  # normwise: the error of a trajectory relative to its largest value
                        size = np.abs(want_arr[finite]).max()
                        if size > 0:
                            normwise = max(normwise, float(np.abs(got_arr[finite] - want_arr[finite]).max() / size))
        kernel_s = best_time(functools.partial(model.run, batch), 3) / len(batch)
        def references(model=model, batch=batch[:8]):
            return [model.reference(params) for params in batch]

        reference_s = best_time(references, 1) / min(8, len(batch))
        rows.append({"model": statement.model, "drawn from": statement.id, "instances": len(batch),
                     "kernel inst/s": 1 / kernel_s, "reference inst/s": 1 / reference_s,
                     "speed-up": reference_s / kernel_s, "max rel diff": drift, "max rel diff at": drift_at,
                     "max rel diff, eigenvalues to their matrix norm": spectral,
                     "max normwise diff (bounded runs)": normwise, "diverging runs compared": diverging,
                     "max diff in stated error bounds": in_bounds})
    return rows


#: model -> {observable that is an eigenvalue (or a sum of two): the observable that is the
#: 2-norm of its matrix}. ``linear.two_layer``'s kernel and reference differ by 3e-4 "relative"
#: in ``imb_lambda_m_neg`` on an instance with h > r + m: that eigenvalue is exactly 0 there;
#: the kernel's congruence (QR) path returns the padded 0 exactly, the reference's dense
#: eigensolver on the h x h imbalance returns 3e-16, rounding noise of size eps ||Lambda||_2.
#: Measured against ||Lambda||_2, as Weyl's bound says it should be, the two agree to 1e-15.
EIGENVALUE_OF: dict[str, dict[str, str]] = {
    "linear.two_layer": {"imb_lambda_r": "imbalance_norm", "imb_lambda_m_neg": "imbalance_norm",
                         "c_imb": "imbalance_norm"},
}


def end_to_end(budget: int) -> list[dict]:
    """Instances verified per second through Hypothesis, the kernel, the checker (not the store)."""
    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers.check import verify

    rows = []
    for statement in all_statements().values():
        if statement.kind != "theorem" or statement.quantifier.kind != "for_all":
            continue
        verify(statement, budget=5)  # compile and warm up
        verdict = verify(statement, budget=budget)
        rows.append({"statement": statement.id, "model": statement.model, "instances": verdict.instances,
                     "seconds": verdict.wall_s, "instances/s": verdict.instances / verdict.wall_s,
                     **_split(verdict)})
    return rows


def _split(verdict) -> dict:
    """How many instances Hypothesis's search and the Monte Carlo sweep each checked."""
    search = verdict.details.get("search", {})
    return {"by hypothesis": search.get("hypothesis"), "by monte carlo": search.get("monte_carlo")}


def end_to_end_fixed(budget: int) -> list[dict]:
    """The issue's yardstick: Du et al.'s weight-movement bound (ntk.du2019.weight_movement)
    on two-layer ReLU networks of one fixed size, 100 gradient steps per instance."""
    import dataclasses

    from boundcheck.theorems.registry import all_statements
    from boundcheck.verifiers.check import verify
    from boundcheck.verifiers.models import get_model

    statement = all_statements()["ntk.du2019.weight_movement"]
    model = get_model(statement.model)
    sweep = model.monte_carlo
    rows = []
    for n, d, m in [(16, 4, 32), (64, 16, 256)]:
        domain = {**statement.domain, "n": (n, n), "d": (d, d), "m": (m, m), "steps": (100, 100)}
        fixed = dataclasses.replace(statement, domain=domain)
        verify(fixed, budget=5)
        for label, per_example in (("search and sweep", sweep), ("search alone", 0)):
            model.monte_carlo = per_example
            try:
                verdict = verify(fixed, budget=budget)
            finally:
                model.monte_carlo = sweep
            rows.append({"size": (n, d, m), "run": label, "verdict": verdict.verdict, "instances": verdict.instances,
                         "seconds": verdict.wall_s, "instances/s": verdict.instances / verdict.wall_s,
                         **_split(verdict)})
    return rows


def table(rows: list[dict], columns: list[str], reference: str | None = None) -> str:
    lines = ["  ".join(f"{c:>18}" for c in ["size", *columns])]
    for row in rows:
        cells = [f"{str(row['size']):>18}"]
        for c in columns:
            value = row.get(c)
            if value is None:
                cells.append(f"{'-':>18}")
            elif reference and c != reference and not c.startswith(("gflops", "%")):
                cells.append(f"{value:.3g} ({value / row[reference]:.2f}x)".rjust(18))
            else:
                cells.append(f"{value:>18.4g}")
        lines.append("  ".join(cells))
    return "\n".join(lines)


#: main as it stood when the performance work of issue 18 began
BASELINE = "7559772"
SECTIONS = ("kernels", "models", "scaling-models", "end-to-end", "first-run", "verify-all")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default="benchmarks/results.json")
    parser.add_argument("--against", default=BASELINE, metavar="REV",
                        help="the git revision whose network models are timed end to end beside today's "
                             f"(default {BASELINE}: main when issue 18 was taken up; '' for none)")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated subset of {', '.join(SECTIONS)} (default: all)")
    args = parser.parse_args(argv)
    sections = set(args.sections.split(","))
    if sections - set(SECTIONS):
        parser.error(f"unknown section {sorted(sections - set(SECTIONS))[0]!r}")
    repeats = 2 if args.quick else 5
    report: dict = {"cpus": os.cpu_count(), "load_at_start": os.getloadavg()}
    print(f"load average at start: {report['load_at_start'][0]:.2f} on {report['cpus']} CPUs "
          "(absolute figures scale with it; compare ratios)")
    if "kernels" in sections:
        kernel_sections(report, args.quick, repeats)
    if "models" in sections:
        report["models"] = every_model()
        print("\nevery model: batched kernel (as the checker batches: replicated seeds) against its NumPy reference,"
              " instances per second")
        for row in report["models"]:
            print(f"  {row['model']:<28} kernel {row['kernel inst/s']:>10,.0f}  reference "
                  f"{row['reference inst/s']:>9,.1f}  ({row['speed-up']:,.1f}x)  max rel diff "
                  f"{row['max rel diff']:.1e} ({row['max rel diff at']}; eigenvalues to their matrix norm: "
                  f"{row['max rel diff, eigenvalues to their matrix norm']:.1e}; normwise "
                  f"{row['max normwise diff (bounded runs)']:.1e}, {row['diverging runs compared']} diverging run(s)"
                  f" of 4 set apart; observables that state an error bound: {row['max diff in stated error bounds']:.2g}"
                  " of the two runs' bounds)")
    if "scaling-models" in sections:
        from benchmarks.model_scaling import scaling_tables

        report["model_scaling"] = scaling_tables(repeats=2 if args.quick else 3)
        print("\ncost per instance (model.run: set-up, kernel, observables) against one size, the others at the base;"
              " exponent: log-log slope over the last three points (all points)")
        for row in report["model_scaling"]:
            cells = "  ".join(f"{v}: {t * 1e3:.3g} ms" for v, t in zip(row["values"], row["seconds"]))
            print(f"  {row['model']:<20} {row['size']:<6} {cells}   exponent {row['exponent']:.2f} "
                  f"({row['exponent_all']:.2f})")
    if "end-to-end" in sections:
        end_to_end_sections(report, args.quick)
        if args.against:
            against_sections(report, args.against, 20 if args.quick else 100)
    if "first-run" in sections:
        first_run_sections(report)
    if "verify-all" in sections:
        from benchmarks.first_run import verify_all_times

        report["verify_all"] = verify_all_times()
        print("\nboundcheck verify --all (every built-in statement), fresh process and store:")
        for label, row in report["verify_all"].items():
            print(f"  {label:<14} {row['wall_s']:7.1f} s wall {row['cpu_s']:7.1f} s CPU (load {row['load']:.1f})"
                  + (f"  FAILED ({row['failed']})" if "failed" in row else ""))
    report["load_at_end"] = os.getloadavg()
    print(f"\nload average at end: {report['load_at_end'][0]:.2f}")
    Path(args.out).write_text(json.dumps(report, indent=2, default=lambda v: v if not isinstance(v, float)
                                         or math.isfinite(v) else str(v)))
    print(f"\nwritten to {args.out}")
    return 0


def kernel_sections(report: dict, quick: bool, repeats: int) -> None:
    """The two-layer ReLU step against NumPy, PyTorch and JAX; batched; flop scaling."""
    report["peak_gflops_2_cores"] = matmul_peak()
    report["peak_gflops_1_core"] = matmul_peak(1)
    print(f"float64 matmul peak: {report['peak_gflops_2_cores']:.1f} GFLOP/s (all cores), "
          f"{report['peak_gflops_1_core']:.1f} (one core)")

    sizes = SIZES[:3] if quick else SIZES
    report["single"] = single_instance(sizes, repeats, report["peak_gflops_2_cores"])
    names = [k for k in report["single"][0] if k not in ("size", "steps")]
    print("\ntwo-layer ReLU, one instance: gradient steps per second (ratio to JAX jit where present)")
    print(table(report["single"], names, reference="jax jit" if "jax jit" in names else "numpy"))

    report["batched"] = batched(repeats)
    print("\nbatched (16, 4, 32) x 256 instances: instance-steps per second")
    for key, value in report["batched"].items():
        if isinstance(value, float):
            print(f"  {key:>28}: {value:,.2f}" if "speed-up" in key else f"  {key:>28}: {value:,.0f}")
    if "jax vmap" in report["batched"]:
        print(f"  {'ratio to jax vmap':>28}: {report['batched']['numba prange'] / report['batched']['jax vmap']:.2f}")

    report["scaling"] = scaling(repeats)
    print(f"\nscaling: seconds per step ~ flops^{report['scaling']['exponent']:.2f} over "
          f"{report['scaling']['sizes'][0]} .. {report['scaling']['sizes'][-1]}")
    for size, flops, seconds in zip(*(report["scaling"][k] for k in ("sizes", "flops", "seconds_per_step"))):
        print(f"  {str(size):>18}  {flops:>12.3g} flops  {seconds * 1e3:>9.3f} ms/step  "
              f"{flops / seconds / 1e9:>6.1f} GFLOP/s")


def end_to_end_sections(report: dict, quick: bool) -> None:
    report["end_to_end"] = end_to_end(20 if quick else 100)
    print("\nend to end (Hypothesis + kernel + checker), instances verified per second:")
    for row in report["end_to_end"]:
        print(f"  {row['statement']:<55} {row['instances/s']:>10,.0f}  ({row['instances']} in {row['seconds']:.2f}s; "
              f"{row['by hypothesis']} by Hypothesis, {row['by monte carlo']} by Monte Carlo)")
    report["end_to_end_fixed"] = end_to_end_fixed(20 if quick else 100)
    print("\nend to end at a fixed size, 100 steps (ntk.du2019.weight_movement), instances verified per second:")
    for row in report["end_to_end_fixed"]:
        print(f"  {str(row['size']):<18} {row['run']:<18} {row['instances/s']:>10,.0f}  ({row['instances']} in "
              f"{row['seconds']:.2f}s, {row['verdict']})")


def against_sections(report: dict, revision: str, budget: int) -> None:
    """The network models end to end, today's against ``revision``'s, alternating in one run."""
    from benchmarks.against_main import end_to_end_pair

    cases = [("ntk.du2019.weight_movement", "ntk_two_layer_relu", dict(n=16, d=4, m=32, steps=100)),
             ("linear.xu2023.gd_rate_derived", "linear_two_layer", {}),
             ("linear.gd.one_step_contraction", "linear_two_layer", {})]
    report["against"] = [end_to_end_pair(sid, revision, module, sizes, budget) for sid, module, sizes in cases]
    print(f"\nend to end, today's model against the model at {revision} (same checker, seed and budget):")
    for row in report["against"]:
        print(f"  {row['statement']:<40} {str(row['sizes'] or 'its domain'):<38} today "
              f"{row['instances/s today']:>8,.0f}  then {row['instances/s at revision']:>8,.0f}  ({row['ratio']:.2f}x)")


def first_run_sections(report: dict) -> None:
    """numba compilation cold and warm per model, and a fresh process's one-instance verify."""
    from benchmarks.first_run import compile_times, fresh_process
    from boundcheck.verifiers.models import MODELS

    report["compile"] = compile_times(sorted(MODELS))
    print("\nnumba compilation per model (boundcheck warm-up MODEL in a fresh process; cold: empty cache)")
    for row in report["compile"]:
        cold, warm = row["cold"], row["warm"]
        print(f"  {row['model']:<28} cold {cold['wall_s']:6.1f} s wall {cold['cpu_s']:6.1f} s CPU   "
              f"warm {warm['wall_s']:5.1f} s wall {warm['cpu_s']:5.1f} s CPU   (load {cold['load']:.1f})"
              + "".join(f"  FAILED ({r['failed']})" for r in (cold, warm) if "failed" in r))
    cold_cpu = sum(row["cold"]["cpu_s"] for row in report["compile"])
    warm_cpu = sum(row["warm"]["cpu_s"] for row in report["compile"])
    print(f"  {'every model':<28} cold {cold_cpu:6.1f} s CPU, warm {warm_cpu:5.1f} s CPU (processes started apart)")
    report["fresh_process"] = fresh_process("classical.strongly_convex.distance")
    for what, row in report["fresh_process"].items():
        print(f"  fresh process, {what:<6}: {row['wall_s']:.2f} s wall, {row['cpu_s']:.2f} s CPU (load {row['load']:.1f})"
              + (f"  FAILED ({row['failed']})" if "failed" in row else ""))


if __name__ == "__main__":
    raise SystemExit(main())
