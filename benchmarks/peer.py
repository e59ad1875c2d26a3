"""One peer's timings, run in a process of its own by :mod:`benchmarks.run`.

    python -m benchmarks.peer "pytorch" '[[16, 4, 32], ...]' REPEATS   -> JSON steps/s per size
    python -m benchmarks.peer "jax vmap" '[[16, 4, 32], 256, 200]' REPEATS -> [instance-steps/s]

Exit code 3 when the peer is not installed.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from benchmarks import relu_peers
from benchmarks.run import best_time, instance, time_implementations


def main(name: str, spec: str, repeats: str) -> int:
    try:
        if name == "pytorch":
            import torch  # noqa: F401
        else:
            single, batched = relu_peers.jax_gd_factory()
    except ImportError:
        return 3
    repeats_ = int(repeats)
    if name == "jax vmap":
        (n, d, m), count, steps = json.loads(spec)
        data = [instance(n, d, m, seed) for seed in range(count)]
        X, y, W, a = (np.stack([inst[k] for inst in data]) for k in range(4))
        eta = np.full(count, 0.01)
        print(json.dumps([count * steps / best_time(lambda: batched(X, y, W, a, eta, steps), repeats_)]))
        return 0
    sizes = [tuple(s) for s in json.loads(spec)]
    if name == "pytorch":
        def fn(X, y, W, a, eta, steps):
            small = X.shape[0] * X.shape[1] * W.shape[0] < 2**18
            return relu_peers.torch_gd(X, y, W, a, eta, steps, threads=1 if small else 2)
    else:
        fn = single
    print(json.dumps(time_implementations({name: fn}, sizes, repeats_)[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
