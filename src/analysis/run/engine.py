"""Papermill by hand, as the runner runs a notebook: `papermill … --engine tenplans`.

Papermill's own engine starts the kernel over TCP on localhost, and ipykernel then warns
that the kernel "is running over TCP without encryption". This engine hands papermill's
notebook client the runner's kernel manager (kernels.IPCKernelManager): local sockets in a
folder of their own, removed when the kernel ends, and no warning. Registered for
papermill as the entry point `tenplans` (pyproject.toml).

Papermill loads its entry points while it imports itself, so this module may be asked for
the engine before papermill is importable, or while this module's own import of papermill
is under way: the class is made when first asked for (__getattr__), once."""


def __getattr__(name: str):
    if name != "IPCEngine":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from papermill.engines import NBClientEngine  # papermill's import may ask for it again

    if "IPCEngine" not in globals():
        globals()["IPCEngine"] = _engine(NBClientEngine)
    return globals()["IPCEngine"]


def _engine(base: type) -> type:
    from analysis.run.kernels import IPCKernelManager

    class IPCEngine(base):
        """Papermill's nbclient engine with the kernel over IPC."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            kwargs.setdefault("kernel_manager_class", IPCKernelManager)
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    return IPCEngine
