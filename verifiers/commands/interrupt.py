"""Ctrl-C that is not lost.

Python delivers SIGINT as a KeyboardInterrupt raised wherever the main thread happens to
be; raised inside a garbage-collection callback (Hypothesis installs one) it is printed as
"Exception ignored" and dropped, and the run went on to the end with exit code 0 (seen in
the Ctrl-C test of ``verify --jobs 2``). :class:`InterruptLatch` records the signal as
well as raising it, and :meth:`InterruptLatch.check` raises it again at the next safe
point (after a statement, while waiting for workers), so the stop is clean and resumable
either way.
"""

from __future__ import annotations

import signal
import threading


class InterruptLatch:
    """Within ``with InterruptLatch() as latch``: Ctrl-C raises KeyboardInterrupt and is
    remembered; ``latch.check()`` raises it again if it was swallowed. Outside the main
    thread (where signals cannot be handled) it only checks."""

    def __init__(self) -> None:
        self.seen = False
        self._previous = None

    def _handle(self, signum, frame) -> None:
        self.seen = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.seen:
            raise KeyboardInterrupt

    def __enter__(self) -> InterruptLatch:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
