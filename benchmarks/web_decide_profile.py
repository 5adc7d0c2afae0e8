"""CPU of one decide + next through the web app, in process (no server, no concurrency).

The web load benchmark (``web_load.py``) measures latency under load; this
measures what one decide + next costs the app itself, so a change to the
request path can be judged on a busy machine: the CPU time (``time.process_time``,
the app and the database library; SQLite runs in process, a PostgreSQL
server's own work is not counted) and the wall time of each pair, through an
in-process client (FastAPI's ``TestClient``), for the JSON API
(``POST /api/v1/reviews/{id}/decisions`` then ``GET .../next``) and for the
HTML screening page (``POST .../screen/decide`` then ``GET .../screen``).

The review is built as ``web_load.py`` builds it (synthetic records, seeded);
each reviewer's stored ranking is a seeded permutation of the records, stored
again every ``REFIT_EVERY`` decisions outside the timed part (as the refit
job would), so nothing here fits a model.  ``--profile FILE`` writes a
cProfile of the endpoints in the API loop to FILE and in the page loop to
FILE.page (``python -m pstats FILE``).

    .venv/bin/python benchmarks/web_decide_profile.py --records 50000
    .venv/bin/python benchmarks/web_decide_profile.py --records 50000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/realist_perf_bench
"""

from __future__ import annotations

import argparse
import cProfile
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_load import PASSWORD, build_review


def _store_ranking(folder: Path, database_url: str | None, name: str, seed: int) -> None:
    """A seeded permutation of the review's records as the reviewer's order, seen up to now."""
    from realist.review import open_review
    from realist.screen.served import decision_count, store_ranking
    from realist.store.models import Record

    with open_review(folder, database_url=database_url, actor="bench") as review:
        from sqlalchemy import select

        with review.session() as session:
            ids = list(session.scalars(select(Record.id).where(Record.review_id == review.review_id)))
        random.Random(seed).shuffle(ids)
        store_ranking(review, name, "title_abstract", ids, decision_count(review, name, "title_abstract"))


def _login(client: Any, name: str) -> str:
    import re

    form = client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
    assert token
    r = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "next": "/", "login_csrf": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get("/")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def _profile_endpoints(profiler: cProfile.Profile) -> None:
    """Profile every sync endpoint while it runs (FastAPI runs them on worker threads, which a
    profiler enabled here would not see)."""
    import fastapi.routing

    original = fastapi.routing.run_in_threadpool

    def profiled(*fargs: Any, **kwargs: Any) -> Any:
        func, rest = fargs[0], fargs[1:]

        def run(*a: Any, **kw: Any) -> Any:
            profiler.enable()
            try:
                return func(*a, **kw)
            finally:
                profiler.disable()

        return original(run, *rest, **kwargs)

    fastapi.routing.run_in_threadpool = profiled  # type: ignore[assignment]


def _measure(pairs: int, step: Callable[[], None], refit: Callable[[], None]) -> tuple[list[float], list[float]]:
    from realist.screen.served import REFIT_EVERY

    cpu, wall = [], []
    for i in range(pairs):
        if i and i % REFIT_EVERY == 0:
            refit()
        c, w = time.process_time(), time.perf_counter()
        step()
        cpu.append(1000 * (time.process_time() - c))
        wall.append(1000 * (time.perf_counter() - w))
    return cpu, wall


def _summary(label: str, cpu: list[float], wall: list[float]) -> str:
    def p95(xs: list[float]) -> float:
        return sorted(xs)[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]

    return (
        f"{label}: CPU median {statistics.median(cpu):.1f} ms (p95 {p95(cpu):.1f}); "
        f"wall median {statistics.median(wall):.1f} ms (p95 {p95(wall):.1f}); n={len(cpu)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--pairs", type=int, default=60, help="decide + next pairs timed per loop")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", default=None, help="write a cProfile of the API loop here")
    args = parser.parse_args()

    import fastapi.routing
    from fastapi.testclient import TestClient
    from starlette.concurrency import run_in_threadpool

    from realist.web import create_app

    tmp = Path(tempfile.mkdtemp(prefix="realist-profile-"))
    try:
        folder = tmp / "review"
        review_id, names, built = build_review(folder, args.database_url, args.records, 2, args.seed)
        print(f"{args.records} records imported in {built:.0f} s", flush=True)
        app = create_app(review_dirs=[folder], database_url=args.database_url, run_jobs=False)
        rng = random.Random(args.seed)
        with TestClient(app, base_url="http://testserver") as client:
            # --- JSON API, first reviewer
            name = names[0]
            _store_ranking(folder, args.database_url, name, args.seed)
            csrf = _login(client, name)
            api = f"/api/v1/reviews/{review_id}"
            state: dict[str, Any] = {"record": client.get(f"{api}/next").json()["record"]}

            def api_step() -> None:
                body = {
                    "record_id": state["record"]["id"],
                    "decision": "include" if rng.random() < 0.1 else "exclude",
                    "idempotency_key": uuid.uuid4().hex,
                }
                r = client.post(f"{api}/decisions", json=body, headers={"X-CSRF-Token": csrf})
                assert r.status_code == 200, r.text
                nxt = client.get(f"{api}/next")
                assert nxt.status_code == 200, nxt.text
                state["record"] = nxt.json()["record"]

            def refit_first() -> None:
                _store_ranking(folder, args.database_url, name, args.seed)

            _measure(5, api_step, refit_first)  # warm caches and connections
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                _profile_endpoints(profiler)
            cpu, wall = _measure(args.pairs, api_step, refit_first)
            if profiler:
                fastapi.routing.run_in_threadpool = run_in_threadpool
                profiler.dump_stats(args.profile)
            print(_summary("API  decide + next", cpu, wall), flush=True)

            # --- HTML screening page, second reviewer
            client.cookies.clear()
            other = names[1]
            _store_ranking(folder, args.database_url, other, args.seed + 1)
            csrf = _login(client, other)
            import re

            page = f"/reviews/{review_id}/screen"

            def page_record(text: str) -> tuple[str, str]:
                rid = re.search(r'name="record_id" value="(\d+)"', text)
                key = re.search(r'name="key" value="([^"]+)"', text)
                assert rid and key, text[:500]
                return rid.group(1), key.group(1)

            state["page"] = page_record(client.get(page).text)

            def page_step() -> None:
                rid, key = state["page"]
                r = client.post(
                    f"{page}/decide",
                    data={"record_id": rid, "decision": "exclude", "key": key, "csrf_token": csrf},
                    follow_redirects=False,
                )
                assert r.status_code == 303, r.text[:500]
                nxt = client.get(r.headers["location"])
                assert nxt.status_code == 200, nxt.text[:500]
                state["page"] = page_record(nxt.text)

            def refit_other() -> None:
                _store_ranking(folder, args.database_url, other, args.seed + 1)

            _measure(5, page_step, refit_other)
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                _profile_endpoints(profiler)
            cpu, wall = _measure(args.pairs, page_step, refit_other)
            if profiler:
                fastapi.routing.run_in_threadpool = run_in_threadpool
                profiler.dump_stats(args.profile + ".page")
            print(_summary("HTML decide + page", cpu, wall), flush=True)
        app.state.store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
