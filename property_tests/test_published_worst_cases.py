"""Worst cases computed by performance estimation against published tight values, N = 1..10.

Each row is solved as ``certify`` solves it (:func:`boundcheck.verifiers.certificates.pep.solve_row`: retries
included); its band [lo, hi], built from PEPit's duality gap and residuals, must contain
the published value (the band is what every verdict rests on), and be narrower than
1e-5 relative: the measured widths are 1e-8..1e-5 (bands 1e-3 wide would still decide
every claim off by 0.1%, but 1e-5 separates each published value from its neighbours,
consecutive N differing by more than 1e-2, and catches a solver gone slack).
"""

import math

import pytest

from boundcheck.theorems.registry import all_statements
from boundcheck.verifiers.certificates.pep import function_class_of, pose, solve_row

RTOL = 1e-5
NS = range(1, 11)

#: (statement, parameter point, published value as a function of N, source)
PUBLISHED = [
    ("classical.convex.drori_teboulle", {"L": 1.0, "mu": 0.0, "eta": 1.0},
     lambda N: 1 / (4 * N + 2), "Drori & Teboulle 2014, Thm 3.1: L R^2 / (4N + 2) at h = 1"),
    ("classical.nonconvex.tight_min_grad", {"L": 1.0, "mu": 0.0, "eta": 1.0},
     lambda N: 4 / (3 * N), "Taylor's thesis / PEPit: min ||g||^2 <= (4/3) L (f(x0) - f(xN)) / N at h = 1"),
    ("classical.strongly_convex.distance_nonquadratic", {"L": 1.0, "mu": 0.1, "eta": 1.0},
     lambda N: 0.9 ** (2 * N), "PEPit / THG: ||x_N - x*||^2 <= max{(1-h q)^2, (1-h)^2}^N R^2, q = 0.1, h = 1"),
    ("classical.strongly_convex.distance_nonquadratic", {"L": 1.0, "mu": 0.1, "eta": 2 / 1.1},
     lambda N: (0.9 / 1.1) ** (2 * N), "optimal step 2/(L+mu): ((kappa-1)/(kappa+1))^{2N}, kappa = 10"),
    ("classical.convex.all_steps_worst_case", {"L": 1.0, "mu": 0.0, "eta": 1.5},
     lambda N: max(1 / (2 * N * 1.5 + 1), 0.5 ** (2 * N)) / 2,
     "Taylor-Hendrickx-Glineur 2017 (conjecture) / Rotaru et al. 2024: (L R^2/2) max{1/(2Nh+1), (1-h)^{2N}}, h=1.5"),
    ("classical.nonconvex.tight_min_grad", {"L": 1.0, "mu": 0.0, "eta": 2 / math.sqrt(3)},
     lambda N: 3 * math.sqrt(3) / (4 * N), "Abbaszadehpeivasti-de Klerk-Zamani 2022: optimal h = 2/sqrt(3)"),
]


def _table():
    statements = all_statements()
    rows = []
    for sid, params, published, source in PUBLISHED:
        statement = statements[sid]
        cls = function_class_of(statement)
        for N in NS:
            row = solve_row(cls, pose(statement, N, params), params, N)
            rows.append((sid, params["eta"], N, row, published(N), source))
    return rows


@pytest.fixture(scope="module")
def table():
    return _table()


def test_published_values_match(table):
    for sid, h, N, row, published, _ in table:
        assert row.status == "optimal", (sid, N, row.attempts)
        assert row.band[0] <= published <= row.band[1], (sid, h, N, row.band, published)
        assert row.band[1] - row.band[0] <= RTOL * published, (sid, h, N, row.band, published)


def test_table_is_complete(table):
    assert len(table) == len(PUBLISHED) * len(NS)


if __name__ == "__main__":  # prints the side-by-side table
    print(f"{'statement':<50} {'h':>6} {'N':>3} {'PEP worst':>13} {'published':>13} {'rel. diff':>10}")
    for sid, h, N, row, published, _ in _table():
        print(f"{sid:<50} {h:>6.4f} {N:>3} {row.worst:>13.8g} {published:>13.8g} "
              f"{abs(row.worst - published) / published:>10.2e} {row.solver}: {row.status}")
