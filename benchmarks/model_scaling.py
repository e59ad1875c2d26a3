"""Cost per instance of each network model against its sizes, with the fitted exponent.

For a model and one size parameter (n, d, m or h, steps), the others held at a base
instance, the size is doubled a few times; at each value a batch of instances (one drawn
parameter set, seeds replicated as the checker does) is run through ``model.run`` (set-up,
kernel, observables) and the best time per instance kept. The exponent is the slope of
log(seconds per instance) against log(size) over the last three points (the first ones
are dominated by fixed per-instance costs; see ``exponent_all`` for the whole range).
"""

from __future__ import annotations

import time

import numpy as np

#: model -> (base parameters, {size parameter: values}); the base sizes are the issue's
#: yardstick (16, 4, 32) for the ReLU network and the default domain's top for linear networks
GRIDS: dict[str, tuple[dict, dict[str, list[int]]]] = {
    "ntk.two_layer_relu": (
        dict(n=16, d=4, m=32, kappa=1.0, init=0, labels=0, linearized=0, steps=100, spectrum_every=-1,
             step_unit=1, step=0.5, seed=0, init_seed=1),
        {"n": [8, 16, 32, 64, 128], "d": [4, 8, 16, 32, 64], "m": [32, 64, 128, 256, 512],
         "steps": [25, 50, 100, 200, 400]},
    ),
    "linear.two_layer": (
        dict(n=16, d=8, m=4, h=16, x_cond=10.0, init=0, init_scale=1.0, imbalance_scale=1.0, margin_frac=0.0,
             dynamics=0, diagnostics=0, step_unit=2, step=0.5, steps=100, seed=0),
        {"n": [16, 32, 64, 128, 256], "d": [4, 8, 16, 32, 64], "h": [16, 32, 64, 128, 256],
         "steps": [25, 50, 100, 200, 400]},
    ),
}


def per_instance_seconds(model, params: dict, instances: int, repeats: int) -> float:
    """Best seconds per instance of ``model.run`` on ``instances`` seeds of ``params``."""
    batch = [dict(params, seed=params["seed"] + k) for k in range(instances)]
    model.run(batch[:1])  # compile / warm up
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        model.run(batch)
        best = min(best, time.perf_counter() - start)
    return best / instances


def scaling_tables(repeats: int = 3, instances: int = 16) -> list[dict]:
    from boundcheck.verifiers.models import get_model

    rows = []
    for name, (base, grid) in GRIDS.items():
        model = get_model(name)
        for size, values in grid.items():
            seconds = [per_instance_seconds(model, dict(base, **{size: v}), instances, repeats) for v in values]
            logs, logt = np.log(values), np.log(seconds)
            rows.append({"model": name, "size": size, "values": values, "seconds": seconds,
                         "exponent": float(np.polyfit(logs[-3:], logt[-3:], 1)[0]),
                         "exponent_all": float(np.polyfit(logs, logt, 1)[0])})
    return rows
