"""`realist serve` as a user runs it: a real process, a real port (SQLite)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from realist.web.server import free_port


def _read_until(proc: subprocess.Popen[str], marker: str, timeout: float = 60) -> str:
    assert proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        seen += line
    return seen


def test_serve_prints_the_url_and_a_setup_link_that_creates_the_first_owner(cli: Any) -> None:
    if cli.database_url:
        pytest.skip("one process test is enough; the app itself runs on both backends elsewhere")
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("REALIST_DATABASE_URL", None)
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("realist")), "--review", str(cli.path), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        out = _read_until(proc, "Serving")
        assert f"http://127.0.0.1:{port}/setup/" in out, out
        link = out.split(f"http://127.0.0.1:{port}")[1].split()[0]
        assert f"Serving 'CLI review' at http://127.0.0.1:{port}/" in out
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=base) as client:
            assert client.get(link).status_code == 200
            made = client.post(link, data={"username": "olu", "password": "correct horse battery"})
            assert made.status_code == 303 and made.headers["location"] == "/"
            assert "CLI review" in client.get("/").text
            assert client.get(link).status_code == 404  # used: never again
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert Path(cli.path, ".realist", "jobs.db").exists()
