"""``default_rng(seed)``'s stream for many seeds, in numba (verifiers/models/pcg64.py): the same
seed words, the same draws, so every seed keeps its instance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boundcheck.verifiers.models import get_model, pcg64
from boundcheck.verifiers.models.ntk_two_layer_relu import _drawn_stack, make_data, make_init

EDGES = [0, 1, 2, 3, 2**16, 2**31 - 1, 2**31, 2**32 - 2, 2**32 - 1]


@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=50))
def test_the_seed_words_are_seed_sequences(seeds):
    for seed, words in zip(seeds + EDGES, pcg64.seed_words(seeds + EDGES)):
        np.testing.assert_array_equal(words, np.random.SeedSequence(seed).generate_state(4, np.uint64))


@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=20))
def test_the_compiled_stream_is_default_rngs(seeds):
    """Normals (the ziggurat's rare branches included: 2,000 draws a seed), then fair signs."""
    for seed, words in zip(seeds + EDGES, pcg64.seed_words(seeds + EDGES)):
        for ours, numpys in zip(pcg64.stream(words, 2000, 33), pcg64.numpy_stream(seed, 2000, 33)):
            np.testing.assert_array_equal(ours, numpys)


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_a_seed_outside_one_word_is_refused(seed):
    with pytest.raises(ValueError, match="seeds in"):
        pcg64.seed_words([0, seed])


_NTK_DRAWS = st.fixed_dictionaries({
    "kappa": st.floats(1e-3, 10.0), "init": st.integers(0, 1), "labels": st.integers(0, 1),
    "seed": st.integers(0, 2**32 - 1), "init_seed": st.integers(0, 2**32 - 1)})


@given(n=st.integers(2, 40), d=st.integers(2, 128), m=st.integers(1, 70),
       batch=st.lists(_NTK_DRAWS, min_size=1, max_size=5))
def test_an_ntk_stack_is_drawn_as_make_data_and_make_init_draw_each(n, d, m, batch):
    """The compiled draw of a stack against NumPy's per-instance draws, bit for bit (d up to 128:
    both sides of NumPy's pairwise summation in the row norms)."""
    X, y, W0, a = _drawn_stack(batch, n, d, m)
    for b, p in enumerate(batch):
        expected_X, expected_y = make_data(n, d, p["labels"], p["seed"])
        expected_W0, expected_a = make_init(m, d, p["kappa"], p["init"], p["init_seed"])
        for got, expected in ((X[b], expected_X), (y[b], expected_y), (W0[b], expected_W0), (a[b], expected_a)):
            np.testing.assert_array_equal(got, expected)


def test_an_ntk_instance_is_drawn_from_its_seeds():
    """The model's set-up against make_data / make_init at the edge seeds."""
    params = dict(n=6, d=3, m=10, kappa=0.7, init=1, labels=0, linearized=0, steps=3, spectrum_every=-1,
                  step_unit=0, step=0.1, seed=2**32 - 1, init_seed=12345)
    inst = get_model("ntk.two_layer_relu").instance(params)
    X, y = make_data(6, 3, 0, 2**32 - 1)
    W0, a = make_init(10, 3, 0.7, 1, 12345)
    for name, expected in (("X", X), ("y", y), ("W0", W0), ("a", a)):
        np.testing.assert_array_equal(inst[name], expected, err_msg=name)


def test_a_stream_that_is_not_numpys_falls_back_to_numpy(monkeypatch):
    """Where the compiled stream disagrees with NumPy's on first use (a future NumPy or numba),
    every instance is drawn by NumPy."""
    pcg64.agrees_with_numpy.cache_clear()
    monkeypatch.setattr(pcg64, "stream", lambda words, normals, signs: (np.zeros(normals), np.ones(signs)))
    try:
        assert not pcg64.agrees_with_numpy()
        batch = [dict(kappa=0.5, init=1, labels=1, seed=3, init_seed=4)]
        X, y, W0, a = _drawn_stack(batch, 5, 3, 7)
        np.testing.assert_array_equal(X[0], make_data(5, 3, 1, 3)[0])
        np.testing.assert_array_equal(W0[0], make_init(7, 3, 0.5, 1, 4)[0])
    finally:
        pcg64.agrees_with_numpy.cache_clear()


def test_an_instance_given_by_its_arrays_needs_no_data_seed_beside_seeded_ones():
    """Explicit inputs (``X``, ``y``) draw no data: only the initialisation's seed is read, and a
    batch mixing both kinds gives each the numbers it gets alone."""
    model = get_model("ntk.two_layer_relu")
    seeded = dict(n=4, d=3, m=6, kappa=1.0, init=0, labels=0, linearized=0, steps=3, spectrum_every=-1,
                  step_unit=0, step=0.1, seed=1, init_seed=2)
    given = {k: v for k, v in seeded.items() if k != "seed"}
    given.update(X=np.random.default_rng(5).standard_normal((4, 3)), y=np.ones(4), init_seed=9)
    together = model.run([given, seeded, given])
    for params, obs in zip([given, seeded, given], together):
        np.testing.assert_array_equal(obs["resid_sq"], model.run([params])[0]["resid_sq"])
