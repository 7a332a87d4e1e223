"""The run's kernels, forked from one process that made their imports once.

Started by kernels.ForkServer as `python -m analysis.run.forkserver`, with the run's
environment and TENPLANS_PRELUDE (kernels.imports_of) set. It imports ipykernel and the
notebooks' installed libraries, then reads one request per line on stdin, a JSON object
{"argv": ipykernel_launcher's arguments, "cwd": …, "env": …}, forks, and answers the
child's pid on stdout (0: it will not fork, see below). The child becomes the kernel that
`python -m ipykernel_launcher ARGV` in `cwd` with `env` would be: a session of its own,
stdin from /dev/null, its output to the run's log, the environment and path replaced,
parent polling pointed at this process, numpy's global random state seeded anew. Its
namespace, history and execution counts are a fresh kernel's: nothing but modules was made
before the fork. One thing is the server's: the seed of str hashes, so sets of strings
iterate in the same order in every kernel of a run.

A kernel's start-up then costs its own set-up and not the second of imports that every
kernel would repeat; on the run's two cores that is a third of the run.

What is not imported here: a module the notebooks' folder holds (found only by a kernel
there), and a module that fails (it fails again in its notebook's cell, as it would have).
A library that starts a Python thread when imported makes forking unsafe: the server then
answers 0 to every request and the kernels are launched as usual. Children are reaped by
the system (SIGCHLD ignored), so a dead kernel's pid is gone at once and the run's
liveness checks see it. The run kills the server when done. If the run dies first, the server reads
the end of its stdin, kills the kernels it forked and removes their connection and socket
files (_clear).
"""

import contextlib
import json
import os
import signal
import sys
import threading
import traceback
from pathlib import Path

PRELUDE_VARIABLE = "TENPLANS_PRELUDE"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run stops its kernels itself
    answers = os.fdopen(os.dup(1), "w")  # pids only: what imports print goes to the log
    os.dup2(2, 1)
    if sys.path and Path(sys.path[0]) == Path.cwd():
        del sys.path[0]  # as ipykernel_launcher does: only installed modules load here
    # ipykernel sets this before any notebook code; matplotlib reads it when imported
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    from ipykernel import kernelapp

    import_ahead()
    # Native threads (OpenBLAS's, jemalloc's) come with fork handlers of their own; a
    # Python thread would leave the interpreter's locks held in every child.
    safe = threading.active_count() == 1
    if not safe:
        print("forkserver: a thread runs after the imports: kernels not forked", file=sys.stderr)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    forked = {}  # pid: the kernel's arguments
    for line in sys.stdin:
        try:
            request = json.loads(line)
            pid = _fork(request, kernelapp, answers) if safe else 0
        except Exception:  # noqa: BLE001 (the run launches this kernel itself)
            traceback.print_exc()
            pid = 0
        if pid:
            forked[pid] = request["argv"]
        print(pid, file=answers, flush=True)
    _clear(forked)


def import_ahead() -> None:
    """The notebooks' imports, as the run read them (PRELUDE_VARIABLE): here, and in a
    launched kernel (prelude.py). A module that fails is said in the run's log and fails
    again in its notebook's cell, where it belongs; one not found (of the notebooks'
    folder, seen only by a kernel there, or missing) is left to that cell."""
    for module, names in json.loads(os.environ.get(PRELUDE_VARIABLE, "[]")):
        try:
            __import__(module, fromlist=names)
        except ModuleNotFoundError:
            pass
        except BaseException:  # noqa: BLE001 (any failure is its notebook's to report)
            print(f"importing {module} ahead failed:", file=sys.stderr)
            traceback.print_exc()


def _fork(request: dict, kernelapp, answers) -> int:
    """The child's pid once it leads a process group of its own (so that the run can
    signal the kernel with what it starts)."""
    ready, said = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never back in the server's loop
        try:
            answers.close()  # the run reads the end of the answers when the server ends
            os.close(ready)
            os.setsid()
            os.close(said)
            status = _kernel(request, kernelapp)
        except BaseException:  # noqa: BLE001
            traceback.print_exc()
            os._exit(1)
        sys.exit(status)  # through the interpreter's exit, as a launched kernel ends
    os.close(said)
    os.read(ready, 1)  # end of file: the child has its session (or has already ended)
    os.close(ready)
    return pid


def _clear(forked: dict[int, list[str]]) -> None:
    """The run ended without stopping this server (it stops it by a kill): it was killed.
    Its kernels are killed too, and their connection and socket files, which nothing else
    would remove, go."""
    for pid, argv in forked.items():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        connection = Path(argv[argv.index("-f") + 1]) if "-f" in argv else None
        if connection is None:
            continue
        with contextlib.suppress(OSError, ValueError):
            info = json.loads(connection.read_text(encoding="utf-8"))
            if info.get("transport") == "ipc":
                for port in (v for k, v in info.items() if k.endswith("_port")):
                    Path(f"{info['ip']}-{port}").unlink(missing_ok=True)
        connection.unlink(missing_ok=True)


def _kernel(request: dict, kernelapp) -> int:
    """Become the kernel `request` asks for; its exit status."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)  # not the server's answers: the run's log, as a launched kernel's output
    os.chdir(request["cwd"] or os.getcwd())
    os.environ.clear()
    os.environ.update(request["env"])
    server = str(os.getppid())
    os.environ["JPY_PARENT_PID"] = server
    # read from the environment when kernelapp was imported, here: it ends with the server
    parent = f"--IPKernelApp.parent_handle={server}"
    sys.argv = [kernelapp.__file__, *request["argv"], parent]
    if "numpy.random" in sys.modules:  # as a launched kernel (random reseeds at fork)
        sys.modules["numpy.random"].seed()
    try:
        kernelapp.launch_new_instance()
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 1
    return 0


if __name__ == "__main__":
    main()
