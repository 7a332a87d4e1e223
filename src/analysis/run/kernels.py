"""The kernels the runner starts: over local sockets, each in a path of its own, and
started while the intake still works.

Over TCP, kernels started side by side pick their ports by opening and closing sockets,
so two can pick the same port and one dies at start-up ("Address already in use"); they
also warn that TCP is unencrypted. Over IPC each kernel's sockets are files under a
prefix no other kernel shares, so parallel starts cannot collide.

A kernel's start and the import of pandas and matplotlib take about a second and a half
of one core; the intake before the notebooks keeps only one core busy. WarmKernels starts
the first kernels then, with the notebooks' libraries already imported, and each next one
while the others run.
"""

import tempfile
import threading
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import default

# What the report notebooks import first. Imported silently and without history before a
# notebook runs, so its cells, outputs and execution counts are as in a fresh kernel.
PRELUDE = (
    "import IPython.display, analysis.measures.products, analysis.measures.targets, "
    "analysis.report.charts, analysis.report.formatting, analysis.report.narrative"
)
START_TIMEOUT = 120  # seconds for a kernel to answer, on a machine busy with the intake


class IPCKernelManager(AsyncKernelManager):
    """A kernel over IPC, with its socket files under a unique prefix in the temp folder."""

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @default("ip")
    def _ip_default(self) -> str:
        # Unix socket paths are limited to ~107 bytes, hence the short temp prefix.
        return str(Path(tempfile.gettempdir()) / f"tenplans-{uuid.uuid4().hex[:12]}")

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts before every shutdown; an idle kernel then only prints
        # "KeyboardInterrupt caught in kernel" into the run's log.
        if not self.shutting_down:
            await super()._async_interrupt_kernel()


class WarmKernels:
    """`total` kernels for as many notebooks, `ahead` of them starting at any time.

    take() hands out a started kernel (for papermill's `km`) and starts the next one; the
    caller shuts the kernel down when its notebook is done (stop()). Kernels' stderr,
    which they inherit at start, goes to a file of the pool's: the first start before the
    run's log is open. close() stops what was not taken and returns what they wrote.
    """

    def __init__(self, total: int, ahead: int, cwd: Path, prelude: str = PRELUDE):
        self._cwd, self._prelude = str(cwd), prelude
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._starter = ThreadPoolExecutor(max(1, ahead), thread_name_prefix="kernel-start")
        self._lock = threading.Lock()
        self._left = total
        self._ready: deque[Future] = deque()
        for _ in range(min(ahead, total)):
            self._start_next()

    def _start_next(self) -> None:
        with self._lock:
            if self._left > 0:
                self._left -= 1
                self._ready.append(self._starter.submit(self._start))

    def _start(self) -> IPCKernelManager:
        manager = IPCKernelManager(kernel_name="python3")
        try:
            run_sync(self._warm)(manager)
        except Exception:
            stop(manager)
            raise
        return manager

    async def _warm(self, manager: IPCKernelManager) -> None:
        """Start the kernel and run the prelude in it. The manager's own client tells a
        dead kernel by its process, not by a heartbeat a busy machine may miss."""
        await manager.start_kernel(cwd=self._cwd, stderr=self._stderr)
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=START_TIMEOUT)
            reply = await client.execute_interactive(
                self._prelude, silent=True, store_history=False, timeout=START_TIMEOUT
            )
        finally:
            client.stop_channels()
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"kernel start-up: {content['ename']}: {content['evalue']}")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def take(self) -> IPCKernelManager:
        """A started kernel with the prelude imported; raises if its start failed."""
        with self._lock:
            if not self._ready:
                raise RuntimeError("every kernel of the pool was taken")
            started = self._ready.popleft()
        self._start_next()
        return started.result()

    def close(self) -> str:
        """Stop the kernels not taken; return what the kernels wrote to stderr."""
        with self._lock:
            self._left = 0
            pending, self._ready = list(self._ready), deque()
        for started in pending:
            if started.exception() is None:
                stop(started.result())
        self._starter.shutdown(wait=True)
        if self._stderr.closed:
            return ""
        self._stderr.seek(0)
        chatter = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        return chatter


def stop(manager: AsyncKernelManager) -> None:
    """Shut a kernel down and remove its socket files."""
    if manager.has_kernel:
        run_sync(manager.shutdown_kernel)(now=False)
