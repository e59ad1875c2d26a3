"""``boundcheck models``: a model's vocabulary, and examples that load as written."""

from __future__ import annotations

import json
import tomllib

import pytest
from conftest import run_cli

from boundcheck.theorems import StatementError
from boundcheck.verifiers.loading import statement_from_table
from boundcheck.verifiers.models import MODELS, get_model
from boundcheck.verifiers.report.models import describe, text


def test_models_prints_every_declared_name_of_a_model():
    code, out, err = run_cli("models", "linear.two_layer")
    assert code == 0, err
    model = get_model("linear.two_layer")
    for section in ("parameters", "observables indexed by t", "scalar observables", "built-in constraints",
                    "example conjecture"):
        assert section in out
    assert all(name in out for name in model.param_names + model.indexed_names + model.scalar_names)
    assert "[1, 16]" in out  # n's default conjecture domain
    assert "representable: h >= min(d, m, n)" in out


def test_models_json_has_one_versioned_shape():
    code, out, err = run_cli("models", "smooth.pl", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["schema"] == "boundcheck/1" and data["command"] == "models"
    assert [r["name"] for r in data["results"]] == ["smooth.pl"]
    for row in data["results"]:
        model = get_model(row["name"])
        assert [p["name"] for p in row["parameters"]] == model.param_names
        assert all(isinstance(p["lo"], (int, float)) and isinstance(p["hi"], (int, float)) for p in row["parameters"])
        assert {o["name"] for o in row["observables"] if o["indexed"]} == set(model.indexed_names)


@pytest.mark.parametrize("name", list(MODELS))
def test_every_example_loads_as_written(name):
    """The example printed for a model is a conjecture the TOML loader accepts, and its meanings are declared."""
    described = describe(name)
    assert all(p["meaning"] for p in described["parameters"]), name
    assert all(o["meaning"] for o in described["observables"]), name
    if described["example"] is None:
        assert not get_model(name).observables
        return
    statement = statement_from_table(tomllib.loads(described["example"]["toml"])["conjecture"])
    assert statement.model == name
    assert "example conjecture" in text(described)


def test_unknown_names_suggest_the_closest():
    code, _, err = run_cli("models", "linear.two")
    assert code == 2 and "did you mean 'linear.two_layer'?" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli("show", "smooth.pl")
    assert code == 2 and "`boundcheck models smooth.pl`" in err
    table = {"id": "mine.x", "model": "smooth.pl", "conclusion": "gapp[t] <= gap[0]"}
    with pytest.raises(StatementError, match=r"did you mean 'gap'\?.*dist_sq, f, gap"):
        statement_from_table(table)
    with pytest.raises(StatementError, match=r"unknown name 'etta'; did you mean 'eta'\?.*known: L, R_sq"):
        statement_from_table({**table, "conclusion": "gap[t] <= etta * gap[0]"})
