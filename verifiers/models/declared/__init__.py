"""Models declared by their loss in one Python file; boundcheck generates the kernel, reference and replay.

See :mod:`boundcheck.verifiers.models.declared.model` for what a declaration holds and what
is generated, :mod:`~boundcheck.verifiers.models.declared.steps` for step rules and
:mod:`~boundcheck.verifiers.models.declared.loader` for ``FILE.py:Name`` and entry points.
"""

from boundcheck.verifiers.models.base import param
from boundcheck.verifiers.models.declared.model import DeclarationError, DeclaredModel, helper

__all__ = ["DeclarationError", "DeclaredModel", "helper", "param"]
