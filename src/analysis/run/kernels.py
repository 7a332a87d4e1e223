"""The kernels the runner starts: over local sockets, each in a path of its own, and
launched while the intake still works.

Over TCP, kernels started side by side pick their ports by opening and closing sockets,
so two can pick the same port and one dies at start-up ("Address already in use"); they
also warn that TCP is unencrypted. Over IPC each kernel's sockets are files under a
prefix no other kernel shares, so parallel starts cannot collide.

A kernel's start and the import of pandas and matplotlib take about a second and a half
of one core; the intake and the products before the notebooks leave a core idle.
WarmKernels launches the first kernels then, each importing the notebooks' libraries
(prelude.py) as it starts, and the next one whenever one is taken. They run at the
run's own priority: a lower one would let other work on the machine hold them back (each
kernel is a session of its own, which Linux weighs as a whole beside every other).
"""

import ast
import json
import os
import tempfile
import threading
import uuid
from collections import deque
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import default

PRELUDE = "analysis.run.prelude"
PRELUDE_VARIABLE = "TENPLANS_PRELUDE"  # the imports prelude.py makes, as JSON (read there)


class IPCKernelManager(AsyncKernelManager):
    """A kernel over IPC, with its socket files under a unique prefix in the temp folder."""

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @default("ip")
    def _ip_default(self) -> str:
        # Unix socket paths are limited to ~107 bytes, hence the short temp prefix.
        return str(Path(tempfile.gettempdir()) / f"tenplans-{uuid.uuid4().hex[:12]}")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # A notebook client that was handed this manager (papermill's `km`) leaves the
        # kernel and its own channels open when done; stop() closes them.
        self.clients = []

    def client(self, **kwargs):
        made = super().client(**kwargs)
        self.clients.append(made)
        return made

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts before every shutdown; an idle kernel then only prints
        # "KeyboardInterrupt caught in kernel" into the run's log.
        if not self.shutting_down:
            await super()._async_interrupt_kernel()


class WarmKernels:
    """`total` kernels for `notebooks`, `ahead` of them launched before they are needed.

    Launching is only the process's start: the kernel then imports, on its own while this
    process goes on, the modules the notebooks import (imports_of), through prelude.py,
    an IPython extension run at start-up outside the user's namespace and history, so a
    notebook's cells, names and execution counts are as in a fresh kernel. The notebook's
    client waits for the kernel to answer. Launches happen in the calling thread (no thread
    of this class's runs beside the intake's forked readers). take() hands out a kernel
    (papermill's `km`) and launches the next; the caller shuts it down when its notebook is
    done (stop()). The kernels' stderr goes to a file of the pool's, the first ones being
    launched before the run's log is open; close() stops what was not taken and returns
    what they wrote.
    """

    def __init__(self, notebooks: list[Path], ahead: int, cwd: Path):
        self._cwd = str(cwd)
        self._prelude = json.dumps(imports_of(notebooks))
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._lock = threading.Lock()
        self._left = len(notebooks)
        self._ready: deque[IPCKernelManager] = deque()
        for _ in range(min(ahead, self._left)):
            self._launch_next()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _launch_next(self) -> None:
        with self._lock:
            if self._left <= 0:
                return
            self._left -= 1
        manager = IPCKernelManager(kernel_name="python3")
        run_sync(manager.start_kernel)(
            cwd=self._cwd,
            stderr=self._stderr,
            env=os.environ | {PRELUDE_VARIABLE: self._prelude},
            extra_arguments=[f"--IPKernelApp.extra_extensions={PRELUDE}"],
        )
        with self._lock:
            self._ready.append(manager)

    def take(self) -> IPCKernelManager:
        """A launched kernel; it may still be importing its prelude."""
        with self._lock:
            if not self._ready:
                raise RuntimeError("every kernel of the pool was taken")
            manager = self._ready.popleft()
        self._launch_next()
        return manager

    def close(self) -> str:
        """Stop the kernels not taken; return what the kernels wrote to stderr."""
        with self._lock:
            self._left = 0
            left, self._ready = list(self._ready), deque()
        for manager in left:
            stop(manager, now=True)  # never given a notebook: nothing to wait for
        if self._stderr.closed:
            return ""
        self._stderr.seek(0)
        chatter = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        return chatter


def imports_of(notebooks: list[Path]) -> list[tuple[str, list[str]]]:
    """The absolute imports in the notebooks' code cells, as (module, names from it), in
    the order first met: `import a.b` is ("a.b", []), `from a import b, c` ("a", ["b", "c"]).
    A cell that is not plain Python (a magic) is passed over: its imports load as usual."""
    found: dict[str, list[str]] = {}
    for notebook in notebooks:
        for cell in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            try:
                tree = ast.parse("".join(cell["source"]))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        found.setdefault(alias.name, [])
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = found.setdefault(node.module, [])
                    names += [a.name for a in node.names if a.name not in names]
    return list(found.items())


def stop(manager: IPCKernelManager, now: bool = False) -> None:
    """Shut a kernel down if it still runs (`now`: killed, not asked: one still starting
    would answer only once started), and remove its socket and connection files (unless a
    notebook client did so on finding it dead)."""
    while manager.clients:
        manager.clients.pop().stop_channels()
    if manager.has_kernel and run_sync(manager.is_alive)():
        run_sync(manager.shutdown_kernel)(now=now)
    elif not manager.context.closed:
        run_sync(manager.cleanup_resources)()
