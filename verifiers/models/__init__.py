"""The instance families, by user-visible name; each is one module, imported lazily."""

from __future__ import annotations

import importlib

from boundcheck.verifiers.models.base import Model, Observable, Param

#: model name -> "module:attribute"; a new model is one module and one line here.
MODELS: dict[str, str] = {
    "smooth.quadratic": "boundcheck.verifiers.models.smooth_quadratic:MODEL",
    "smooth.convex": "boundcheck.verifiers.models.smooth_convex:MODEL",
    "smooth.nonconvex": "boundcheck.verifiers.models.smooth_nonconvex:MODEL",
    "smooth.pl": "boundcheck.verifiers.models.smooth_pl:MODEL",
    "data.teacher": "boundcheck.verifiers.models.data_teacher:MODEL",
    "data.digits": "boundcheck.verifiers.models.data_digits:MODEL",
    "data.teacher_net": "boundcheck.verifiers.models.data_teacher_net:MODEL",
    "data.digits_net": "boundcheck.verifiers.models.data_digits_net:MODEL",
    "ntk.two_layer_relu": "boundcheck.verifiers.models.ntk_two_layer_relu:MODEL",
    "linear.two_layer": "boundcheck.verifiers.models.linear_two_layer:MODEL",
    "smooth.interpolated": "boundcheck.verifiers.models.smooth_interpolated:MODEL",
    "polynomial": "boundcheck.verifiers.models.polynomial:MODEL",
    "regression.min_norm": "boundcheck.verifiers.models.regression_min_norm:MODEL",
    "regression.random_features": "boundcheck.verifiers.models.regression_random_features:MODEL",
}

_loaded: dict[str, Model] = {}


def get_model(name: str) -> Model:
    """The model called ``name``; an unknown name is an error that lists the known ones."""
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r} (known: {', '.join(sorted(MODELS))})")
    if name not in _loaded:
        module, attribute = MODELS[name].split(":")
        _loaded[name] = getattr(importlib.import_module(module), attribute)
    return _loaded[name]


__all__ = ["MODELS", "Model", "Observable", "Param", "get_model"]
