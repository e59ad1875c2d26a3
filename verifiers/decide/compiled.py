"""sympy expressions compiled to Python functions, quickly.

:func:`sympy.lambdify` prints the expression first, and its printers sort the terms of
every sum into sympy's canonical order (``as_ordered_terms``): 80% of the time of compiling
a conclusion's error bounds, for an order that changes nothing the function computes.
:func:`compile_expression` is ``lambdify`` with the printer lambdify would choose for
``modules``, told to print terms in the order they are stored, and without the docstring
lambdify writes from ``str(expr)`` (a tenth of a compilation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import MpmathPrinter, PythonCodePrinter

_PRINTERS = {"mpmath": MpmathPrinter, "numpy": NumPyPrinter, "math": PythonCodePrinter}


def compile_expression(args: Sequence[sp.Symbol], expr: Any, modules: str | list) -> Any:
    """``sympy.lambdify(args, expr, modules)``, printed without reordering terms.

    ``modules`` is ``"numpy"``, ``"mpmath"`` or ``"math"``, or a list of dictionaries of
    user functions followed by one of those names (as lambdify accepts it).
    """
    namespaces = modules if isinstance(modules, list) else [modules]
    backend = next(m for m in namespaces if isinstance(m, str))
    user_functions = {name: name for m in namespaces if isinstance(m, dict) for name in m}
    printer = _PRINTERS[backend]({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                                  "user_functions": user_functions, "order": "none"})
    return sp.lambdify(args, expr, modules, printer=printer, docstring_limit=0)  # no str(expr) for a docstring
