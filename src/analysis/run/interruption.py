"""Ctrl-C during a run, remembered where Python would drop it.

Python drops a KeyboardInterrupt raised inside a finalizer or an import's lock callback
("Exception ignored in …"), and a run's kernels, each in a session of its own, never see
the signal: such a Ctrl-C used to leave the run going on and waiting for its notebooks.
While a run holds an Interruption, Ctrl-C stops what the run registered (the executing
kernels) from the signal handler itself, is remembered, and is raised again at the run's
next checkpoint (`check`) and when the run leaves it, in place of whatever failure the
stopped kernels caused.
"""

import signal
import threading
from collections.abc import Callable


class Interruption:
    def __init__(self):
        self.happened = False
        self._stops: list[Callable[[], None]] = []
        self._previous = None  # Ctrl-C's handler before the run, put back after it

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():  # where signals land
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, kind, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        if self.happened and (kind is None or issubclass(kind, Exception)):
            raise KeyboardInterrupt

    def on_interrupt(self, stop: Callable[[], None]) -> None:
        """Call `stop` at once when Ctrl-C comes (from the signal handler: it must not
        wait on anything this thread may hold)."""
        self._stops.append(stop)

    def check(self) -> None:
        """Raise the remembered Ctrl-C: before anything is executed or published."""
        if self.happened:
            raise KeyboardInterrupt

    def _handle(self, signum, frame) -> None:
        self.happened = True
        for stop in self._stops:
            stop()
        raise KeyboardInterrupt
