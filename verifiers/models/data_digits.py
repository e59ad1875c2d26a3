"""``data.digits``: a norm-constrained linear classifier on scikit-learn's digits, split at random.

The data set ships inside scikit-learn (``sklearn.datasets.load_digits``: 1797 8x8
images, no download). The task is binary: y = +1 for the digits 5-9, -1 for 0-4.
Inputs: the 64 pixel intensities divided by 16, centred by the mean image of the
whole data set (a fixed transform of the fixed set), and a constant feature 1
(a bias), so d = 65.

An instance is (n, rho, sigma, steps, seed): ``seed`` draws a uniformly random
training subset of size n (without replacement); the other 1797 - n images are the
held-out set. Every "test" observable is a **held-out** estimate on those images, not
a population quantity: the data set is fixed, so no probability statement over the
draw of the data is possible, and its standard error sqrt(p (1 - p) / n_test) only
describes the split-to-split variation. ``x_rms`` = sqrt(mean ||x||^2) over all 1797
images. The predictor and the PAC-Bayes prior/posterior are those of ``data.teacher``
(prior N(0, s^2 I), posterior N(w, s^2 I), s = sigma / sqrt(d)); the Gibbs errors on
both sides are exact given the images.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from boundcheck.verifiers.models import linear_classifier
from boundcheck.verifiers.models.base import Model, Observations, Param
from boundcheck.verifiers.models.blas import single_threaded_blas
from boundcheck.verifiers.models.data_teacher import EMPIRICAL, LINEAR_OBSERVABLES
from boundcheck.verifiers.models.precision import FLOAT64

TOTAL = 1797


@lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of the whole data set, preprocessed as described above."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    pixels = bunch.data / 16.0
    X = np.hstack([pixels - pixels.mean(axis=0), np.ones((pixels.shape[0], 1))])
    y = np.where(bunch.target >= 5, 1.0, -1.0)
    return X, y


def split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a uniformly random training subset of size n and of the held-out rest."""
    order = np.random.default_rng(seed).permutation(TOTAL)
    return order[:n], order[n:]


def _se(p: float, size: int) -> float:
    return math.sqrt(max(p * (1.0 - p), 1.0 / size) / size)


class Digits(Model):
    name = "data.digits"
    doc = __doc__
    params = (
        Param("n", "int", 20, 1500, "training-set size (the rest is held out)", {"positive": True}),
        Param("rho", "float", 0.01, 10.0, "margin of the ramp loss (and logistic temperature)", {"positive": True}),
        Param("sigma", "float", 0.05, 20.0, "posterior/prior std times sqrt(d)", {"positive": True}),
        Param("steps", "int", 0, 2000, "projected gradient steps"),
        Param("seed", "seed", 0, 2**32 - 1, "seed of the random train/held-out split"),
    )
    observables = LINEAR_OBSERVABLES
    batch_size = 32
    empirical = EMPIRICAL
    #: conjectures' default domain: 200 training digits (64 pixels), 100 projected steps
    default_domain = {"n": (20, 200), "steps": (0, 100)}

    def data(self, params: dict[str, Any]) -> tuple[np.ndarray, ...]:
        X, y = digits()
        train, test = split(params["n"], params["seed"])
        return X[train], y[train], X[test], y[test]

    def observe(self, params: dict[str, Any], data: tuple[np.ndarray, ...], w: np.ndarray) -> Observations:
        X, y, Xt, yt = data
        rho = params["rho"]
        s = params["sigma"] / math.sqrt(X.shape[1])
        margins, held = y * (X @ w), yt * (Xt @ w)
        train_err, test_err = linear_classifier.zero_one(margins), linear_classifier.zero_one(held)
        test_q = linear_classifier.gibbs_error(held, np.linalg.norm(Xt, axis=1), s)
        X_all, _ = digits()
        return {
            "train_err": train_err, "test_err": test_err, "test_err_se": _se(test_err, yt.size),
            "gap": test_err - train_err,
            "train_ramp": linear_classifier.ramp(margins, rho), "test_ramp": linear_classifier.ramp(held, rho),
            "w_norm": float(np.linalg.norm(w)), "B": linear_classifier.B,
            "x_rms": float(np.sqrt(np.mean(np.sum(X_all * X_all, axis=1)))),
            "margin": float(margins.min()), "kl": linear_classifier.kl_isotropic(w, np.zeros_like(w), s),
            "train_err_Q": linear_classifier.gibbs_error(margins, np.linalg.norm(X, axis=1), s),
            "test_err_Q": test_q, "test_err_Q_se": _se(test_q, yt.size),
        }

    def run(self, batch: Sequence[dict[str, Any]]) -> list[Observations]:
        with single_threaded_blas():  # small products: BLAS threads only contend with numba's
            data = [self.data(p) for p in batch]
            weights = linear_classifier.train_batch([(d[0], d[1]) for d in data], [p["rho"] for p in batch],
                                          [p["steps"] for p in batch])
            return [self.observe(p, dd, w) for p, dd, w in zip(batch, data, weights)]

    def reference(self, params: dict[str, Any], backend=FLOAT64) -> Observations:
        data = self.data(params)
        w = linear_classifier.reference_train(data[0], data[1], params["rho"], params["steps"])
        return self.observe(params, data, w)


MODEL = Digits()
