"""Running the app with uvicorn: from the command line, or in a thread for tests.

With ``workers > 1`` uvicorn starts separate processes, which import the app
from :func:`app_from_env` (the review folders and database URL travel in
environment variables); nothing that matters lives in one process's memory
(sessions, throttling, idempotency keys and rankings are in the database).

Jobs (imports, deduplication, ranking refits) run in ``job_workers``
separate consumer processes started next to the app's
(:func:`realist.web.jobs.run_consumer`), never inside a process that answers
requests; ``job_workers=0`` leaves them to ``realist worker`` processes
started elsewhere (another machine on the same PostgreSQL store).
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from .app import create_app

__all__ = ["app_from_env", "run", "running", "free_port", "REVIEWS_ENV"]

REVIEWS_ENV = "REALIST_SERVE_REVIEWS"
URL_ENV = "REALIST_SERVE_DATABASE_URL"
DATA_DIR_ENV = "REALIST_SERVE_DATA_DIR"
# "0": the app's processes run no jobs themselves (consumer processes do).
RUN_JOBS_ENV = "REALIST_SERVE_RUN_JOBS"
WORKER_HEALTHCHECK_S = 120


def app_from_env() -> FastAPI:
    """The app for the review folders named in ``REALIST_SERVE_REVIEWS`` (os.pathsep-separated)."""
    dirs = [d for d in os.environ.get(REVIEWS_ENV, "").split(os.pathsep) if d]
    return create_app(
        review_dirs=dirs,
        database_url=os.environ.get(URL_ENV) or None,
        data_dir=os.environ.get(DATA_DIR_ENV) or None,
        run_jobs=os.environ.get(RUN_JOBS_ENV, "1") != "0",
    )


def run(
    review_dirs: Sequence[str | Path],
    *,
    database_url: str | None = None,
    data_dir: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    proxy_headers: bool = False,
    forwarded_allow_ips: str | None = None,
    job_workers: int = 1,
) -> None:
    """Serve until interrupted (blocks), with ``job_workers`` job consumer processes."""
    from .jobs import run_consumer

    folders = [str(Path(d).resolve()) for d in review_dirs]
    os.environ[REVIEWS_ENV] = os.pathsep.join(folders)
    if database_url:
        os.environ[URL_ENV] = database_url
    if data_dir:
        os.environ[DATA_DIR_ENV] = str(Path(data_dir).resolve())
    os.environ[RUN_JOBS_ENV] = "0"
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no engine or lock inherited
    consumers = [
        spawn.Process(
            target=run_consumer,
            args=(folders,),
            kwargs={"database_url": database_url, "data_dir": data_dir},
            name="realist-jobs",
        )
        for _ in range(job_workers)
    ]
    for consumer in consumers:
        consumer.start()
    try:
        _serve(host, port, workers, proxy_headers, forwarded_allow_ips)
    finally:
        for consumer in consumers:  # Ctrl+C reached them too (one process group); SIGTERM otherwise
            if consumer.is_alive():
                consumer.terminate()
        for consumer in consumers:
            consumer.join(timeout=30)


def _serve(host: str, port: int, workers: int, proxy_headers: bool, forwarded_allow_ips: str | None) -> None:
    # A worker imports the whole package (numpy, scikit-learn) before it answers uvicorn's health
    # check; on a slow or busy machine that takes longer than uvicorn's 5 s default, and the
    # supervisor would kill and respawn every worker forever.
    uvicorn.run(
        "realist.web.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level="warning",
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running(app: FastAPI, *, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Serve ``app`` in a thread on a free port; yields its base URL (for browser tests)."""
    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the web app did not start on {host}:{port}")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
