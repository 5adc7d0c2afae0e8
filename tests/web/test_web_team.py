"""Team pages: assigning reviewers in the browser, each member's own highlight terms, and
a server that serves every review of its database (and creates new ones)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from web_support import Client, Team

from realist import accounts
from realist.protocol import read_protocol, write_protocol
from realist.screen import decisions as dec
from realist.store.models import Event


def _assign(client: Client, team: Team, **form: Any) -> Any:
    data = {"stage": "title_abstract", "mode": "balanced", "per_record": "2", "percent": "0", **form}
    return client.post(f"/reviews/{team.review.review_id}/assign", data)


def _events(team: Team, action: str) -> list[Event]:
    from sqlalchemy import select

    with team.review.session() as session:
        rows = session.scalars(
            select(Event).where(Event.review_id == team.review.review_id, Event.action == action)
        ).all()
        session.expunge_all()
        return list(rows)


# ---------------------------------------------------------------- assignment


def test_owner_assigns_double_screening_in_the_browser_and_the_library_sees_it(team: Team) -> None:
    owner = team.client("owner")
    page = owner.get(f"/reviews/{team.review.review_id}/assign")
    assert page.status_code == 200
    assert "12 records are eligible at this stage; 12 are not assigned to anyone yet." in page.text
    # The form offers the members who may screen (owner and reviewers), never the viewer.
    offered = set(re.findall(r'name="reviewers" value="([^"]+)"', page.text))
    assert offered == {"olu", "rae", "ren"}

    done = _assign(owner, team, reviewers=["rae", "ren"])
    assert done.status_code == 303
    assert done.headers["location"].endswith("saved=1")
    progress = dec.progress(team.review, "title_abstract")
    assert {n: r.assigned for n, r in progress.reviewers.items()} == {"rae": 12, "ren": 12}
    assert dec.unassigned(team.review, "title_abstract") == 0
    event = _events(team, "screen.assigned")[-1]
    assert event.actor == "olu" and event.payload["per_reviewer"] == {"rae": 12, "ren": 12}
    shown = owner.get(done.headers["location"])
    assert "Assignment saved." in shown.text and "12 are not assigned" not in shown.text


def test_single_screening_with_a_double_screened_share(team: Team) -> None:
    owner = team.client("owner")
    assert _assign(owner, team, reviewers=["rae", "ren"], mode="single", percent="50").status_code == 303
    progress = dec.progress(team.review, "title_abstract")
    # 12 records once each, plus half of them (6) to a second reviewer: 18 assignments.
    assert sum(r.assigned for r in progress.reviewers.values()) == 18


def test_bad_assignment_says_what_is_wrong_and_assigns_nothing(team: Team) -> None:
    owner = team.client("owner")
    too_many = _assign(owner, team, reviewers=["rae", "ren"], per_record="3")
    assert too_many.status_code == 400
    assert "reviewers per record must be between 1 and the number of reviewers (2), not 3" in too_many.text
    assert "Nothing was assigned." in too_many.text
    not_a_number = _assign(owner, team, reviewers=["rae"], per_record="two")
    assert not_a_number.status_code == 400 and "whole number" in not_a_number.text
    viewer = _assign(owner, team, reviewers=["rae", "vic"])
    assert viewer.status_code == 400 and "vic: not an owner or reviewer of this review" in viewer.text
    nobody = _assign(owner, team)
    assert nobody.status_code == 400 and "tick at least one reviewer" in nobody.text
    assert dec.unassigned(team.review, "title_abstract") == 12
    assert _events(team, "screen.assigned") == []


def test_reviewers_see_the_assignment_but_cannot_change_it(team: Team) -> None:
    owner, reviewer = team.client("owner"), team.client("reviewer")
    _assign(owner, team, reviewers=["rae", "ren"])
    page = reviewer.get(f"/reviews/{team.review.review_id}/assign")
    assert page.status_code == 200
    assert "Records per reviewer" in page.text
    assert 'name="reviewers"' not in page.text  # no form
    refused = _assign(reviewer, team, reviewers=["rae"], mode="all")
    assert refused.status_code == 403
    assert len(_events(team, "screen.assigned")) == 1


def test_assigned_reviewer_is_served_only_their_records(team: Team) -> None:
    owner, rae = team.client("owner"), team.client("reviewer")
    _assign(owner, team, reviewers=["rae", "ren"], mode="single", percent="0")
    mine = {rid for rid, st in dec.statuses(team.review, "title_abstract").items() if "rae" in st.assigned}
    assert len(mine) == 6
    page = rae.get(f"/reviews/{team.review.review_id}/screen")
    served = int(re.search(r'name="record_id" value="(\d+)"', page.text).group(1))  # type: ignore[union-attr]
    assert served in mine
    assert "of 6 decided" in page.text


# ---------------------------------------------------------------- personal highlight terms


def _highlights(client: Client, team: Team, **form: str) -> Any:
    return client.post(
        f"/reviews/{team.review.review_id}/screen/highlights",
        {"stage": "title_abstract", "record": str(team.record_ids[0]), **form},
    )


def _marks(page: Any) -> tuple[set[str], set[str]]:
    inc = {m.lower() for m in re.findall(r'<mark class="inc"[^>]*>([^<]+)</mark>', page.text)}
    exc = {m.lower() for m in re.findall(r'<mark class="exc"[^>]*>([^<]+)</mark>', page.text)}
    return inc, exc


def test_each_member_keeps_their_own_highlight_terms(team: Team) -> None:
    protocol = read_protocol(team.review.protocol_path)
    protocol["highlights"] = {"include": ["peer"], "exclude": []}
    write_protocol(team.review.protocol_path, protocol)
    rae, ren = team.client("reviewer"), team.client("reviewer2")
    url = f"/reviews/{team.review.review_id}/screen?record={team.record_ids[0]}"
    assert _marks(rae.get(url)) == ({"peer"}, set())  # the protocol's terms until rae sets hers

    saved = _highlights(rae, team, include="HIV testing\nharm reduction", exclude="injects")
    assert saved.status_code == 303
    assert saved.headers["location"].endswith(f"record={team.record_ids[0]}")
    inc, exc = _marks(rae.get(url))
    assert inc == {"hiv testing", "harm reduction"} and exc == set()
    assert "Your own terms; only you see them." in rae.get(url).text
    assert accounts.highlights_for(team.review, "rae") == (
        {"include": ["HIV testing", "harm reduction"], "exclude": ["injects"]},
        True,
    )
    # ren still sees the protocol's terms.
    assert _marks(ren.get(url)) == ({"peer"}, set())

    _highlights(rae, team, reset="1")
    assert _marks(rae.get(url)) == ({"peer"}, set())
    assert accounts.highlights_for(team.review, "rae")[1] is False


def test_a_too_long_highlight_term_is_refused_and_nothing_changes(team: Team) -> None:
    rae = team.client("reviewer")
    _highlights(rae, team, include="peer")
    refused = _highlights(rae, team, include="peer\n" + "x" * 101)
    assert refused.status_code == 400
    assert "longer than 100 characters" in refused.text
    assert accounts.highlights_for(team.review, "rae")[0]["include"] == ["peer"]


# ---------------------------------------------------------------- every review of a database


def _server(team: Team, data_dir: Path) -> Any:
    from realist.web import WebStore, create_app

    return create_app(WebStore(team.review.engine, {}, data_dir), immediate_jobs=True)


def test_a_server_serves_every_review_in_its_database_with_the_logged_protocol(team: Team, tmp_path: Path) -> None:
    team.review.sync_protocol()  # the log holds the version realist last saw (as on opening the review)
    app = _server(team, tmp_path / "data")
    owner = Client(app, "olu")
    home = owner.get("/")
    assert f'href="/reviews/{team.review.review_id}"' in home.text
    assert owner.get(f"/reviews/{team.review.review_id}").status_code == 200
    # The review was made in another folder: the server wrote its own, protocol from the log.
    folder = tmp_path / "data" / team.review.uuid
    assert read_protocol(folder / "protocol.yaml") == read_protocol(team.review.protocol_path)
    protocol = owner.get(f"/reviews/{team.review.review_id}/protocol")
    assert "Not people who use drugs" in protocol.text
    assert Client(app, "eve").get(f"/reviews/{team.review.review_id}").status_code == 404


def test_a_signed_in_person_creates_a_review_and_owns_it(team: Team, tmp_path: Path) -> None:
    app = _server(team, tmp_path / "data")
    rae = Client(app, "rae")
    home = rae.get("/")
    assert "Start a new review" in home.text
    made = rae.post("/reviews", {"title": "Naloxone by peers"})
    assert made.status_code == 303
    review_id = int(re.search(r"/reviews/(\d+)/members", made.headers["location"]).group(1))  # type: ignore[union-attr]
    members = rae.get(made.headers["location"])
    assert members.status_code == 200 and "Naloxone by peers" in rae.get("/").text
    assert accounts.membership(team.review.engine, review_id, members_id(team, "rae")).role is accounts.Role.owner
    # The folder holds a default protocol and the config naming the review (no database URL).
    folders = [p for p in (tmp_path / "data").iterdir() if (p / "protocol.yaml").exists()]
    created = [p for p in folders if read_protocol(p / "protocol.yaml").get("title") == "Naloxone by peers"]
    assert len(created) == 1
    assert "database_url" not in (created[0] / ".realist" / "config.json").read_text()
    # The owner adds a reviewer, who then sees it; nobody else does.
    assert rae.post(f"/reviews/{review_id}/members", {"name": "ren", "role": "reviewer"}).status_code == 303
    assert Client(app, "ren").get(f"/reviews/{review_id}").status_code == 200
    assert Client(app, "olu").get(f"/reviews/{review_id}").status_code == 404


def members_id(team: Team, name: str) -> int:
    return accounts.authenticate(team.review.engine, name, "correct horse battery").id


def test_a_review_needs_a_title_and_a_folder_server_cannot_create_one(team: Team, tmp_path: Path) -> None:
    app = _server(team, tmp_path / "data")
    rae = Client(app, "rae")
    before = len(accounts.reviews_for(team.review.engine, members_id(team, "rae")))
    blank = rae.post("/reviews", {"title": "   "})
    assert blank.status_code == 400 and "give the new review a title" in blank.text
    folders = team.client("reviewer")  # the team's app serves named folders only
    assert "Start a new review" not in folders.get("/").text
    refused = folders.post("/reviews", {"title": "Elsewhere"})
    assert refused.status_code == 400 and "--database-url" in refused.text
    assert len(accounts.reviews_for(team.review.engine, members_id(team, "rae"))) == before


# ---------------------------------------------------------------- the same through the API


def _script(app: Any, engine: Any, name: str) -> Any:
    """A script's client: a personal API token, no cookie."""
    from fastapi.testclient import TestClient

    token = accounts.create_api_token(engine, name, "tests")
    return TestClient(app, base_url="http://testserver", headers={"Authorization": f"Bearer {token}"})


def test_a_script_assigns_blinds_and_sets_its_highlights_through_the_api(team: Team) -> None:
    rid = team.review.review_id
    owner = _script(team.app, team.review.engine, "olu")
    bad = owner.post(f"/api/v1/reviews/{rid}/assign", json={"reviewers": ["rae", "vic"]})
    assert bad.status_code == 400 and "vic" in bad.json()["detail"]
    assert dec.unassigned(team.review, "title_abstract") == 12
    done = owner.post(f"/api/v1/reviews/{rid}/assign", json={"reviewers": ["rae", "ren"], "mode": "all"})
    assert done.status_code == 200
    assert done.json() == {"stage": "title_abstract", "assigned": {"rae": 12, "ren": 12}, "unassigned": 0}
    assert owner.post(f"/api/v1/reviews/{rid}/blinding", json={"blinded": True}).json()["blinded"] is True
    assert dec.is_blinded(team.review, "title_abstract")

    rae = _script(team.app, team.review.engine, "rae")
    assert rae.post(f"/api/v1/reviews/{rid}/blinding", json={"blinded": False}).status_code == 403
    assert dec.is_blinded(team.review, "title_abstract")
    assert rae.get(f"/api/v1/reviews/{rid}/highlights").json()["own"] is False
    put = rae.put(f"/api/v1/reviews/{rid}/highlights", json={"include": ["naloxone", " ", "naloxone"], "exclude": []})
    assert put.json() == {"include": ["naloxone"], "exclude": [], "own": True}
    assert accounts.highlights_for(team.review, "rae")[0]["include"] == ["naloxone"]


def test_a_script_rejects_a_duplicate_pair_and_imports_a_file_through_the_api(team: Team) -> None:
    rid = team.review.review_id
    rae = _script(team.app, team.review.engine, "rae")
    answer = rae.post(f"/api/v1/reviews/{rid}/duplicates/{team.pair_id}/reject", json={"note": "different trials"})
    assert answer.status_code == 200
    from realist.deduplicate.store import pending_pairs

    assert pending_pairs(team.review) == []
    ris = b"TY  - JOUR\nTI  - Peer navigators and naloxone\nPY  - 2022\nER  - \n"
    sent = rae.post(
        f"/api/v1/reviews/{rid}/imports", files=[("files", ("mine.ris", ris, "text/plain"))], data={"source": "Hand"}
    )
    assert sent.status_code == 202
    job = rae.get(f"/api/v1/reviews/{rid}/jobs/{sent.json()['job']}").json()
    assert job["state"] == "done", job
    titles = [r["title"] for r in rae.get(f"/api/v1/reviews/{rid}/records", params={"q": "naloxone"}).json()["records"]]
    assert titles == ["Peer navigators and naloxone"]


def test_a_script_creates_a_review_and_adds_a_member(team: Team, tmp_path: Path) -> None:
    app = _server(team, tmp_path / "data")
    ren = _script(app, team.review.engine, "ren")
    made = ren.post("/api/v1/reviews", json={"title": "Scripted review"})
    assert made.status_code == 201
    body = made.json()
    assert body["title"] == "Scripted review" and body["role"] == "owner"
    added = ren.post(f"/api/v1/reviews/{body['id']}/members", json={"name": "rae", "role": "viewer"})
    assert added.json() == {"name": "rae", "role": "viewer", "resolver": False}
    rae = _script(app, team.review.engine, "rae")
    assert [r["title"] for r in rae.get("/api/v1/reviews").json() if r["id"] == body["id"]] == ["Scripted review"]
    assert rae.post(f"/api/v1/reviews/{body['id']}/assign", json={"reviewers": ["ren"]}).status_code == 403


def test_a_named_folder_keeps_its_own_folder_on_a_whole_database_server(team: Team, tmp_path: Path) -> None:
    """`realist --database-url URL serve` inside a review folder: that review is served from
    its own folder (one protocol file), the database's other reviews from the data directory."""
    from realist.web import open_store

    url = team.review.engine.url.render_as_string(hide_password=False)
    store = open_store([team.review.path], database_url=url, data_dir=tmp_path / "data")
    try:
        assert store.serves_all
        assert store.folder(team.review.review_id) == team.review.path
        assert not (tmp_path / "data" / team.review.uuid).exists()
        assert store.folder(10**9) is None
    finally:
        store.close()


def test_the_new_forms_and_api_writes_refuse_a_missing_csrf_token_and_change_nothing(
    team: Team, tmp_path: Path
) -> None:
    rid = team.review.review_id
    owner, rae = team.client("owner"), team.client("reviewer")
    assert _assign_no_csrf(owner, team).status_code == 403
    assert rae.post(f"/reviews/{rid}/screen/highlights", {"include": "x"}, csrf=False).status_code == 403
    assert (
        owner.api("POST", f"/api/v1/reviews/{rid}/assign", json={"reviewers": ["rae"]}, csrf=False).status_code == 403
    )
    assert owner.api("POST", f"/api/v1/reviews/{rid}/blinding", json={"blinded": True}, csrf=False).status_code == 403
    assert rae.api("PUT", f"/api/v1/reviews/{rid}/highlights", json={"include": ["x"]}, csrf=False).status_code == 403
    server = Client(_server(team, tmp_path / "data"), "olu")
    before = len(accounts.reviews_for(team.review.engine, members_id(team, "olu")))
    assert server.post("/reviews", {"title": "Forged"}, csrf=False).status_code == 403
    assert server.api("POST", "/api/v1/reviews", json={"title": "Forged"}, csrf=False).status_code == 403
    assert len(accounts.reviews_for(team.review.engine, members_id(team, "olu"))) == before
    assert dec.unassigned(team.review, "title_abstract") == 12
    assert not dec.is_blinded(team.review, "title_abstract")
    assert accounts.highlights_for(team.review, "rae")[1] is False


def _assign_no_csrf(client: Client, team: Team) -> Any:
    return client.post(
        f"/reviews/{team.review.review_id}/assign",
        {"stage": "title_abstract", "reviewers": ["rae"], "mode": "all"},
        csrf=False,
    )


def test_migrate_and_user_add_work_on_a_server_database_without_a_review_folder(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from click.testing import CliRunner

    from realist.cli import cli
    from realist.store.db import current_revision, head_revision, make_engine

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REALIST_DATABASE_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'server.db'}"
    runner = CliRunner()
    migrated = runner.invoke(cli, ["--database-url", url, "migrate"], catch_exceptions=False)
    assert migrated.exit_code == 0, migrated.output
    assert f"Upgraded the schema from empty to {head_revision()}." in migrated.output
    added = runner.invoke(
        cli, ["--database-url", url, "user", "add", "ana", "--password-stdin"], input="a long passphrase\n"
    )
    assert added.exit_code == 0, added.output
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
        assert accounts.list_users(engine) == ["ana"]
    finally:
        engine.dispose()
    # Without a database URL there is still nothing to act on, and the message says so.
    lost = runner.invoke(cli, ["user", "add", "bo", "--password-stdin"], input="a long passphrase\n")
    assert lost.exit_code != 0 and "no review in" in lost.output
