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
    "linear.deep": "boundcheck.verifiers.models.declared.deep_linear:MODEL",
    "linear.deep_adaptive": "boundcheck.verifiers.models.declared.deep_linear:ADAPTIVE",
    "factorisation.symmetric": "boundcheck.verifiers.models.declared.matrix_factorisation:MODEL",
}

_loaded: dict[str, Model] = {}


def get_model(name: str) -> Model:
    """The model called ``name``; an unknown name is an error that lists the known ones.

    Beyond the built-in names: a model registered in this process (:func:`register_model`), a
    model file ``path/to/model.py[:Name]`` (trusted code: loading it runs it), or an entry point
    of the group ``boundcheck.models`` (:mod:`boundcheck.verifiers.models.declared.loader`).
    """
    if name in _loaded:
        return _loaded[name]
    if name not in MODELS:
        from boundcheck.verifiers.models.declared import loader

        model = loader.load_model_file(name) if loader.is_file_reference(name) else loader.entry_point_model(name)
        if model is None:
            raise KeyError(f"unknown model {name!r} (known: {', '.join(sorted(MODELS))})")
        return register_model(model)
    if name not in _loaded:
        module, attribute = MODELS[name].split(":")
        _loaded[name] = getattr(importlib.import_module(module), attribute)
    return _loaded[name]


def register_model(model: Model) -> Model:
    """Make ``model`` known by its name in this process (a model file or an entry point's model);
    a name that is built in, or taken by another model, is refused."""
    if model.name in MODELS or _loaded.get(model.name, model) is not model:
        if _loaded.get(model.name) is not None and type(_loaded[model.name]) is type(model):
            return _loaded[model.name]
        raise KeyError(f"a model called {model.name!r} is already known")
    _loaded[model.name] = model
    return model


__all__ = ["MODELS", "Model", "Observable", "Param", "get_model", "register_model"]
