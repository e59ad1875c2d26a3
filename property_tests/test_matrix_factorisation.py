"""Symmetric low-rank factorisation (theorems/matrix_factorisation.py) through the real checker:
the conjectured local rate at exact rank holds, and the rate 5% faster than the linearised one
(Chi, Lu, Chen 2019; Tu et al. 2016) is caught at its default budget."""

from __future__ import annotations

import pytest

from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.check import verify

FAMILY = [i for i in all_statements() if i.startswith("factorisation.")]


@pytest.mark.parametrize("seed", [0, 1])
def test_the_rate_five_percent_fast_is_caught(seed):
    verdict = verify(all_statements()["factorisation.bm.linearised_rate"], seed=seed)
    assert verdict.verdict == "VIOLATED", verdict.message
    assert verdict.counterexample["params"]["r"] <= verdict.counterexample["params"]["r_true"]


def test_the_conjectured_rate_holds_at_exact_rank():
    verdict = verify(all_statements()["factorisation.bm.local_linear_rate"], budget=10)
    assert verdict.verdict == "HOLDS", verdict.message
    assert 0.0 < verdict.max_tightness <= 1.0  # an upper bound: attained at most


def test_every_statement_has_a_source_and_the_family_a_mutant():
    members = [all_statements()[i] for i in FAMILY]
    assert any(s.kind == "mutant" for s in members) and all(s.source for s in members)
