"""The job queue behind the web app: where it lives, refits coalesced, features reused."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text
from web_support import PASSWORD, Team

from realist import accounts
from realist.identify import import_records
from realist.records import RecordData
from realist.screen.served import refit
from realist.web import WebStore
from realist.web.jobs import REFIT_PENDING_TTL_S, JobQueue, _pending_key


def _queue(team: Team) -> JobQueue:
    """A queue on the team's store with no consumer running (jobs wait), emptied of earlier tests' jobs."""
    queue = JobQueue(WebStore(team.review.engine, {team.review.review_id: team.review.path}))
    queue.huey.flush()
    return queue


def _wait_done(queue: JobQueue, job_id: str, review_id: int, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = queue.job(job_id, review_id)
        assert job is not None
        if job.state in ("done", "failed"):
            return job.state
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job.state} after {timeout} s")


def test_the_queue_lives_with_the_store_sqlite_file_or_postgresql_tables(team: Team) -> None:
    queue = _queue(team)
    olu = accounts.authenticate(team.review.engine, "olu", PASSWORD)
    job_id = queue.submit_dedup(team.review.review_id, olu.id)
    if team.review.engine.dialect.name == "postgresql":
        with team.review.engine.connect() as conn:
            waiting = conn.execute(text("select count(*) from huey_task where queue = 'realist'")).scalar()
        assert waiting == 1  # in the review's own PostgreSQL database: every app process and machine sees it
    else:
        assert (team.review.path / ".realist" / "jobs.db").exists()
        assert queue.huey.pending_count() == 1
    job = queue.job(job_id, team.review.review_id)
    assert job is not None and job.state == "queued"
    queue.start()  # a consumer (here a thread) takes it from the shared queue
    try:
        assert _wait_done(queue, job_id, team.review.review_id) == "done"
    finally:
        queue.stop()
        queue.huey.flush()


def test_a_refit_waits_once_per_reviewer_and_stage_across_app_processes(team: Team) -> None:
    review_id = team.review.review_id
    rae = accounts.authenticate(team.review.engine, "rae", PASSWORD)
    ren = accounts.authenticate(team.review.engine, "ren", PASSWORD)
    one, other = _queue(team), JobQueue(WebStore(team.review.engine, {review_id: team.review.path}))
    first = one.submit_refit(review_id, rae.id, "title_abstract")
    assert first is not None
    assert other.submit_refit(review_id, rae.id, "title_abstract") is None  # another process: already waiting
    assert one.submit_refit(review_id, rae.id, "title_abstract") is None
    assert other.submit_refit(review_id, ren.id, "title_abstract") is not None  # another reviewer: their own
    assert one.huey.pending_count() == 2
    one.start()
    try:
        assert _wait_done(one, first, review_id) == "done"
    finally:
        one.stop()
    # The refit ran: the next stale answer may queue another.
    assert other.submit_refit(review_id, rae.id, "title_abstract") is not None
    one.huey.flush()


def test_a_pending_refit_mark_left_by_a_lost_job_expires(team: Team) -> None:
    review_id = team.review.review_id
    queue = _queue(team)
    key = _pending_key(review_id, 7, "title_abstract")
    queue.huey.put(key, time.time() - REFIT_PENDING_TTL_S - 1)  # its job went with a stopped consumer
    assert queue.submit_refit(review_id, 7, "title_abstract") is not None
    assert queue.submit_refit(review_id, 7, "title_abstract") is None
    queue.huey.flush()


def test_refits_reuse_the_review_s_features_until_its_records_change(team: Team) -> None:
    cache: dict[str, object] = {}
    first = refit(team.review, "rae", ranker_cache=cache)
    ranker = cache["ranker"]
    again = refit(team.review, "ren", ranker_cache=cache)  # another reviewer: same features
    assert cache["ranker"] is ranker
    assert sorted(first) == sorted(again) == sorted(team.record_ids)
    uncached = refit(team.review, "ren")
    assert again == uncached  # the cached features give the order fresh ones give
    import_records(team.review, [RecordData(title="A new record on peer navigators", year=2024)], source="Late")
    grown = refit(team.review, "rae", ranker_cache=cache)
    assert cache["ranker"] is not ranker and len(grown) == len(first) + 1


def test_sqlite_write_transactions_wait_for_each_other_instead_of_failing(team: Team) -> None:
    """A decision reads then writes; two at once on SQLite must both succeed (BEGIN IMMEDIATE)."""
    from realist.store.db import session_scope

    engine = team.review.engine
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL has row locks and MVCC writes: nothing to show
    with session_scope(engine) as session:
        session.execute(text("create table if not exists t_counter (n integer)"))
    started, errors = threading.Event(), []

    def slow_writer() -> None:
        try:
            with session_scope(engine, write=True) as session:
                session.execute(text("select count(*) from t_counter")).scalar()
                started.set()
                time.sleep(0.4)  # another writer commits meanwhile (or waits)
                session.execute(text("insert into t_counter values (1)"))
        except Exception as exc:
            errors.append(exc)
            started.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    started.wait(10)
    with session_scope(engine, write=True) as session:
        session.execute(text("insert into t_counter values (2)"))
    thread.join(10)
    assert errors == []
    with session_scope(engine) as session:
        assert [r[0] for r in session.execute(text("select n from t_counter order by rowid"))] == [1, 2]
