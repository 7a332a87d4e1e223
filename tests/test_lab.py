"""`make lab`: JupyterLab from the project's venv, serving notebooks/ with the kernel the
notebooks name. Started on 127.0.0.1 with a token, asked over HTTP, stopped."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from urllib.error import URLError

import nbformat
import pytest

from analysis.config import NOTEBOOKS_DIR, PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read().decode("utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if shutil.which("make") is None:
        pytest.skip("make is absent")
    port, token = _free_port(), secrets.token_hex(16)
    args = (
        f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
        f"--IdentityProvider.token={token}"
    )
    log = tmp_path_factory.mktemp("lab") / "lab.log"
    env = os.environ | {"JUPYTER_RUNTIME_DIR": str(log.parent / "runtime")}
    with open(log, "w") as out:
        server = subprocess.Popen(
            ["make", "lab", f"LAB_ARGS={args}"],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, so the server is stopped with make
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                _get(f"{base}/api/status?token={token}")
                break
            except (URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
                time.sleep(1)
        yield base, token
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def test_make_lab_serves_the_notebooks(lab):
    base, token = lab
    status, body = _get(f"{base}/api/contents/?token={token}")
    served = {item["name"] for item in json.loads(body)["content"]}
    assert status == 200
    assert {p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")} <= served
    status, page = _get(f"{base}/lab?token={token}")
    assert status == 200 and "JupyterLab" in page


def test_the_kernel_the_notebooks_name_is_the_projects_venv(lab):
    base, token = lab
    _, body = _get(f"{base}/api/kernelspecs?token={token}")
    specs = json.loads(body)["kernelspecs"]
    named = {
        nbformat.read(p, as_version=4).metadata.kernelspec.name
        for p in NOTEBOOKS_DIR.glob("*.ipynb")
    }
    assert named == {"tenplans"} and "tenplans" in specs
    argv = specs["tenplans"]["spec"]["argv"]
    assert argv[0].startswith(str(PROJECT_ROOT / ".venv"))


def test_a_request_without_the_token_is_refused(lab):
    base, _ = lab
    with pytest.raises(urllib.error.HTTPError) as refused:
        _get(f"{base}/api/contents/")
    assert refused.value.code == 403
