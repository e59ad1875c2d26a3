"""A sympy loss compiled to the functions a declared model runs: loss, gradient, Hessian-vector product.

The loss is an expression in the weight symbols ``weights`` (a fixed number of them) and in
data symbols (every other free symbol; ``draw`` gives their values by name, as floats). The
gradient and the Hessian are derived by ``sympy.diff``, exactly; the three functions are
printed by sympy's code printers (``math`` for numba and the float64 reference, ``mpmath``
for the replay) into a module in the kernel cache directory and imported, so that numba
caches what it compiles. The printed text is sympy's, from the declared expression: no
user text is evaluated here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys

import sympy as sp
from sympy.printing.pycode import MpmathPrinter, PythonCodePrinter

from boundcheck.verifiers.models.declared.kernel import cache_dir


def _functions_source(weights, expr, data, printer) -> str:
    w = sp.IndexedBase("w")
    v = sp.IndexedBase("v")
    sub = {s: w[i] for i, s in enumerate(weights)}
    grad = [sp.diff(expr, s) for s in weights]
    hess = [[sp.diff(gi, s) for s in weights] for gi in grad]
    pr = printer({"fully_qualified_modules": True})
    mp = isinstance(pr, MpmathPrinter)
    wrap = "np.array([{}], dtype=object)" if mp else "np.array([{}])"

    def code(e):
        return pr.doprint(sp.sympify(e).xreplace(sub))

    args = "".join(f", {d.name}" for d in data)
    hv = [sp.Add(*[hess[i][j] * sp.Symbol(f"_v{j}") for j in range(len(weights))]) for i in range(len(weights))]
    vsub = {sp.Symbol(f"_v{j}"): v[j] for j in range(len(weights))}
    return "\n".join([
        f"def loss(w{args}):",
        f"    return {code(expr)}",
        "",
        f"def grad(w{args}):",
        f"    return {wrap.format(', '.join(code(g) for g in grad))}",
        "",
        f"def hvp(w, v{args}):",
        f"    return {wrap.format(', '.join(pr.doprint(h.xreplace(sub).xreplace(vsub)) for h in hv))}",
        "",
    ])


def symbolic_functions(model):
    """(float64 functions, mpmath functions, data argument names) of a sympy-declared model."""
    from boundcheck.verifiers.models.declared.model import DeclarationError

    weights = tuple(model.weights)
    expr = sp.sympify(model.loss_expr)
    if not weights or not all(isinstance(s, sp.Symbol) for s in weights):
        raise DeclarationError(f"{model.name}: a sympy loss needs weights = a tuple of sympy symbols")
    data = tuple(sorted((s for s in expr.free_symbols if s not in weights), key=lambda s: s.name))
    if model.extra_observables:
        raise DeclarationError(f"{model.name}: extra observables are declared on NumPy models (a sympy loss has none)")
    header = "import math\nimport mpmath\nimport numpy as np\n\n"
    source = header + _functions_source(weights, expr, data, PythonCodePrinter)
    source_mp = header + _functions_source(weights, expr, data, MpmathPrinter)
    digest = hashlib.sha256((source + source_mp).encode()).hexdigest()[:16]
    return _module(f"boundcheck_sym_{digest}", source), _module(f"boundcheck_symmp_{digest}", source_mp), \
        tuple(d.name for d in data)


def _module(name: str, source: str) -> dict:
    if name not in sys.modules:
        path = cache_dir() / f"{name}.py"
        if not path.exists() or path.read_text() != source:
            path.write_text(source)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    module = sys.modules[name]
    return {"loss": module.loss, "grad": module.grad, "hvp": module.hvp}
