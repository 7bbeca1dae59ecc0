"""Starting the real web app for tests: `python app.py` on a free port, waited for until it answers."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 180
NO_ACCOUNTS = {"QA_ADMIN_PASSWORD": "", "QA_USERS": "", "QA_CREDENTIALS": ""}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_app(corpus: Path, index: Path, log_path: Path, env: dict | None = None, host: str = "127.0.0.1"):
    """The app over these folders (listening on `host`); yields its URL on this machine, stops it afterwards.
    Accounts come only from `env`: the tester's own QA_ADMIN_PASSWORD, QA_USERS, QA_CREDENTIALS are cleared."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "app.py", "--corpus", str(corpus), "--index", str(index), "--port", str(port), "--host", host],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **NO_ACCOUNTS, "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})},
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + START_SECONDS
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            assert process.poll() is None, log_path.read_text()
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("the app did not start:\n" + log_path.read_text())
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
