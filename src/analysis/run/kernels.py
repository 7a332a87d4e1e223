"""The kernels the runner starts: over local sockets, each in a path of its own, and
launched while the intake still works.

Over TCP, kernels started side by side pick their ports by opening and closing sockets,
so two can pick the same port and one dies at start-up ("Address already in use"); they
also warn that TCP is unencrypted. Over IPC each kernel's sockets are files under a
prefix no other kernel shares, so parallel starts cannot collide.

A kernel's start and the import of pandas and matplotlib take about a second of one core,
nine times a run. On Linux the kernels are forked from one process that made those imports
once (forkserver.py); elsewhere, or when that process cannot fork, each is launched and
imports the notebooks' libraries as it starts (prelude.py). The intake and the products
before the notebooks leave a core idle: WarmKernels launches the first kernels then, and the
next one whenever one is taken. They run at the run's own priority: a lower one would let
other work on the machine hold them back (each kernel is a session of its own, which Linux
weighs as a whole beside every other).
"""

import ast
import asyncio
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync
from traitlets import Any, default

from analysis.run.forkserver import PRELUDE_VARIABLE  # the imports made ahead, as JSON

PRELUDE = "analysis.run.prelude"
FORKSERVER = "analysis.run.forkserver"
LAUNCHER = ["-m", "ipykernel_launcher"]  # after the interpreter, in the kernel's command
# A run's cells are not the user's IPython history: not written to its database (where
# three kernels at once would also contend for its lock)
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]
# elsewhere forking a process that imported much is unsafe; pidfds: Linux 5.3
FORKING = sys.platform == "linux" and hasattr(os, "pidfd_open")


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


class ForkServer:
    """forkserver.py, started with the notebooks' imports to make; fork() asks it for a
    kernel without waiting (it may still be importing), pid() waits for its answer. It is
    a session of its own: nothing it does can signal the run's process group."""

    def __init__(self, prelude: str, stderr):
        self._process = subprocess.Popen(
            [sys.executable, "-m", FORKSERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=os.environ | {PRELUDE_VARIABLE: prelude},
            start_new_session=True,
        )
        self._lock = threading.Lock()
        self._asked = 0
        self._pids: list[int | None] = []  # the answers so far, in the order asked

    def fork(self, argv: list[str], cwd: str | None, env: dict) -> "ForkedKernel":
        request = json.dumps({"argv": argv, "cwd": cwd, "env": env}) + "\n"
        with self._lock:
            try:
                self._process.stdin.write(request.encode())
                self._process.stdin.flush()
            except (OSError, ValueError):  # the server has ended: pid() answers None
                pass
            self._asked += 1
            return ForkedKernel(self, self._asked - 1)

    def pid(self, index: int) -> int | None:
        """The pid of the `index`th kernel asked for; None if it was not forked (the server
        would not fork, or it ended)."""
        with self._lock:
            while len(self._pids) <= index:
                try:
                    line = self._process.stdout.readline()
                except ValueError:  # closed
                    line = b""
                self._pids.append(int(line) or None if line else None)
            return self._pids[index]

    def close(self) -> None:
        """End the server. It holds nothing to keep, and its interpreter's own clean-up
        would take a third of a second at the end of every run: it is killed, before
        anything waits for the lock (a pid() waiting for its answer then reads the end)."""
        self._process.kill()
        self._process.wait()
        with self._lock:
            self._process.stdin.close()
            self._process.stdout.close()


class ForkedKernel:
    """A kernel forked by the ForkServer, as a provisioner handles a Popen.

    It is the server's child, not this process's: it is watched through a pidfd, which
    stays with that process whatever becomes of its pid (a dead kernel is told from a
    running one even where no process reaps it, and a pid used again is not mistaken for
    it); its exit status is not known (-1); signals go to its process group, as to a
    launched kernel's.
    """

    stdin = stdout = stderr = None

    def __init__(self, server: ForkServer, index: int):
        self._server, self._index = server, index
        self._lock = threading.Lock()  # a worker and the run's main thread may both ask
        self._pid: int | None = None
        self._pidfd: int | None = None
        self.returncode: int | None = None

    @property
    def pid(self) -> int | None:
        with self._lock:
            if self._pid is None and self.returncode is None:
                self._pid = self._server.pid(self._index)
                try:
                    if self._pid is None:
                        raise ProcessLookupError  # never forked
                    self._pidfd = os.pidfd_open(self._pid)
                except ProcessLookupError:
                    self.returncode = -1
            return self._pid

    def poll(self) -> int | None:
        if self.returncode is None and self.pid is not None:
            with self._lock:
                # a pidfd reads when its process has ended
                if self._pidfd is not None and select.select([self._pidfd], [], [], 0)[0]:
                    os.close(self._pidfd)
                    self._pidfd, self.returncode = None, -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(FORKSERVER, timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.killpg(self._pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkProvisioner(LocalProvisioner):
    """Starts the kernel by asking the ForkServer, when the kernel's command is the
    ipykernel of this interpreter (as the `python3` kernel's is); any other, as usual."""

    forks = Any()  # the ForkServer

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if cmd[:3] != [sys.executable, *LAUNCHER]:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = self.forks.fork(cmd[3:], kwargs.get("cwd"), kwargs["env"])
        self.cwd = kwargs.get("cwd", Path.cwd())
        return self.connection_info


class WarmKernels:
    """`total` kernels for `notebooks`, `ahead` of them launched before they are needed.

    Launching is only the start of the kernel's process (forked, or launched and importing
    the notebooks' modules through prelude.py, an IPython extension run at start-up): no
    import is made in the user's namespace or history, so a notebook's cells, names and
    execution counts are as in a fresh kernel. The notebook's client waits for the kernel
    to answer. Launches happen in the calling thread (no thread of this class's runs beside
    the intake's forked readers). take() hands out a kernel (papermill's `km`) and launches
    the next; the caller shuts it down when its notebook is done (stop()). The kernels'
    stderr goes to a file of the pool's, the first ones being launched before the run's log
    is open; close() stops what was not taken and returns what they wrote.
    """

    def __init__(self, notebooks: list[Path], ahead: int, cwd: Path, fork: bool = FORKING):
        self._cwd = str(cwd)
        self._prelude = json.dumps(imports_of(notebooks))
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._forks = ForkServer(self._prelude, self._stderr) if fork else None
        self._forking = fork
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
        manager = self._launch()
        with self._lock:
            self._ready.append(manager)

    def _launch(self) -> "IPCKernelManager":
        manager = IPCKernelManager(kernel_name="python3")
        if self._forking:
            manager.kernel_id = str(uuid.uuid4())
            manager.provisioner = ForkProvisioner(
                kernel_id=manager.kernel_id,
                kernel_spec=manager.kernel_spec,
                parent=manager,
                forks=self._forks,
            )
            run_sync(manager.start_kernel)(
                cwd=self._cwd, stderr=self._stderr, extra_arguments=KERNEL_ARGUMENTS
            )
        else:
            run_sync(manager.start_kernel)(
                cwd=self._cwd,
                stderr=self._stderr,
                env=os.environ | {PRELUDE_VARIABLE: self._prelude},
                extra_arguments=[*KERNEL_ARGUMENTS, f"--IPKernelApp.extra_extensions={PRELUDE}"],
            )
        return manager

    def take(self) -> IPCKernelManager:
        """A launched kernel; it may still be starting. One the fork server did not fork
        is replaced by one launched, and so are the kernels launched after it."""
        with self._lock:
            if not self._ready:
                raise RuntimeError("every kernel of the pool was taken")
            manager = self._ready.popleft()
        if _not_forked(manager):
            stop(manager, now=True)
            self._forking = False
            manager = self._launch()
        self._launch_next()
        return manager

    def close(self) -> str:
        """Stop the kernels not taken and the fork server; return what the kernels wrote
        to stderr."""
        with self._lock:
            self._left = 0
            left, self._ready = list(self._ready), deque()
        for manager in left:
            stop(manager, now=True)  # never given a notebook: nothing to wait for
        if self._forks:
            self._forks.close()
            self._forks = None
        if self._stderr.closed:
            return ""
        self._stderr.seek(0)
        chatter = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        return chatter


def _not_forked(manager: IPCKernelManager) -> bool:
    """Whether the fork server was asked for this kernel and did not fork it."""
    process = manager.provisioner.process
    return isinstance(process, ForkedKernel) and process.pid is None


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


def kill(manager: IPCKernelManager) -> None:
    """Kill a kernel and what it started (its process group), from any thread: the
    notebook client using it then finds it dead."""
    process = manager.provisioner.process if manager.provisioner else None
    if process is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def close_thread_loop() -> None:
    """Close the event loop jupyter_core's run_sync left set in this thread: it makes one
    per thread and never closes it, so each thread that executed a notebook would leave a
    loop and its socket pair open until the garbage collector found them (ResourceWarning:
    unclosed event loop). The thread's next run_sync makes a new one."""
    policy = asyncio.get_event_loop_policy()
    try:
        loop = policy.get_event_loop()
    except RuntimeError:  # none set in this thread
        return
    if not loop.is_running() and not loop.is_closed():
        loop.close()
    policy.set_event_loop(None)


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
