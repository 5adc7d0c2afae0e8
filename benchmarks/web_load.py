"""Load benchmark for the web app: many reviewers screening a large review at once.

Not a test (nothing here is timed in the test suite); results and the exact
command go to docs/benchmarks.md.  What it does:

1. Builds a review of ``--records`` synthetic records (titles and abstracts
   drawn from a fixed vocabulary with a seeded generator), imported through
   the library's import (``realist.identify.import_records``), on SQLite or
   on PostgreSQL (``--database-url``); creates ``--reviewers`` accounts
   (``realist.accounts``), each a reviewer of the review.
2. Starts the real server, ``realist serve --workers N``, on 127.0.0.1.
3. Each simulated reviewer signs in through the login form and asks for its
   first record; the timed part starts when every reviewer's first ranking is
   stored (``warm_max_s``: how long that took, up to ``--warm-timeout``).
   Each then loops for
   ``--seconds``: POST a decision (JSON API, with the session's CSRF token
   and an idempotency key) and GET the next record; one decision in
   ``--resend`` is posted twice at once (a double click).  A bounded asyncio
   httpx client (one connection pool, ``--reviewers`` tasks).
4. Reports p50 / p95 / p99 of decide + next, throughput, ranking staleness
   (decisions made since the served order was computed) and, checked against
   the database after the run, decisions lost (acknowledged but not stored)
   and doubled (more than one row for one reviewer's decision on a record).

    .venv/bin/python benchmarks/web_load.py --records 50000 --reviewers 20 --seconds 30 --workers 1 2
    .venv/bin/python benchmarks/web_load.py ... --database-url postgresql://postgres@127.0.0.1:5432/realist_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "load test password"
WORDS = [
    "peer",
    "outreach",
    "harm",
    "reduction",
    "needle",
    "syringe",
    "programme",
    "HIV",
    "testing",
    "hepatitis",
    "naloxone",
    "overdose",
    "opioid",
    "substitution",
    "methadone",
    "buprenorphine",
    "stigma",
    "community",
    "workers",
    "navigators",
    "adherence",
    "antiretroviral",
    "prison",
    "women",
    "sex",
    "injecting",
    "drugs",
    "cohort",
    "trial",
    "qualitative",
    "survey",
    "evaluation",
    "intervention",
    "mechanism",
    "context",
    "outcome",
    "trust",
    "engagement",
    "retention",
    "linkage",
    "care",
    "services",
    "soil",
    "maize",
    "corrosion",
    "bridge",
    "sensors",
    "agronomy",
    "fertiliser",
    "nitrogen",
    "rotation",
    "yield",
]


def _records(n: int, rng: random.Random) -> list[Any]:
    from realist.records import RecordData

    out = []
    for i in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize()
        abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 160)))
        out.append(
            RecordData(
                title=f"{title} ({i})",
                abstract=abstract,
                authors=[f"Author{i % 997}, A."],
                year=1990 + i % 35,
                journal=f"Journal {i % 300}",
                source_record_id=f"L{i}",
            )
        )
    return out


def build_review(
    folder: Path, database_url: str | None, n_records: int, n_reviewers: int, seed: int
) -> tuple[int, list[str], float]:
    """A review with synthetic records and reviewer accounts; returns (review id, names, seconds)."""
    from realist import accounts
    from realist.identify import import_records
    from realist.review import init_review

    start = time.perf_counter()
    review = init_review(folder, "Load benchmark review", database_url=database_url, actor="bench")
    import_records(review, _records(n_records, random.Random(seed)), source="Synthetic", kind="database")
    names = [f"reviewer{i:02d}" for i in range(n_reviewers)]
    existing = set(accounts.list_users(review.engine))  # a server database may hold earlier runs
    for name in names:
        if name in existing:
            accounts.set_password(review.engine, name, PASSWORD)
        else:
            accounts.add_user(review.engine, name, PASSWORD)
        accounts.add_member(review, name, "reviewer")
    review_id = review.review_id
    if review.engine.dialect.name == "postgresql":
        # PostgreSQL's autovacuum would analyse the new rows within a minute of the import;
        # the shared test server here runs with autovacuum off, so do it now (else the
        # planner, with no statistics, scans whole tables).
        with review.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            from sqlalchemy import text

            conn.execute(text("VACUUM ANALYZE"))
    review.close()
    return review_id, names, time.perf_counter() - start


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path, database_url: str | None, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [str(REPO / ".venv" / "bin" / "realist"), "--review", str(folder)]
    if database_url:
        cmd += ["--database-url", database_url]
    cmd += ["serve", "--port", str(port), "--workers", str(workers)]
    log_path = Path(tempfile.gettempdir()) / f"realist-load-serve-{port}.log"  # kept for reading
    log = open(log_path, "wb")  # noqa: SIM115 (open for the server's whole life; closed after it stops)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(url + "/login", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError(f"server did not start: {log_path.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


async def _login(client: httpx.AsyncClient, name: str) -> str:
    form = await client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
    assert token, "no sign-in token on /login"
    r = await client.post(
        "/login", data={"username": name, "password": PASSWORD, "next": "/", "login_csrf": token.group(1)}
    )
    assert r.status_code == 303, f"sign-in of {name} failed: {r.status_code}"
    page = await client.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, "no CSRF token on the signed-in page"
    return csrf.group(1)


async def reviewer(
    url: str,
    review_id: int,
    name: str,
    seconds: float,
    resend: int,
    rng: random.Random,
    out: dict[str, Any],
    ready: asyncio.Barrier,
    warm_timeout: float,
    think: float = 0.0,
) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=2)) as client:
        csrf = await _login(client, name)
        headers = {"X-CSRF-Token": csrf}
        api = f"/api/v1/reviews/{review_id}"
        t = time.perf_counter()
        first = (await client.get(f"{api}/next")).json()
        out["first_next"].append(time.perf_counter() - t)
        # Warm-up (not timed): until the reviewer has a ranking that is not stale (a first one, or
        # one refitted since an earlier run), the app serves records in id order or queues a refit;
        # the timed loop starts when every reviewer has one.
        from realist.screen.served import REFIT_EVERY as refit_every

        while first.get("staleness", 0) >= refit_every and time.perf_counter() - t < warm_timeout:
            await asyncio.sleep(0.5)
            first = (await client.get(f"{api}/next")).json()
        out["warm"].append(time.perf_counter() - t)
        await ready.wait()
        record = first["record"]
        end = time.monotonic() + seconds
        n = 0
        retry: dict[str, Any] | None = None
        while record is not None and time.monotonic() < end:
            if think:  # a person reads the record before deciding (random, mean ``think`` seconds)
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
            key = uuid.uuid4().hex
            body = retry or {
                "record_id": record["id"],
                "decision": "include" if rng.random() < 0.1 else "exclude",
                "idempotency_key": key,
                "note": key,
            }
            key, retry = body["idempotency_key"], None
            t = time.perf_counter()
            posts = [client.post(f"{api}/decisions", json=body, headers=headers)]
            n += 1
            if resend and n % resend == 0:
                posts.append(client.post(f"{api}/decisions", json=body, headers=headers))
            try:
                answers = await asyncio.gather(*posts)
                nxt = await client.get(f"{api}/next")
            except httpx.TransportError as exc:  # a dropped connection: not acknowledged, so not "lost"
                out["errors"].append(f"{name}: {type(exc).__name__} {exc}")
                retry = body  # sent again with the same idempotency key, as a client would
                continue
            out["latency"].append(time.perf_counter() - t)
            if all(a.status_code == 200 for a in answers):
                out["acked"].append((name, body["record_id"], key))
            else:
                out["errors"].append(f"{name}: {[a.status_code for a in answers]} {answers[0].text[:200]}")
            if nxt.status_code != 200:
                out["errors"].append(f"{name}: next {nxt.status_code} {nxt.text[:200]}")
                break
            data = nxt.json()
            out["staleness"].append(data.get("staleness", 0))
            record = data["record"]


def check_database(folder: Path, database_url: str | None, acked: list[tuple[str, int, str]]) -> dict[str, int]:
    """Decisions lost (acknowledged, not stored) and doubled (more than one row per decision)."""
    from sqlalchemy import func, select

    from realist.review import open_review
    from realist.store.models import Decision

    review = open_review(folder, database_url=database_url, actor="bench")
    with review.session() as session:
        rows = session.execute(
            select(Decision.reviewer, Decision.record_id, Decision.note, func.count())
            .where(Decision.review_id == review.review_id)
            .group_by(Decision.reviewer, Decision.record_id, Decision.note)
        ).all()
    review.close()
    stored = {(r, rid, note): c for r, rid, note, c in rows}
    lost = sum(1 for a in acked if a not in stored)
    doubled = sum(c - 1 for c in stored.values() if c > 1)
    per_pair: dict[tuple[str, int], int] = {}
    for (r, rid, _), c in stored.items():
        per_pair[(r, rid)] = per_pair.get((r, rid), 0) + c
    doubled_pairs = sum(1 for c in per_pair.values() if c > 1)
    return {"stored": sum(stored.values()), "lost": lost, "doubled": doubled, "reviewer_record_twice": doubled_pairs}


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run_once(
    folder: Path,
    database_url: str | None,
    review_id: int,
    names: list[str],
    workers: int,
    seconds: float,
    resend: int,
    seed: int,
    warm_timeout: float = 300,
    think: float = 0.0,
) -> dict[str, Any]:
    proc, url = start_server(folder, database_url, workers)
    out: dict[str, Any] = {"latency": [], "staleness": [], "acked": [], "errors": [], "first_next": [], "warm": []}
    try:
        rng = random.Random(seed)

        async def main() -> float:
            ready = asyncio.Barrier(len(names) + 1)
            tasks = [
                asyncio.create_task(
                    reviewer(
                        url, review_id, n, seconds, resend, random.Random(rng.random()), out, ready, warm_timeout, think
                    )
                )
                for n in names
            ]
            await ready.wait()  # every reviewer signed in and (within warm_timeout) has a ranking
            out["load_start"] = os.getloadavg()[0]
            t = time.perf_counter()
            await asyncio.gather(*tasks)
            out["load_end"] = os.getloadavg()[0]
            return time.perf_counter() - t

        wall = asyncio.run(main())
    finally:
        stop_server(proc)
    checks = check_database(folder, database_url, out["acked"])
    ms = [1000 * x for x in out["latency"]]
    return {
        "workers": workers,
        "think_s": think,
        "reviewers": len(names),
        "seconds": round(wall, 1),
        "decide_next": len(ms),
        "throughput_per_s": round(len(ms) / wall, 1),
        "p50_ms": round(_pct(ms, 50), 1),
        "p95_ms": round(_pct(ms, 95), 1),
        "p99_ms": round(_pct(ms, 99), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "first_next_max_s": round(max(out["first_next"]), 2) if out["first_next"] else None,
        "warm_max_s": round(max(out["warm"]), 1) if out["warm"] else None,
        "load_avg_1m": [round(out.get("load_start", 0), 1), round(out.get("load_end", 0), 1)],
        "staleness_max": max(out["staleness"], default=0),
        "staleness_p95": _pct([float(s) for s in out["staleness"]], 95),
        "errors": len(out["errors"]),
        "error_sample": out["errors"][:3],
        **checks,
        "p95_target_met": _pct(ms, 95) < 100,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--resend", type=int, default=4, help="post one decision in N twice (0: never)")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (its schema is used as is)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a reviewer reads a record before deciding (0: decide at once, a stress test)",
    )
    parser.add_argument(
        "--warm-timeout", type=float, default=300, help="seconds to wait for every reviewer's first ranking"
    )
    parser.add_argument("--json", dest="json_out", default=None, help="also write the results here")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="realist-load-"))
    try:
        folder = tmp / "review"
        review_id, names, built = build_review(folder, args.database_url, args.records, args.reviewers, args.seed)
        backend = "postgresql" if args.database_url else "sqlite"
        print(f"{backend}: {args.records} records imported, {len(names)} reviewers, in {built:.0f} s", flush=True)
        results = []
        for workers in args.workers:
            res = {
                "backend": backend,
                "records": args.records,
                **run_once(
                    folder,
                    args.database_url,
                    review_id,
                    names,
                    workers,
                    args.seconds,
                    args.resend,
                    args.seed,
                    args.warm_timeout,
                    args.think,
                ),
            }
            results.append(res)
            print(json.dumps(res), flush=True)
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(results, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
