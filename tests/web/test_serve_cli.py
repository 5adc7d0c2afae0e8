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


def test_serve_with_a_database_url_alone_serves_every_review_and_creates_new_ones(tmp_path: Path) -> None:
    """A team server: `realist serve --database-url URL` with no review folder (an empty
    database here; SQLite stands in for PostgreSQL, the code path is the same)."""
    import re

    url = f"sqlite:///{tmp_path / 'server.db'}"
    realist = str(Path(sys.executable).with_name("realist"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("REALIST_DATABASE_URL", None)
    # An account made before any review exists (no review folder anywhere).
    added = subprocess.run(
        [realist, "--database-url", url, "user", "add", "rae", "--password-stdin"],
        input="correct horse battery\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert added.returncode == 0, added.stderr
    port = free_port()
    proc = subprocess.Popen(
        [realist, "--database-url", url, "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        out = _read_until(proc, "Serving")
        assert f"Serving every review in {url} at http://127.0.0.1:{port}/" in out, out
        # rae exists, so there is no setup link: the first account is made on the server.
        assert "/setup/" not in out
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=base) as client:
            form = client.get("/login")
            token = re.search(r'name="login_csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
            signed = client.post(
                "/login", data={"username": "rae", "password": "correct horse battery", "login_csrf": token}
            )
            assert signed.status_code == 303
            home = client.get("/")
            assert "Start a new review" in home.text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]
            made = client.post("/reviews", data={"title": "Peer naloxone", "csrf_token": csrf})
            assert made.status_code == 303
            dashboard = client.get(made.headers["location"].replace("/members", ""))
            assert dashboard.status_code == 200 and "Peer naloxone" in dashboard.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    folders = [p for p in (tmp_path / "data").iterdir() if p.is_dir()]
    assert len(folders) == 1 and (folders[0] / "protocol.yaml").exists()
    assert (tmp_path / "data" / "jobs.db").exists()


def test_jobs_wait_for_a_worker_process_when_serve_runs_none_and_realist_worker_runs_them(cli: Any) -> None:
    """`serve --job-workers 0`: the app's processes run no job; `realist worker` does."""
    import re

    from realist import accounts
    from realist.review import open_review

    if cli.database_url:
        pytest.skip("the queue on PostgreSQL is covered in test_jobs.py; one process test is enough")
    handle = open_review(cli.path)
    accounts.add_user(handle.engine, "olu", "correct horse battery")
    accounts.add_member(handle, "olu", "owner")
    review_id = handle.review_id
    handle.close()
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("REALIST_DATABASE_URL", None)
    realist = str(Path(sys.executable).with_name("realist"))
    base = ["--review", str(cli.path)]
    server = subprocess.Popen(
        [realist, *base, "serve", "--port", str(port), "--job-workers", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    worker = None
    try:
        _read_until(server, "Serving")
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(url + "/login", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=url, timeout=30) as client:
            form = client.get("/login").text
            token = re.search(r'name="login_csrf" value="([^"]+)"', form)
            assert token
            login = {"username": "olu", "password": "correct horse battery", "login_csrf": token.group(1), "next": "/"}
            assert client.post("/login", data=login).status_code == 303
            page = client.get(f"/reviews/{review_id}/import").text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert csrf
            posted = client.post(
                f"/reviews/{review_id}/import",
                data={"source": "Queued", "csrf_token": csrf.group(1)},
                files=[("files", ("q.ris", b"TY  - JOUR\nTI  - Queued for a worker\nER  - \n", "text/plain"))],
            )
            assert posted.status_code == 303, posted.text[:500]
            job_page = posted.headers["location"]
            time.sleep(1.5)
            assert "Imported:" not in client.get(job_page).text  # nobody runs jobs yet
            worker = subprocess.Popen(
                [realist, *base, "worker"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
            )
            text = ""
            for _ in range(600):
                text = client.get(job_page).text
                if "Imported:" in text:
                    break
                time.sleep(0.1)
            assert "q.ris: 1 record (ris)" in text
    finally:
        for proc in (worker, server):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
