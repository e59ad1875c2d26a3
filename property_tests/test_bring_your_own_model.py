"""Models declared by their loss (verifiers/models/declared, issue 17).

check-model on every shipped generated model and on the example (generated kernel == NumPy
reference to 1e-9 normwise: the same arithmetic compiled two ways, rounding differences only;
reference == mpmath replay to 1e-6: float64 rounding carried through <= 10 steps of a small
instance; gradient == mpmath central differences to 1e-8); a sympy loss with its derived
gradient and Hessian, a schedule and sharpness; step rules through the whitelist parser; TOML
model paths relative to the file; entry points; bad declarations refused with one message;
the new statements through the real checker (the long ones are slow-marked).
"""

from __future__ import annotations

import textwrap
from importlib import metadata

import numpy as np
import pytest
from conftest import EXAMPLES, run_cli

from boundcheck.verifiers.check import verify
from boundcheck.verifiers.commands.check_model import check_model
from boundcheck.verifiers.errors import LoadError
from boundcheck.verifiers.limits import TRUST_MODEL_FILES
from boundcheck.verifiers.loading import load
from boundcheck.verifiers.models import MODELS, get_model
from boundcheck.verifiers.models.declared import DeclarationError, DeclaredModel
from boundcheck.verifiers.models.declared.steps import StepRuleError, parse_step_rule

GENERATED = sorted(name for name in MODELS if isinstance(get_model(name), DeclaredModel))


def test_the_shipped_generated_models_are_registered():
    assert {"linear.deep", "linear.deep_adaptive", "factorisation.symmetric"} <= set(GENERATED)


@pytest.mark.parametrize("name", [*GENERATED, str(EXAMPLES / "phase_retrieval_model.py")])
def test_check_model_passes(name):
    report = check_model(get_model(name), instances=2, seed=1)
    assert report.passed, "\n".join(report.lines())
    assert report.kernel_vs_reference <= 1e-9 and report.reference_vs_replay <= 1e-6


def test_example_model_is_short():
    assert len((EXAMPLES / "phase_retrieval_model.py").read_text().splitlines()) < 60


SYMPY_MODEL = '''
import sympy as sp
from boundcheck.verifiers.models.declared import DeclaredModel, param

w0, w1, a = sp.symbols("w0 w1 a", real=True)


class Tilted(DeclaredModel):
    """f(w) = (w0^2 - a)^2 / 4 + w0 w1 / 2 + w1^2: a tilted double well (a sympy loss)."""
    name = "test.tilted_well"
    params = (param("a", "float", 0.1, 2.0, "well position"),)
    default_domain = {"eta": (0.01, 0.1), "steps": (1, 10)}
    weights = (w0, w1)
    loss_expr = (w0**2 - a) ** 2 / 4 + w0 * w1 / 2 + w1**2
    step = "eta / sqrt(t + 1)"
    sharpness = True

    def draw(self, p, rng):
        return rng.standard_normal(2), {"a": p["a"]}
'''


def test_sympy_loss_schedule_and_sharpness(tmp_path):
    path = tmp_path / "tilted.py"
    path.write_text(SYMPY_MODEL)
    model = get_model(str(path))
    assert model.rule.kind == "schedule"
    report = check_model(model, instances=2, seed=2)
    assert report.passed, "\n".join(report.lines())
    params = model.validate({"a": 0.7, "eta": 0.05, "steps": 6, "seed": 3})
    obs = model.run([params])[0]
    assert np.allclose(obs["step_size"], 0.05 / np.sqrt(np.arange(1, 8)), rtol=1e-15, atol=0)
    # sharpness = Rayleigh quotient after 20 power iterations: the top eigenvalue of the exact Hessian
    # [[3 w0^2 - a, 1/2], [1/2, 2]] up to (lambda_2 / lambda_1)^40 relative (ratio <= 0.7 on these iterates)
    w = model.instance(params)[0]
    hess = np.array([[3 * w[0] ** 2 - 0.7, 0.5], [0.5, 2.0]])
    top = np.linalg.eigvalsh(hess)
    assert abs(obs["sharpness"][0] - top[-1]) <= 1e-5 * abs(top[-1]) or abs(top[0]) > 0.7 * abs(top[-1])


def test_step_rules_parse_safely():
    assert parse_step_rule("eta", ["eta"], []).kind == "constant"
    assert parse_step_rule("eta / (t + 1)", ["eta"], []).kind == "schedule"
    assert parse_step_rule("eta * (2 - sqrt(loss / loss0))", ["eta"], []).kind == "adaptive"
    for text in ("__import__('os').system('true')", "eta.real", "unknown_name * eta", "lambda: 1"):
        with pytest.raises(StepRuleError):
            parse_step_rule(text, ["eta"], [])


def test_a_numpy_loss_without_gradient_is_refused():
    class NoGradient(DeclaredModel):
        name = "test.no_gradient"

        def draw(self, p, rng):
            return np.zeros(2), {}

        @staticmethod
        def loss(w):
            return np.sum(w * w)

    with pytest.raises(DeclarationError, match="needs its gradient"):
        NoGradient()


def test_toml_conjecture_on_a_model_file_relative_to_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the path resolves against the TOML file, not the working directory
    with pytest.raises(LoadError, match="trust-model-files"):  # a model file runs code: opt in
        load(str(EXAMPLES / "phase_retrieval_conjecture.toml"))
    monkeypatch.setenv(TRUST_MODEL_FILES, "1")
    statements = load(str(EXAMPLES / "phase_retrieval_conjecture.toml"))
    assert [s.model for s in statements] == ["example.phase_retrieval"]
    verdict = verify(statements[0], budget=3)
    assert verdict.verdict == "HOLDS", verdict.message


def test_check_model_cli_bad_input_is_one_line():
    code, out, err = run_cli("check-model", "no/such/model.py")
    assert code == 2 and err.count("\n") == 1 and "not found" in err, (code, out, err)


def test_entry_point_models(tmp_path, monkeypatch):
    (tmp_path / "bc_plugin_model.py").write_text(textwrap.dedent('''
        import numpy as np
        from boundcheck.verifiers.models.declared import DeclaredModel

        class Plugin(DeclaredModel):
            name = "plugin.quadratic"
            default_domain = {}

            def draw(self, p, rng):
                return rng.standard_normal(3), {}

            @staticmethod
            def loss(w):
                return 0.5 * np.sum(w * w)

            @staticmethod
            def grad(w):
                return w.copy()
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    point = metadata.EntryPoint(name="plugin.quadratic", value="bc_plugin_model:Plugin", group="boundcheck.models")
    monkeypatch.setattr(metadata, "entry_points", lambda group=None: [point] if group == "boundcheck.models" else [])
    model = get_model("plugin.quadratic")
    assert model.name == "plugin.quadratic" and get_model("plugin.quadratic") is model


def test_finite_difference_sharpness_widens_the_trusted_accuracy():
    """Sharpness from central differences of a NumPy gradient is trusted to 1e-5 relative, not 1e-9."""
    example = type(get_model(str(EXAMPLES / "phase_retrieval_model.py")))

    class WithSharpness(example):
        name = "test.phase_retrieval_sharpness"
        sharpness = True

    assert WithSharpness().observable_rtol == 1e-5
    assert example().observable_rtol == 1e-9


def test_a_model_file_moved_elsewhere_reuses_its_cached_kernel(tmp_path):
    """numba's on-disk cache of a generated kernel names the model file's module: the same file
    at another path (a clone, a moved project) must load that cache, not fail to import it."""
    import shutil
    import subprocess
    import sys

    for folder in ("first", "second"):
        (tmp_path / folder).mkdir()
        shutil.copy(EXAMPLES / "phase_retrieval_model.py", tmp_path / folder / "phase_retrieval_model.py")
        run = subprocess.run([sys.executable, "-m", "boundcheck", "check-model",
                              str(tmp_path / folder / "phase_retrieval_model.py")],
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout + run.stderr
