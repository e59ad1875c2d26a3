"""One BLAS thread around the models' small dense products.

The models batch many small products (a few dozen rows); BLAS threads only contend with
numba's and with each other there. :func:`threadpoolctl.threadpool_limits` rescans every
loaded shared library on each call (0.5-4 ms, called hundreds of times per statement), so
the scan is done once per process by one :class:`threadpoolctl.ThreadpoolController`.
"""

from __future__ import annotations

from functools import lru_cache

from threadpoolctl import ThreadpoolController


@lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def single_threaded_blas():
    """A context manager that limits BLAS to one thread inside it."""
    return _controller().limit(limits=1, user_api="blas")
