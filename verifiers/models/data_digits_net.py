"""``data.digits_net``: the two-layer ReLU network of ``data.teacher_net`` on scikit-learn's digits.

Same task as ``data.digits`` (5-9 against 0-4, the 1797 bundled images, a random
training subset of size n per ``seed``, the rest held out), with each preprocessed
input (centred pixels / 16 and a bias feature, d = 65) scaled to unit norm, the
setting of Arora et al. (||x|| = 1; H^inf is the closed form for unit inputs). The
network, its training (the ``ntk.two_layer_relu`` kernel, antisymmetric
initialisation) and its observables are those of ``data.teacher_net``, except that
every "test" observable is a **held-out** estimate on the images not trained on, not a
population quantity (the data set is fixed).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from boundcheck.verifiers.models.base import Param
from boundcheck.verifiers.models.data_digits import digits, split
from boundcheck.verifiers.models.data_teacher_net import TeacherNet


def unit_digits() -> tuple[np.ndarray, np.ndarray]:
    X, y = digits()
    return X / np.linalg.norm(X, axis=1, keepdims=True), y


class DigitsNet(TeacherNet):
    name = "data.digits_net"
    doc = __doc__
    params = (
        Param("n", "int", 20, 600, "training-set size (the rest is held out)", {"positive": True}),
        Param("gamma", "float", 1e-4, 10.0, "margin of the margin loss", {"positive": True}),
        Param("step", "float", 1e-3, 1.9, "step size in units of 1 / lambda_max(H^inf)", {"positive": True}),
        Param("steps", "int", 0, 5000, "gradient steps"),
        Param("kappa", "float", 1e-6, 4.0, "initialisation scale", {"positive": True}),
        Param("m", "int", 2, 4096, "hidden width", {"positive": True}),
        Param("seed", "seed", 0, 2**32 - 1, "seed of the split and of the initialisation"),
    )
    #: conjectures' default domain: 100 training digits, width 64, 100 steps
    default_domain = {"n": (20, 100), "m": (2, 64), "steps": (0, 100)}

    def training_data(self, params: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        X, y = unit_digits()
        train, _ = split(params["n"], params["seed"])
        return X[train], y[train]

    def held_out(self, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        X, y = unit_digits()
        _, test = split(params["n"], params["seed"])
        return X[test], y[test]


MODEL = DigitsNet()
