"""Kernels started all at once, as the runner starts them, each come up and answer."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    "first", ["import papermill", "import analysis.run.engine", "from analysis.run.engine import *"]
)
def test_papermill_finds_the_ipc_engine_whatever_is_imported_first(first):
    """Papermill loads its engines' entry points while it imports itself; the engine's
    module, imported first, once failed there (a circular import)."""
    check = (
        "from papermill.engines import papermill_engines\n"
        "from analysis.run.engine import IPCEngine\n"
        "assert papermill_engines.get_engine('tenplans') is IPCEngine"
    )
    done = subprocess.run(
        [sys.executable, "-c", f"{first}\n{check}"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-1500:]


def _kernel_processes() -> list:
    """Kernels launched (ipykernel_launcher) or forked (the fork server's children)."""
    import psutil

    from analysis.run.kernels import FORKSERVER

    return [
        p
        for p in psutil.Process().children(recursive=True)
        if "ipykernel_launcher" in " ".join(p.cmdline())
        or (FORKSERVER in p.cmdline() and p.ppid() != os.getpid())
    ]


def _notebook(folder: Path, *cells: str) -> Path:
    import nbformat

    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "p", "language": "python"}
    nbformat.write(book, folder / "in.ipynb")
    return folder / "in.ipynb"


def _execute(notebook: Path, kernel, output: Path) -> None:
    """The notebook in a kernel of the pool, as the runner executes it."""
    import papermill

    papermill.execute_notebook(
        str(notebook), str(output), km=kernel, kernel_name="python3", progress_bar=False
    )


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "launched"])
def test_a_warm_kernel_runs_a_notebook_as_a_fresh_one_would(tmp_path, fork):
    import nbformat
    import psutil

    from analysis.run.kernels import FORKSERVER, WarmKernels, stop

    (tmp_path / "beside.py").write_text("WHERE = 'beside the notebook'\n")
    first = "import sys\nprint('colorsys' in sys.modules, 'colorsys' in dir())"
    where = (
        "import os, sys, beside\n"
        "print(os.getppid(), os.getcwd(), beside.WHERE, os.environ['MPLBACKEND'], sys.argv[1])"
    )
    notebook = _notebook(tmp_path, first, "import colorsys", where)
    with WarmKernels([notebook, notebook], ahead=1, cwd=tmp_path, fork=fork) as warm:
        kernel = warm.take()
        try:
            _execute(notebook, kernel, tmp_path / "out.ipynb")
        finally:
            stop(kernel)
        assert len(_kernel_processes()) == 1  # the second one, launched when the first was taken
        cells = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
        parent, cwd, *rest = cells[2].outputs[0]["text"].split()
        parent = psutil.Process(int(parent))
        assert (FORKSERVER in parent.cmdline()) == fork
    assert cells[0].execution_count == 1  # the prelude left no trace in the history…
    assert cells[0].outputs[0]["text"] == "True False\n"  # …nor a name: the module loaded ahead
    # where a kernel launched in the notebook's folder would be, and as it is configured
    assert cwd == str(tmp_path)
    assert rest == ["beside", "the", "notebook", "module://matplotlib_inline.backend_inline", "-f"]
    assert _kernel_processes() == []  # the one never taken is stopped with the pool
    assert parent.is_running() != fork  # the fork server ends with the pool


THREADED = (  # a library that starts a thread when imported
    "import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
)


def _installed(folder: Path, monkeypatch, **modules: str) -> None:
    """Modules on PYTHONPATH, as an installed library is (the fork server imports only
    those, not the notebooks' folder's)."""
    library = folder / "library"
    library.mkdir()
    for name, source in modules.items():
        (library / f"{name}.py").write_text(source)
    monkeypatch.setenv("PYTHONPATH", str(library))


def _printed_in_two_kernels(notebook: Path) -> tuple[list[str], str]:
    """The notebook run in each kernel of a pool of two, as the runner runs it: what its
    first cell printed each time, and what the kernels wrote to stderr."""
    import nbformat

    from analysis.run.kernels import WarmKernels, stop

    printed, output = [], notebook.with_name("out.ipynb")
    with WarmKernels([notebook, notebook], ahead=2, cwd=notebook.parent) as warm:
        for _ in range(2):
            kernel = warm.take()
            try:
                _execute(notebook, kernel, output)
            finally:
                stop(kernel)
            printed.append(nbformat.read(output, as_version=4).cells[0].outputs[-1]["text"])
        return printed, warm.close()


def test_forked_kernels_draw_their_own_random_numbers_whatever_a_library_prints(
    tmp_path, monkeypatch
):
    """numpy's global random state would be the fork server's in every kernel; and a
    library that prints when imported must not be read as the server's answer."""
    _installed(tmp_path, monkeypatch, noisy="print('12345 imported')\n")
    cell = "import os, noisy, pandas, numpy as np\nprint(os.getppid(), np.random.randint(2**62))"
    printed, _ = _printed_in_two_kernels(_notebook(tmp_path, cell))
    (first_parent, first), (second_parent, second) = (p.split() for p in printed)
    assert os.getpid() not in (int(first_parent), int(second_parent))  # forked, not launched
    assert first != second


def test_a_fork_server_that_will_not_fork_signals_no_one_when_its_run_dies(tmp_path):
    """Its answer 0 ("launch it yourselves") is not a kernel of its: at the end of its
    input (the run gone) it kills and clears only the kernels it forked."""
    import subprocess
    import sys

    from analysis.run.kernels import FORKSERVER, PRELUDE_VARIABLE

    (tmp_path / "threaded.py").write_text(THREADED)
    request = '{"argv": ["-f", "%s"], "cwd": null, "env": {}}\n' % (tmp_path / "k.json")
    script = f"{sys.executable} -m {FORKSERVER}; echo survived"  # one process group
    env = os.environ | {"PYTHONPATH": str(tmp_path), PRELUDE_VARIABLE: '[["threaded", []]]'}
    done = subprocess.run(
        ["sh", "-c", script],
        input=request,
        capture_output=True,
        text=True,
        env=env,
        start_new_session=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.split() == ["0", "survived"]
    assert "kernels not forked" in done.stderr


def test_kernels_are_launched_when_an_import_makes_forking_unsafe(tmp_path, monkeypatch):
    """A library that starts a thread when imported would leave its locks held in every
    forked kernel: the server then forks none, and the kernels are launched instead."""
    _installed(tmp_path, monkeypatch, threaded=THREADED)
    notebook = _notebook(tmp_path, "import threaded, os\nprint(os.getppid())")
    printed, chatter = _printed_in_two_kernels(notebook)
    assert printed == [f"{os.getpid()}\n"] * 2  # launched by this process
    assert "a thread runs after the imports: kernels not forked" in chatter
    assert _kernel_processes() == []


def test_a_kernel_that_dies_fails_its_notebook_and_leaves_nothing_running(tmp_path):
    import pytest

    from analysis.run.kernels import WarmKernels, stop

    (tmp_path / "dies_on_import.py").write_text("import os\nos._exit(3)\n")
    notebook = _notebook(tmp_path, "print(1)", "import dies_on_import")
    with WarmKernels([notebook], ahead=1, cwd=tmp_path) as warm:
        kernel = warm.take()
        try:
            with pytest.raises(RuntimeError, match="Kernel died"):
                _execute(notebook, kernel, tmp_path / "out.ipynb")
        finally:
            stop(kernel)
        with pytest.raises(RuntimeError, match="every kernel of the pool was taken"):
            warm.take()
    assert _kernel_processes() == []
    prefix = Path(kernel.ip)
    assert list(prefix.parent.glob(prefix.name + "-*")) == []  # nor its socket files


def test_the_imports_made_ahead_are_the_notebooks_own(tmp_path):
    from analysis.run.kernels import imports_of

    cells = (
        "import json, os.path as p\nfrom analysis.report import charts",
        "%matplotlib inline\nimport magic_cell_is_passed_over",
        "if True:\n    from analysis.report import narrative, charts\nfrom . import near",
    )
    assert imports_of([_notebook(tmp_path, *cells)]) == [
        ("json", []),
        ("os.path", []),
        ("analysis.report", ["charts", "narrative"]),
    ]
