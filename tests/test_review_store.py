"""The review store: creating, finding and opening reviews; the event log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realist.errors import InvalidInput, ReviewNotFound
from realist.protocol import read_protocol
from realist.review import find_review_dir, init_review, open_review
from realist.store.events import events


def test_init_creates_protocol_and_store(review):
    assert review.protocol_path.is_file()
    protocol = read_protocol(review.protocol_path)
    assert protocol["title"] == "Test review"
    assert set(protocol["eligibility"]) == {"title_abstract", "full_text"}
    with review.session() as session:
        logged = [e.action for e in events(session, review.review_id)]
    assert logged == ["review.created", "protocol.changed"]


def test_init_refuses_a_folder_that_already_holds_a_review(review):
    with pytest.raises(InvalidInput, match="already holds a review"):
        init_review(review.path, "Again", database_url=None)


def test_init_requires_a_title(tmp_path):
    with pytest.raises(InvalidInput, match="title"):
        init_review(tmp_path / "r", "   ")


def test_reviews_are_found_from_a_subfolder_like_git(review):
    sub = review.path / "notes" / "drafts"
    sub.mkdir(parents=True)
    assert find_review_dir(sub) == review.path


def test_open_outside_any_review_names_the_folder_without_cli_advice(tmp_path):
    with pytest.raises(ReviewNotFound, match="no review in") as caught:
        open_review(tmp_path)
    assert caught.value.file == str(tmp_path.resolve())
    assert caught.value.key == "no-review"
    assert "realist init" not in str(caught.value)


def test_review_handle_is_a_context_manager_that_closes(review, database_url):
    import realist

    with realist.open_review(review.path, database_url=database_url) as again:
        assert again.review_id == review.review_id
        pool = again.engine.pool
    assert pool is not again.engine.pool  # dispose() replaced the connection pool


def test_reopened_review_keeps_its_identity(review, database_url):
    again = open_review(review.path, database_url=database_url, actor="someone")
    try:
        assert (again.review_id, again.uuid, again.title) == (review.review_id, review.uuid, review.title)
    finally:
        again.close()


def _versions(review):
    with review.session() as session:
        return events(session, review.review_id, action="protocol.changed")


def test_reading_the_protocol_writes_no_event(review):
    before = len(_versions(review))
    text = review.protocol_path.read_text().replace("question: ''", 'question: "Edited by hand"')
    review.protocol_path.write_text(text)
    assert review.protocol()["question"] == "Edited by hand"
    review.protocol()
    assert len(_versions(review)) == before


def test_protocol_edits_are_logged_once_per_version_when_seen(review, database_url):
    assert len(_versions(review)) == 1  # the version init wrote
    assert review.sync_protocol() is False
    text = review.protocol_path.read_text().replace("question: ''", 'question: "What works, for whom?"')
    review.protocol_path.write_text(text)
    with open_review(review.path, database_url=database_url) as again:  # first seen changed
        assert again.sync_protocol() is False
    versions = _versions(review)
    assert len(versions) == 2
    assert versions[-1].payload["protocol"]["question"] == "What works, for whom?"


def test_writing_the_protocol_logs_the_new_version(review):
    data = review.protocol()
    data["question"] = "For whom?"
    review.write_protocol(data)
    versions = _versions(review)
    assert len(versions) == 2
    assert versions[-1].payload["protocol"]["question"] == "For whom?"


def test_a_broken_protocol_does_not_stop_opening_and_is_not_logged(review, database_url):
    review.protocol_path.write_text("title: x\neligibility: [unclosed\n")
    with open_review(review.path, database_url=database_url) as again:
        assert again.title == review.title
    assert len(_versions(review)) == 1


def test_broken_protocol_file_names_the_line(review):
    review.protocol_path.write_text("title: x\neligibility: [unclosed\n")
    with pytest.raises(InvalidInput, match=r"protocol.yaml line \d+"):
        review.protocol()


def test_config_names_review_by_uuid(review):
    config = json.loads((review.path / ".realist" / "config.json").read_text())
    assert config["uuid"] == review.uuid


def test_review_in_other_database_is_not_found(review, tmp_path: Path):
    other = tmp_path / "elsewhere.db"
    with pytest.raises(ReviewNotFound, match="is not in database"):
        open_review(review.path, database_url=f"sqlite:///{other}")


def _downgrade(review, revision: str) -> None:
    from alembic import command

    from realist.store.db import _alembic_config

    command.downgrade(_alembic_config(review.engine), revision)


def test_old_sqlite_review_is_backed_up_and_upgraded_on_open(tmp_path):
    from realist.store.db import current_revision, head_revision

    review = init_review(tmp_path / "old", "Old review", actor="tester")
    _downgrade(review, "0001")
    review.close()
    again = open_review(tmp_path / "old")
    try:
        assert current_revision(again.engine) == head_revision()
        assert (tmp_path / "old" / ".realist" / "review.db.bak-0001").is_file()
    finally:
        again.close()


def test_server_database_is_upgraded_only_by_migrate(review, database_url):
    if database_url is None:
        pytest.skip("server databases only")
    from realist.review import migrate_review
    from realist.store.db import SchemaOutdated

    _downgrade(review, "0002")
    try:
        with pytest.raises(SchemaOutdated, match="this realist needs"):
            open_review(review.path, database_url=database_url)
    finally:
        before, after = migrate_review(review.path, database_url=database_url)
    assert before == "0002" and after != before
    open_review(review.path, database_url=database_url).close()


@pytest.mark.parametrize("table", ["event", "decision", "resolution"])
def test_audit_tables_refuse_update_and_delete(review, table):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from realist.identify import import_records
    from realist.records import RecordData
    from realist.screen.decisions import decide, resolve

    import_records(review, [RecordData(title="A peer study")], source="s")
    with review.session() as session:
        rid = session.execute(text("SELECT id FROM record WHERE review_id = :r"), {"r": review.review_id}).scalar()
    decide(review, rid, "include", reviewer="ana")
    decide(review, rid, "exclude", reviewer="ben")
    resolve(review, rid, "include", note="discussed")
    for statement in (f"UPDATE {table} SET review_id = review_id", f"DELETE FROM {table}"):
        with pytest.raises(DBAPIError, match="append-only"), review.session() as session:
            session.execute(text(statement))
