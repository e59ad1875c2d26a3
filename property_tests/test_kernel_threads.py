"""Batches spread over threads (verifiers/models/threads.py): every instance run exactly once,
and an instance's numbers independent of its batch and of the thread that ran it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numba import njit

from boundcheck.verifiers.models import get_model
from boundcheck.verifiers.models import threads as threads_module
from boundcheck.verifiers.models.threads import in_background, parts, run_strided


@njit(cache=True, nogil=True)
def _mark(out, start, stride):
    for b in range(start, out.shape[0], stride):
        out[b] += 1 + start


@pytest.mark.parametrize("count", [1, 2, 3, 7, 64])
def test_every_instance_is_run_once(count, monkeypatch):
    # the thread count is patched, not NUMBA_NUM_THREADS: numba re-reads its environment when it
    # compiles, and refuses a new thread count once its own threads have run (earlier tests)
    for threads in (1, 2, 3):
        monkeypatch.setattr(threads_module, "thread_count", lambda threads=threads: threads)
        out = np.zeros(count, dtype=np.int64)
        run_strided(_mark, count, out)
        stride = min(threads, count)
        np.testing.assert_array_equal(out, 1 + np.arange(count) % stride)


def test_the_thread_count_follows_numba_num_threads(monkeypatch):
    monkeypatch.setenv("NUMBA_NUM_THREADS", "3")
    assert threads_module.thread_count() == 3
    monkeypatch.delenv("NUMBA_NUM_THREADS")
    assert threads_module.thread_count() >= 1


def _same(together, alone):
    for name, value in alone.items():
        if isinstance(value, dict):  # error bounds: scalars, or arrays per iteration
            assert together[name].keys() == value.keys(), name
            for key, stated in value.items():
                np.testing.assert_array_equal(np.asarray(together[name][key]), np.asarray(stated), err_msg=key)
        else:
            np.testing.assert_array_equal(np.asarray(together[name]), np.asarray(value), err_msg=name)


@pytest.mark.parametrize("model_name, batch", [
    ("linear.two_layer", [
        dict(n=n, d=d, m=m, h=h, x_cond=10.0, init=init, init_scale=1.0, imbalance_scale=1.5, margin_frac=0.3,
             dynamics=0, diagnostics=diag, step_unit=2, step=0.5, steps=steps, seed=seed)
        for seed, (n, d, m, h, init, diag, steps) in enumerate(
            [(4, 3, 2, 6, 0, 1, 12), (6, 6, 3, 10, 3, 0, 30), (2, 5, 1, 2, 4, 1, 5), (5, 2, 3, 9, 1, 0, 0),
             (3, 3, 3, 3, 0, 1, 20)])]),
    ("ntk.two_layer_relu", [
        dict(n=n, d=3, m=m, kappa=1.0, init=init, labels=seed % 2, linearized=lin, steps=steps, spectrum_every=every,
             step_unit=1, step=0.9, seed=seed, init_seed=seed + 1)
        for seed, (n, m, init, lin, steps, every) in enumerate(
            [(5, 7, 0, 0, 15, 2), (3, 40, 1, 1, 30, 0), (6, 3, 0, 0, 0, 1), (5, 7, 0, 1, 8, -1), (4, 16, 0, 0, 25, 5)])]),
])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_a_batch_equals_one_at_a_time(model_name, batch, threads, monkeypatch):
    """Bit for bit: each thread runs the same serial code on its instances (the NTK model also
    cuts a batch into parts of len / threads, set up while the part before trains)."""
    monkeypatch.setattr(threads_module, "thread_count", lambda: threads)
    model = get_model(model_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        together = model.run(batch)
        for params, obs in zip(batch, together):
            _same(obs, model.run([params])[0])


@pytest.mark.parametrize("threads", [1, 2])
def test_a_task_in_background_returns_its_result_or_raises_its_error(threads, monkeypatch):
    """On a kernel thread, or at once where there is one thread: the same result, the same error."""
    monkeypatch.setattr(threads_module, "thread_count", lambda: threads)
    assert in_background(divmod, 7, 2).result() == (3, 1)
    with pytest.raises(ZeroDivisionError):
        in_background(divmod, 1, 0).result()


def test_a_forked_child_gets_a_pool_of_its_own():
    """The parent's pool threads do not exist in a forked child (a campaign worker)."""
    import multiprocessing

    run_strided(_mark, 4, np.zeros(4, dtype=np.int64))  # the parent's pool exists
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(_child_marks).get(timeout=60) == 4


def _child_marks() -> int:
    out = np.zeros(4, dtype=np.int64)
    run_strided(_mark, 4, out)
    return int((out > 0).sum())


@pytest.mark.parametrize("model_name", ["linear.two_layer", "ntk.two_layer_relu"])
def test_an_empty_batch_runs_nothing(model_name):
    assert get_model(model_name).run([]) == []


@pytest.mark.parametrize("count", [0, 1, 2, 5, 31, 32, 33, 200])
def test_parts_cover_a_batch_in_order_one_per_thread_at_least_and_small(count, monkeypatch):
    monkeypatch.setattr(threads_module, "thread_count", lambda: 2)
    cut = parts(list(range(count)), most=32)
    assert [item for part in cut for item in part] == list(range(count))
    assert all(0 < len(part) <= 32 for part in cut)
    assert len(cut) >= min(count, 2)
