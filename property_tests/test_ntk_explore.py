"""``boundcheck explore``: relaxing one hypothesis maps where the conclusion holds.

On the NTK large-step conjecture the conclusion fails at width 1 (a single neuron
cannot fit n generic labels at the linear rate) and holds at large widths: the sweep
must find both ends, put the boundary between them, and compute the ratio to the width
the hypothesis demanded. Scale mode is exercised on the quadratic companion's step.
"""

from __future__ import annotations

import pytest

from boundcheck.theorems.registry import get
from boundcheck.verifiers.commands.explore import explore, relaxed
from boundcheck.verifiers.errors import BoundcheckError
from boundcheck.verifiers.evidence.store import Store
from property_tests.conftest import run_cli


def test_pinned_sweep_finds_the_boundary():
    statement = get("ntk.du2019.linear_convergence_large_step")
    result = explore(statement, "m", values=[1, 2, 64, 256], pinned={"n": 8}, instances=16, search=2, bisections=3)
    by_value = {p.value: p for p in result.points}
    assert by_value[1.0].violations > 0 and by_value[1.0].fails  # confirmed at 50 digits
    assert by_value[256.0].violations == 0 and by_value[256.0].instances > 0
    assert result.first_failure is not None and result.boundary > result.first_failure
    # the dropped hypothesis was m >= 32 n = 256: the ratio compares it with the boundary found
    assert result.demanded == pytest.approx(256.0)
    assert result.ratio == pytest.approx(256.0 / result.boundary)


def test_relaxed_statement_drops_or_scales_only_the_named_hypotheses():
    statement = get("ntk.du2019.linear_convergence")
    dropped = relaxed(statement, "m", "pin", 64.0, {"n": 16})
    assert [h.name for h in dropped.hypotheses] == [h.name for h in statement.hypotheses if h.name != "width"]
    assert dropped.domain["m"] == (64.0, 64.0) and dropped.domain["n"] == (16, 16)
    scaled = relaxed(statement, "eta", "scale", 8.0, {})
    assert len(scaled.hypotheses) == len(statement.hypotheses)
    step = next(h for h in scaled.hypotheses if h.name == "step")
    assert "8.0" in str(step.relation) or "0.125" in str(step.relation)


def test_scale_mode_on_a_step_hypothesis():
    """Generic over statements: the PL rate's ``eta < 2/L`` scaled by s holds up to s = 1 and fails past it."""
    statement = get("classical.pl.linear_rate_any_step")
    result = explore(statement, "eta", values=[0.5, 1.0, 1.9], instances=32, search=20, bisections=0)
    assert result.mode == "scale"
    by_value = {p.value: p for p in result.points}
    assert by_value[0.5].clean and by_value[1.0].clean
    assert by_value[1.9].violations > 0 and by_value[1.9].fails
    assert result.boundary == 1.0 and result.first_failure == 1.9 and result.ratio == 1.0


def test_unknown_name_is_one_line_error():
    with pytest.raises(BoundcheckError, match="no hypothesis names"):
        explore(get("ntk.du2019.weight_movement"), "kappa")


def test_cli_prints_table_ratio_and_writes_plot(tmp_path):
    store = tmp_path / "ev.sqlite"
    code, out, err = run_cli("explore", "ntk.du2019.linear_convergence", "--relax", "m", "--set", "n=4",
                             "--values", "1,16,256", "--instances", "4", "--search", "1", "--store", str(store))
    assert code == 0, err
    assert "the theorem demands m >=" in out and "ratio demanded / smallest m" in out
    pngs = list(tmp_path.glob("explore_*.png"))
    assert pngs and pngs[0].stat().st_size > 1000
    with Store(store, read_only=True) as s:
        rows = s.explorations("ntk.du2019.linear_convergence")
    assert {1.0, 16.0, 256.0} <= {r["value"] for r in rows}  # the grid, plus bisection points if a failure was found
