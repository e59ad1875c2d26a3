"""One distribution, one import root: ``import boundcheck`` and nothing else at the top level.

The folders theorems/ and verifiers/ install as ``boundcheck.theorems`` and
``boundcheck.verifiers``; a bare ``theorems`` or ``verifiers`` importable next to them would
let one module be imported under two names (two registries, two ``Statement`` classes that
``isinstance`` cannot tell apart), and ``verifiers`` is another distribution's name.
"""

from __future__ import annotations

import subprocess
import sys


def _python(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_boundcheck_is_the_only_import_root(tmp_path):
    """From a folder outside the repository, ``theorems`` and ``verifiers`` are not importable."""
    for name in ("theorems", "verifiers"):
        proc = _python(f"import {name}", tmp_path)
        assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr, (name, proc.stderr)
    proc = _python("import boundcheck, boundcheck.theorems, boundcheck.verifiers; print(boundcheck.__version__)",
                   tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_public_api_verifies_from_any_folder(tmp_path):
    code = ("import boundcheck; v = boundcheck.verify('classical.pl.linear_rate', budget=20); "
            "print(v.verdict, isinstance(v, boundcheck.Verdict))")
    proc = _python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["HOLDS", "True"]


def test_the_statement_registry_exists_once(tmp_path):
    """Every module of the package is loaded under the boundcheck root only, and the registry
    that the public API, the loader and the checker see is one object."""
    code = (
        "import sys, boundcheck\n"
        "from boundcheck.verifiers import loading\n"
        "from boundcheck.theorems import registry, statement\n"
        "boundcheck.verify('classical.pl.linear_rate', budget=5)\n"
        "assert loading.registry is registry\n"
        "assert statement.Statement is boundcheck.Statement\n"
        "top = {name.split('.')[0] for name in sys.modules}\n"
        "assert not top & {'theorems', 'verifiers'}, top & {'theorems', 'verifiers'}\n"
        "print('ok')\n"
    )
    proc = _python(code, tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_import_boundcheck_is_light(tmp_path):
    """The statement API loads sympy only: numba, cvxpy, NumPy's heavy users load on first verify."""
    proc = _python("import sys, boundcheck; print(sorted(m for m in ('numba', 'cvxpy', 'dask', 'matplotlib') "
                   "if m in sys.modules))", tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def test_getting_one_statement_builds_that_one(tmp_path):
    """A fresh ``get(ID)`` builds the statement its builder's name points to, not every
    statement of its module before it (``classical.strongly_convex.distance`` is the 12th of
    its module); an id whose builder is named otherwise is still found."""
    code = (
        "from boundcheck.theorems import registry\n"
        "registry.get('classical.strongly_convex.distance')\n"
        "print(len(registry._built))\n"
        "print(registry.get('double_descent.hastie.exact_risk_under').id)\n"
    )
    proc = _python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1", "double_descent.hastie.exact_risk_under"]
