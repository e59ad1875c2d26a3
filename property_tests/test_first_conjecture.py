"""A first-conjecture session on the network models, as a new user runs it: look the names up with
``boundcheck models``, write a TOML conjecture without a domain, get a verdict (the model's default
conjecture domain keeps the instances small)."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

SESSIONS = {
    # model: (hypotheses, a plainly false conclusion: GD contracts far slower than this at the capped step)
    "linear.two_layer": (["step_unit == 1", "dynamics == 0"], "gap[t] <= 0.9**t * gap[0]"),
    "ntk.two_layer_relu": (["step_unit == 1", "step <= 1"], "resid_sq[t] <= 0.5**t * resid_sq[0]"),
}


@pytest.mark.parametrize("model", list(SESSIONS))
def test_a_first_conjecture_gets_a_counterexample(model, tmp_path):
    code, out, err = run_cli("models", model, "--json")
    assert code == 0, err
    [described] = json.loads(out)["results"]
    offered = {p["name"] for p in described["parameters"]} | {o["name"] for o in described["observables"]}
    hypotheses, conclusion = SESSIONS[model]
    used = {"step_unit", "dynamics", "gap"} if model == "linear.two_layer" else {"step_unit", "step", "resid_sq"}
    assert used <= offered  # every name the conjecture uses is one `boundcheck models` listed
    assert described["default_domain"]  # drawn from small instances: no domain in the file
    path = tmp_path / "first.toml"
    path.write_text(f'[conjecture]\nid = "mine.first"\nmodel = "{model}"\nhypotheses = {json.dumps(hypotheses)}\n'
                    f'conclusion = "{conclusion}"\n')
    code, out, err = run_cli("verify", str(path), "--store", str(tmp_path / "s.sqlite"), "--json", timeout=300)
    assert code == 1, out + err
    [verdict] = json.loads(out)["results"]
    assert verdict["verdict"] == "VIOLATED" and verdict["counterexample"]["params"]
    assert all(verdict["counterexample"]["params"][name] <= hi
               for name, (_, hi) in described["default_domain"].items())  # found inside the default domain
