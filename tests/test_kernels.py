"""Kernels started all at once, as the runner starts them, each come up and answer."""

import asyncio
import os
from pathlib import Path

from analysis.run.kernels import IPCKernelManager

KERNELS = 8


async def _start_and_ask(index: int) -> tuple[str, int]:
    manager = IPCKernelManager(kernel_name="python3")
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
        reply = await client.execute_interactive(
            f"import os; print(os.getpid() * 0 + {index} ** 2)", timeout=60, store_history=False
        )
        assert reply["content"]["status"] == "ok"
        return manager.ip, index
    finally:
        client.stop_channels()
        await manager.shutdown_kernel()


def test_many_kernels_started_at_once_all_come_up_on_their_own_sockets():
    async def all_at_once():
        return await asyncio.gather(*(_start_and_ask(i) for i in range(KERNELS)))

    started = asyncio.run(all_at_once())
    prefixes = [ip for ip, _ in started]
    assert sorted(i for _, i in started) == list(range(KERNELS))
    assert len(set(prefixes)) == KERNELS  # no two kernels share a socket path
    assert all(os.path.isabs(p) for p in prefixes)
    leftovers = [p for ip in prefixes for p in Path(ip).parent.glob(Path(ip).name + "-*")]
    assert leftovers == []  # the socket files go with the kernels


def test_the_manager_uses_local_sockets_not_tcp():
    manager = IPCKernelManager(kernel_name="python3")
    assert manager.transport == "ipc"
    assert manager.ip != IPCKernelManager(kernel_name="python3").ip
