"""Finding declared models: ``path/to/model.py:Name`` (a file), or an entry point ``boundcheck.models``.

A model file is imported as a Python module: **loading a model file runs its code**, so a
model file is trusted code (a TOML conjecture that names one runs it too). Statements name
the model by its ``name``; a model found here is registered under it for the rest of the
process (:func:`boundcheck.verifiers.models.register_model`).

Packages register models with an entry point in the group ``boundcheck.models``, whose
name is the model's name and whose value is ``module:attribute`` (a model instance or a
:class:`~boundcheck.verifiers.models.declared.model.DeclaredModel` subclass).
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from pathlib import Path

from boundcheck.verifiers.models.base import Model

ENTRY_POINT_GROUP = "boundcheck.models"


class ModelFileError(ValueError):
    """A model reference that names no file, no model, or a model that does not declare itself."""


def is_file_reference(text: str) -> bool:
    return text.split(":", 1)[0].endswith(".py")


def resolve_reference(text: str, origin: str = "") -> str:
    """``text`` with a relative model file made relative to the directory of ``origin`` (a TOML file)."""
    if not is_file_reference(text):
        return text
    path, _, attribute = text.partition(":")
    if origin and not Path(path).is_absolute():
        path = str((Path(origin).resolve().parent / path).resolve())
    return f"{path}:{attribute}" if attribute else path


def _as_model(obj, where: str) -> Model:
    if inspect.isclass(obj) and issubclass(obj, Model):
        obj = obj()
    if not isinstance(obj, Model):
        raise ModelFileError(f"{where} is not a model (a Model instance or a DeclaredModel subclass)")
    return obj


def load_model_file(reference: str) -> Model:
    """The model ``path.py:Name`` (``Name`` may be left out when the file declares exactly one)."""
    from boundcheck.verifiers.models.declared.model import DeclaredModel

    path_text, _, attribute = reference.partition(":")
    path = Path(path_text).resolve()
    if not path.is_file():
        raise ModelFileError(f"model file {path_text} not found")
    # named by the file's content, not its path: numba's on-disk cache of the generated kernel
    # refers to the module by name, so the same file moved or cloned elsewhere must get the same
    # name (a path-named module made a cached kernel fail to load: ModuleNotFoundError)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    module_name = f"boundcheck_user_model_{path.stem}_{digest}"
    module = sys.modules.get(module_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)  # trusted code: a model file is a Python module
        except Exception as exc:  # the file's own error, reported as one line naming the file
            del sys.modules[module_name]
            raise ModelFileError(f"model file {path_text} failed to load: {type(exc).__name__}: {exc}") from exc
    if attribute:
        if not hasattr(module, attribute):
            raise ModelFileError(f"model file {path_text} defines no {attribute!r}")
        return _instantiate(getattr(module, attribute), f"{path_text}:{attribute}")
    found = [obj for obj in vars(module).values() if inspect.isclass(obj) and issubclass(obj, DeclaredModel)
             and obj is not DeclaredModel and obj.__module__ == module_name]
    if len(found) != 1:
        names = ", ".join(o.__name__ for o in found) or "none"
        raise ModelFileError(f"model file {path_text} declares {len(found)} models ({names}): name one as FILE:Name")
    return _instantiate(found[0], f"{path_text}:{found[0].__name__}")


def _instantiate(obj, where: str) -> Model:
    """``_as_model`` with a declaration's own errors (a missing gradient ...) as one line naming the file."""
    from boundcheck.verifiers.models.declared.model import DeclarationError

    try:
        return _as_model(obj, where)
    except DeclarationError as exc:
        raise ModelFileError(f"{where}: {exc}") from None


def entry_point_model(name: str) -> Model | None:
    """The model an installed package registers under ``name`` in ``boundcheck.models``, if any."""
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            return _as_model(ep.load(), f"entry point {name} ({ep.value})")
    return None


def entry_point_names() -> list[str]:
    from importlib.metadata import entry_points

    return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
