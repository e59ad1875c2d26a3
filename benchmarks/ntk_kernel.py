"""Throughput of the ``ntk.two_layer_relu`` training kernel (instances per second).

    python benchmarks/ntk_kernel.py [--steps 100] [--repeat 3]

Each instance is n unit inputs in R^d, width m, Gaussian init, ``steps`` full-batch
gradient steps; spectral observables off (``spectrum_every = -1``) and, separately, at
t = 0 and the last step only (``0``). One numba call trains a batch of instances in
parallel over instances (prange); the time excludes JIT compilation (a warm-up call).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from boundcheck.verifiers.models.ntk_two_layer_relu import make_data, make_init, train_two_layer_relu

SIZES = [(32, 8, 512, 16), (256, 32, 4096, 4)]  # (n, d, m, instances per call)


def throughput(n: int, d: int, m: int, batch: int, steps: int, every: int, repeat: int) -> float:
    data = [make_data(n, d, 0, s) for s in range(batch)]
    inits = [make_init(m, d, 1.0, 0, 1000 + s) for s in range(batch)]
    args = ([x for x, _ in data], [y for _, y in data], [w for w, _ in inits], [a for _, a in inits],
            [0.5 / n] * batch, [steps] * batch, [0] * batch, [every] * batch)
    train_two_layer_relu(*[a[:1] for a in args[:5]], [1], [0], [every])  # compile / warm up
    best = np.inf
    for _ in range(repeat):
        started = time.perf_counter()
        train_two_layer_relu(*args)
        best = min(best, time.perf_counter() - started)
    return batch / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'n':>5} {'d':>4} {'m':>6} {'steps':>6}  {'spectrum':>9}  {'instances/s':>12}")
    for n, d, m, batch in SIZES:
        for every, label in ((-1, "off"), (0, "t=0,last")):
            rate = throughput(n, d, m, batch, args.steps, every, args.repeat)
            print(f"{n:>5} {d:>4} {m:>6} {args.steps:>6}  {label:>9}  {rate:>12.3g}")


if __name__ == "__main__":
    main()
