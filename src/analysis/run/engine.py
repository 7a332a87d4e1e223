"""Papermill by hand, as the runner runs a notebook: `papermill … --engine tenplans`.

Papermill's own engine starts the kernel over TCP on localhost, and ipykernel then warns
that the kernel "is running over TCP without encryption". This engine hands papermill's
notebook client the runner's kernel manager (kernels.IPCKernelManager): local sockets in a
folder of their own, removed when the kernel ends, and no warning. Registered for
papermill as the entry point `tenplans` (pyproject.toml)."""

from papermill.engines import NBClientEngine

from analysis.run.kernels import IPCKernelManager


class IPCEngine(NBClientEngine):
    """Papermill's nbclient engine with the kernel over IPC."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        kwargs.setdefault("kernel_manager_class", IPCKernelManager)
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
