"""The kernels the runner starts: over local sockets, each in a path of its own.

Over TCP, kernels started side by side pick their ports by opening and closing sockets,
so two can pick the same port and one dies at start-up ("Address already in use"); they
also warn that TCP is unencrypted. Over IPC each kernel's sockets are files under a
prefix no other kernel shares, so parallel starts cannot collide.
"""

import tempfile
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import default


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
