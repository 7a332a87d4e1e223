"""One run per output folder: an advisory lock on a file that the system drops when its
holder dies, so a killed run never leaves the folder locked.

The lock file also says who holds it (pid, host, start time, quarter), for the run that
is turned away and for a person looking at the folder.
"""

import fcntl
import json
import os
import socket
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from analysis.errors import RunLocked

NAME = ".run.lock"


@contextmanager
def hold(folder: Path, **about):
    """Hold the lock of `folder` for the duration of the block, or raise RunLocked at once."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NAME
    # "a+": opening never erases the holder's note; closed below, whatever happens
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read(handle)
        handle.close()
        raise RunLocked(path, holder) from None
    try:
        handle.truncate(0)
        note = dict(pid=os.getpid(), host=socket.gethostname(), started=_now(), **about)
        handle.write(json.dumps(note, ensure_ascii=False))
        handle.flush()
        yield note
    finally:
        handle.truncate(0)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def refuse_if_held(folder: Path) -> None:
    """Raise RunLocked now if a run holds `folder`, touching nothing: a run turned away
    should not first read the workbooks and start kernels. (hold() still decides: another
    run may take the lock meanwhile.)"""
    path = Path(folder) / NAME
    if not path.exists():
        return
    with open(path, encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(path, _read(handle)) from None
        fcntl.flock(handle, fcntl.LOCK_UN)


def _read(handle) -> dict:
    handle.seek(0)
    try:
        return json.loads(handle.read())
    except ValueError:
        return {}


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
