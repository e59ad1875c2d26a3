"""Instances of a batch spread over threads, each running a serial numba kernel without the GIL.

A kernel written ``@njit(parallel=True)`` with ``prange`` over instances turns every array
expression of its body into a parfor (numba's parallel loop nest) and compiles it as a
parallel region: on 2 cores that was 24 of the 57 CPU seconds ``linear.two_layer``'s kernel
took to compile cold, on every fresh machine. A serial ``@njit(nogil=True)`` kernel over
the instances ``start, start + stride, ...`` compiles once, plainly, and the batch is
spread over threads here: each thread runs the kernel on its own stride of instances,
writing disjoint rows of the outputs, with the GIL released. Interleaved strides balance
batches whose instances differ in size.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")

#: the most instances a model sets up before handing them to a kernel thread (:func:`parts`)
PART = 32


def thread_count() -> int:
    """numba's thread count (``NUMBA_NUM_THREADS``, which users set to limit numba), else the CPUs."""
    configured = os.environ.get("NUMBA_NUM_THREADS")
    if configured and configured.isdigit() and int(configured) > 0:
        return int(configured)
    return os.cpu_count() or 1


def _pool() -> ThreadPoolExecutor:
    """One pool per process: a forked child (a campaign's worker) inherits the parent's pool
    object but not its threads, and would wait on them forever."""
    return _pool_of(os.getpid())


@lru_cache(maxsize=1)
def _pool_of(pid: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=thread_count(), thread_name_prefix="boundcheck-kernel")


def parts(items: Sequence[T], most: int = PART) -> list[Sequence[T]]:
    """``items`` cut into consecutive parts of at most ``most``, at least one per kernel thread:
    a model sets up each part while a kernel thread trains the one before (:func:`in_background`).
    At (16, 4, 32) on the NTK model, parts of 16, 32, 64 and 128 ran at 87, 89, 93 and 104 us an
    instance."""
    size = max(1, min(most, -(-len(items) // thread_count())))
    return [items[k:k + size] for k in range(0, len(items), size)]


def in_background(task: Callable[..., Any], *args) -> Future:
    """``task(*args)`` on a kernel thread, so that the calling thread can prepare the next
    batch meanwhile (``task`` should spend its time in a ``nogil`` kernel); run here, at once,
    where there is one thread."""
    if thread_count() <= 1:
        done: Future = Future()
        try:
            done.set_result(task(*args))
        except Exception as error:  # re-raised by result(), as from a thread
            done.set_exception(error)
        return done
    return _pool().submit(task, *args)


def run_strided(kernel, count: int, *args) -> None:
    """``kernel(*args, start, stride)`` for start = 0..threads-1 (stride = threads), concurrently.

    ``kernel`` must be ``@njit(nogil=True)`` and handle instances start, start + stride, ...
    < ``count`` only. One thread (or one instance) runs it in the calling thread.
    """
    threads = min(thread_count(), count)
    if threads <= 1:
        kernel(*args, 0, 1)
        return
    futures = [_pool().submit(kernel, *args, start, threads) for start in range(threads)]
    for future in futures:
        future.result()  # re-raises a kernel's exception here
