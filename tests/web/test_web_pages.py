"""The pages and API do what the issue asks, in-process over HTTP (both backends)."""

from __future__ import annotations

import io
import json
import re

from web_support import PASSWORD, Client, Team

from realist import accounts
from realist.cli import cli
from realist.inventory import list_records, review_status
from realist.screen import decisions as d
from realist.screen.served import REFIT_EVERY, next_record


def _screen(client: Client, team: Team, record: int | None = None, stage: str = "title_abstract") -> str:
    url = f"/reviews/{team.review.review_id}/screen?stage={stage}" + (f"&record={record}" if record else "")
    page = client.get(url)
    assert page.status_code == 200, page.text
    return str(page.text)


def _decide(client: Client, team: Team, record: int, decision: str, **extra: str) -> None:
    response = client.post(
        f"/reviews/{team.review.review_id}/screen/decide", {"record_id": record, "decision": decision, **extra}
    )
    assert response.status_code == 303, response.text


def test_screening_page_has_the_named_controls_and_the_title_as_heading(team: Team) -> None:
    rae = team.client("reviewer")
    home = rae.get("/").text
    assert re.search(r"<a [^>]*href=\"/reviews/\d+/screen\"[^>]*>[^<]*Screen", home)
    page = _screen(rae, team)
    for name in ("Include", "Exclude", "Maybe"):
        assert re.search(rf'<button type="submit" name="decision" value="\w+"[^>]*>{name}</button>', page)
    assert '<label for="note">Note</label>' in page and 'id="note"' in page
    title = re.search(r'<h1 id="record-title"[^>]*>(.*?)</h1>', page)
    assert title and "(" in title.group(1)
    assert "Not people who use drugs" in page  # the protocol's exclusion criteria as reasons


def test_note_and_reason_are_saved_with_the_decision_and_seen_by_the_cli(team: Team) -> None:
    rae = team.client("reviewer")
    rid = team.record_ids[2]
    _decide(rae, team, rid, "exclude", reason="wrong-topic", note="agronomy, not peers")
    state = d.statuses(team.review, "title_abstract")[rid]
    assert state.decisions["rae"] == {
        **state.decisions["rae"],
        "decision": "exclude",
        "reason": "wrong-topic",
        "note": "agronomy, not peers",
    }
    from click.testing import CliRunner

    out = (
        CliRunner()
        .invoke(
            cli, ["--review", str(team.review.path), *_db(team), "screen", "progress", "--json"], catch_exceptions=False
        )
        .output
    )
    assert json.loads(out[out.index("{") :])["reviewers"]["rae"]["decided"] == 1


def _db(team: Team) -> list[str]:
    url = team.review.engine.url
    return [] if url.get_backend_name() == "sqlite" else ["--database-url", url.render_as_string(hide_password=False)]


def test_undo_withdraws_my_decision_and_shows_the_record_again(team: Team) -> None:
    rae = team.client("reviewer")
    rid = team.record_ids[0]
    _decide(rae, team, rid, "include")
    response = rae.post(f"/reviews/{team.review.review_id}/screen/undo", {"record_id": rid})
    assert response.status_code == 303 and f"record={rid}" in response.headers["location"]
    assert "rae" not in d.statuses(team.review, "title_abstract")[rid].decisions


def test_next_record_follows_the_stored_ranking_and_skips_decided_ones(team: Team) -> None:
    first = next_record(team.review, "rae")
    assert first.record_id is not None and first.remaining == len(team.record_ids) and not first.stale
    d.decide(team.review, first.record_id, "include", reviewer="rae")
    second = next_record(team.review, "rae")
    assert second.record_id not in (None, first.record_id) and second.staleness == 1
    for rid in team.record_ids:
        if rid not in (first.record_id, second.record_id) and len(d.own_decisions(team.review, "rae")) < REFIT_EVERY:
            d.decide(team.review, rid, "exclude", reviewer="rae")
    assert next_record(team.review, "rae").stale


def test_highlight_terms_from_the_protocol_are_marked(team: Team) -> None:
    olu = team.client("owner")
    review = team.review.review_id
    saved = olu.post(
        f"/reviews/{review}/protocol",
        {
            "stage": "title_abstract",
            "include": "peer: peer involvement",
            "exclude": "wrong-population: not people who use drugs\nwrong-topic: not about peers",
            "highlight_include": "peer",
            "highlight_exclude": "maize",
        },
    )
    assert saved.status_code == 303
    page = _screen(olu, team, record=team.record_ids[2])  # "Soil nitrogen dynamics under maize rotation"
    assert '<mark class="exc" title="exclusion term">maize</mark>' in page
    page = _screen(olu, team, record=team.record_ids[0])
    assert '<mark class="inc" title="inclusion term">Peer</mark>' in page


def test_protocol_edit_rejects_bad_criteria_with_the_line_and_keeps_the_file(team: Team) -> None:
    olu = team.client("owner")
    before = team.review.protocol_path.read_text()
    bad = olu.post(
        f"/reviews/{team.review.review_id}/protocol",
        {"stage": "title_abstract", "include": "", "exclude": "ok-id: fine\nNot A Slug: label"},
    )
    assert bad.status_code == 400
    assert "exclusion criteria, line 2" in bad.text and "Not A Slug" in bad.text
    assert team.review.protocol_path.read_text() == before


def test_blinded_stage_shows_no_one_else_s_decision_anywhere(team: Team) -> None:
    olu, rae, ren = team.client("owner"), team.client("reviewer"), team.client("reviewer2")
    review, rid = team.review.review_id, team.record_ids[0]
    assert olu.post(f"/reviews/{review}/blinding", {"stage": "title_abstract", "blinded": "yes"}).status_code == 303
    _decide(rae, team, rid, "include", note="SECRET-NOTE-OF-RAE")
    _decide(ren, team, rid, "exclude", reason="wrong-topic")
    seen_by_ren = [
        _screen(ren, team, record=rid),
        ren.get(f"/reviews/{review}/activity").text,
        ren.get(f"/reviews/{review}").text,
        ren.get(f"/reviews/{review}/records").text,
        ren.get(f"/reviews/{review}/conflicts").text,
        ren.get(f"/reviews/{review}/records/export?format=csv").text,
        json.dumps(ren.api("GET", f"/api/v1/reviews/{review}/decisions/{rid}").json()),
        json.dumps(ren.api("GET", f"/api/v1/reviews/{review}/conflicts").json()),
        json.dumps(ren.api("GET", f"/api/v1/reviews/{review}/progress").json()),
        json.dumps(ren.api("GET", f"/api/v1/reviews/{review}/activity").json()),
    ]
    for text in seen_by_ren:
        assert "SECRET-NOTE-OF-RAE" not in text
    assert set(ren.api("GET", f"/api/v1/reviews/{review}/decisions/{rid}").json()) == {"ren"}
    assert "included" not in json.dumps(ren.api("GET", f"/api/v1/reviews/{review}/progress").json())
    assert ren.api("GET", f"/api/v1/reviews/{review}/agreement").status_code == 403
    # Once the owner unblinds, the conflict and both decisions are there for the resolver.
    assert olu.post(f"/reviews/{review}/blinding", {"stage": "title_abstract", "blinded": "no"}).status_code == 303
    conflicts = olu.get(f"/reviews/{review}/conflicts").text
    assert "SECRET-NOTE-OF-RAE" in conflicts and "Resolve as include" in conflicts


def test_conflict_is_resolved_by_the_owner_or_a_named_resolver_only(team: Team) -> None:
    olu, rae, ren = team.client("owner"), team.client("reviewer"), team.client("reviewer2")
    review = team.review.review_id
    a, b = team.record_ids[0], team.record_ids[1]
    for rid in (a, b):
        _decide(rae, team, rid, "include")
        _decide(ren, team, rid, "exclude", reason="wrong-topic")
    assert [s.record_id for s in d.conflicts(team.review)] == [a, b]
    assert rae.post(f"/reviews/{review}/conflicts/{a}/resolve", {"decision": "include"}).status_code == 403
    resolved = olu.post(f"/reviews/{review}/conflicts/{a}/resolve", {"decision": "include", "note": "peer role"})
    assert resolved.status_code == 303
    accounts.add_member(team.review, "rae", "reviewer", resolver=True)
    assert rae.post(f"/reviews/{review}/conflicts/{b}/resolve", {"decision": "exclude"}).status_code == 303
    states = d.statuses(team.review, "title_abstract")
    assert (states[a].status, states[a].resolution["resolved_by"]) == ("included", "olu")  # type: ignore[index]
    assert (states[b].status, states[b].resolution["resolved_by"]) == ("excluded", "rae")  # type: ignore[index]


def test_dashboard_shows_progress_agreement_and_conflicts(team: Team) -> None:
    olu, rae, ren = team.client("owner"), team.client("reviewer"), team.client("reviewer2")
    for i, rid in enumerate(team.record_ids[:8]):
        _decide(rae, team, rid, "include" if i % 2 == 0 else "exclude")
        _decide(ren, team, rid, "include" if i % 4 == 0 else "exclude")
    page = olu.get(f"/reviews/{team.review.review_id}").text
    assert "Fleiss' kappa" in page and "Gwet's AC1" in page
    assert re.search(r"Cohen's kappa, (rae and ren|ren and rae) \(8\)</td><td>-?\d\.\d\d</td>", page)
    assert re.search(r"Conflicts waiting</dt><dd><a [^>]*>2</a>", page)
    assert re.search(r"<td>rae</td><td>8</td>", page) and "PRISMA counts" in page
    from realist.report.prisma import prisma_counts

    counts = prisma_counts(team.review)
    assert f"<dt>Records identified from databases and registers</dt><dd>{counts.database_results}</dd>" in page
    assert "<dt>Records screened</dt>" in page
    assert "dbr" not in page and "full text used" not in page  # PRISMA's words, not the field names


def test_import_page_imports_several_files_as_one_source_kind(team: Team) -> None:
    olu = team.client("owner")
    files = [
        ("files", ("a.ris", io.BytesIO(b"TY  - JOUR\nTI  - First imported\nER  - \n"), "text/plain")),
        ("files", ("b.ris", io.BytesIO(b"TY  - JOUR\nTI  - Second imported\nER  - \n"), "text/plain")),
    ]
    posted = olu.post(f"/reviews/{team.review.review_id}/import", {"source": "Embase", "kind": "database"}, files=files)
    assert posted.status_code == 303 and "/jobs/" in posted.headers["location"]
    page = olu.get(posted.headers["location"])
    assert page.status_code == 200 and "a.ris: 1 record (" in page.text and "b.ris: 1 record (" in page.text
    sources = {s["name"]: s for s in review_status(team.review).sources}
    assert sources["Embase (a.ris)"]["records"] == sources["Embase (b.ris)"]["records"] == 1
    assert sources["Embase (a.ris)"]["kind"] == "database"


def test_import_with_one_bad_file_names_it_and_imports_nothing(team: Team) -> None:
    olu = team.client("owner")
    count = len(d.statuses(team.review, "title_abstract"))
    files = [
        ("files", ("good.ris", io.BytesIO(b"TY  - JOUR\nTI  - Fine\nER  - \n"), "text/plain")),
        ("files", ("bad.bib", io.BytesIO(b"@article{a, title={x}}\n\n@article{b, title={y}\n"), "text/plain")),
    ]
    posted = olu.post(f"/reviews/{team.review.review_id}/import", {"source": "X"}, files=files)
    page = olu.get(posted.headers["location"])
    assert page.status_code == 200  # the job page was found; the job failed (its state, in the page)
    assert "bad.bib" in page.text and "line" in page.text and "Nothing was imported" in page.text
    assert len(d.statuses(team.review, "title_abstract")) == count


def test_upload_over_the_size_limit_is_refused_with_a_clear_message(team: Team) -> None:
    from fastapi.testclient import TestClient

    from realist.web import WebStore, create_app

    small = create_app(
        WebStore(team.review.engine, {team.review.review_id: team.review.path}),
        max_upload_bytes=1024 * 1024,
        immediate_jobs=True,
    )
    client = Client(small, "olu")
    assert isinstance(client.http, TestClient)
    big = b"TY  - JOUR\nTI  - x\nER  - \n" * 60000
    page = client.post(
        f"/reviews/{team.review.review_id}/import",
        {"source": "Big"},
        files=[("files", ("big.ris", io.BytesIO(big), "text/plain"))],
    )
    assert page.status_code == 400 and "big.ris is larger than the upload limit of 1 MB" in page.text


def test_records_table_searches_paginates_and_exports_every_format(team: Team) -> None:
    vic = team.client("viewer")
    review = team.review.review_id
    page = vic.get(f"/reviews/{review}/records?q=maize").text
    assert "3 records." in page and "Soil nitrogen" in page and "Bridge deck" not in page
    for fmt, marker in (("ris", "TY  - "), ("bibtex", "@"), ("csv", "title"), ("csl-json", '"title"')):
        export = vic.get(f"/reviews/{review}/records/export?format={fmt}&q=maize")
        assert export.status_code == 200 and marker in export.text and "maize" in export.text
    assert vic.get(f"/reviews/{review}/records/export?format=docx").status_code == 400


def test_dedup_page_shows_differing_fields_and_confirm_merges(team: Team) -> None:
    rae = team.client("reviewer")
    review = team.review.review_id
    page = rae.get(f"/reviews/{review}/dedup").text
    assert f"Pair {team.pair_id}" in page and page.count('class="differs"') >= 2
    assert rae.post(f"/reviews/{review}/dedup/{team.pair_id}/confirm").status_code == 303
    assert "No pairs waiting" in rae.get(f"/reviews/{review}/dedup").text


def test_activity_page_filters_by_action_and_person(team: Team) -> None:
    rae = team.client("reviewer")
    _decide(rae, team, team.record_ids[0], "include")
    page = rae.get(f"/reviews/{team.review.review_id}/activity?action=screen&actor=rae").text
    assert "1 event." in page and "screen.decided" in page


def test_members_page_lets_the_owner_add_a_member(team: Team) -> None:
    olu = team.client("owner")
    assert olu.post(f"/reviews/{team.review.review_id}/members", {"name": "eve", "role": "viewer"}).status_code == 303
    eve = team.client("outsider")
    assert eve.get(f"/reviews/{team.review.review_id}").status_code == 200


def test_setup_link_creates_the_first_owner_and_signs_them_in(store) -> None:  # type: ignore[no-untyped-def]
    from realist.web import WebStore, create_app

    token = accounts.create_setup_token(store.engine)
    app = create_app(WebStore(store.engine, {store.review_id: store.path}), immediate_jobs=True)
    client = Client(app)
    assert client.get(f"/setup/{token}").status_code == 200
    response = client.post(f"/setup/{token}", {"username": "olu", "password": PASSWORD}, csrf=False)
    assert response.status_code == 303
    assert store.title in client.get("/").text
    again = Client(app).post(f"/setup/{token}", {"username": "eve", "password": PASSWORD}, csrf=False)
    assert again.status_code == 404


def test_jobs_run_on_the_store_s_queue_through_the_in_process_consumer(team: Team) -> None:
    import time

    from fastapi.testclient import TestClient

    from realist.web import WebStore, create_app

    app = create_app(WebStore(team.review.engine, {team.review.review_id: team.review.path}))
    # SQLite: a file next to the review; PostgreSQL: huey's tables in the same database (test_jobs.py)
    on_sqlite = team.review.engine.dialect.name == "sqlite"
    assert (team.review.path / ".realist" / "jobs.db").exists() == on_sqlite
    app.state.jobs.huey.flush()  # the PostgreSQL store is shared by every test: no earlier test's jobs
    with TestClient(app) as http:  # runs the app's lifespan: the consumer thread starts and stops
        client = Client(app, "olu")
        client.http = http
        client.login("olu")
        posted = client.post(
            f"/reviews/{team.review.review_id}/import",
            {"source": "Queued"},
            files=[("files", ("q.ris", io.BytesIO(b"TY  - JOUR\nTI  - Queued one\nER  - \n"), "text/plain"))],
        )
        assert posted.status_code == 303
        for _ in range(200):
            page = client.get(posted.headers["location"])
            if "Imported:" in page.text:
                break
            assert 'http-equiv="refresh"' in page.text  # the page polls while the job waits or runs
            time.sleep(0.05)
        assert "q.ris: 1 record (" in page.text
    assert any(r["title"] == "Queued one" for r in list_records(team.review))


def test_full_text_is_attached_shown_and_served_at_the_full_text_stage(team: Team) -> None:
    olu, rae = team.client("owner"), team.client("reviewer")
    review, rid = team.review.review_id, team.record_ids[4]
    d.decide(team.review, rid, "include", reviewer="rae")  # included at title/abstract: on to full text
    page = _screen(rae, team, record=rid, stage="full_text")
    assert 'for="ft-file">Attach the full text' in page
    posted = rae.post(
        f"/reviews/{review}/records/{rid}/fulltext",
        files=[
            (
                "file",
                (
                    "paper.html",
                    io.BytesIO(
                        b"<html><body><p>Peer workers <script>x()</script>"
                        b"ran the needle exchange in Odesa.</p></body></html>"
                    ),
                    "text/html",
                ),
            )
        ],
    )
    assert posted.status_code == 303, posted.text
    page = _screen(rae, team, record=rid, stage="full_text")
    assert "ran the needle exchange in Odesa" in page and "paper.html" in page
    served = olu.get(f"/reviews/{review}/records/{rid}/fulltext")
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/plain")
    assert "sandbox" in served.headers["content-security-policy"]
    assert team.client("outsider").get(f"/reviews/{review}/records/{rid}/fulltext").status_code == 404


def test_without_a_stored_ranking_the_app_serves_at_once_and_queues_a_refit(team: Team) -> None:
    from realist.screen.served import refit

    cold = next_record(team.review, "ren", compute_if_missing=False)
    assert cold.stale and cold.record_id == min(team.record_ids)
    order = refit(team.review, "ren")
    warm = next_record(team.review, "ren", compute_if_missing=False)
    assert not warm.stale and warm.record_id == order[0]
    ren = team.client("reviewer2")  # the API queues the refit (run at once in these tests)
    served = ren.api("GET", f"/api/v1/reviews/{team.review.review_id}/next").json()
    assert served["record"]["id"] == order[0] and served["staleness"] == 0


def test_api_runs_deduplication_as_a_job_and_reports_its_state(team: Team) -> None:
    rae = team.client("reviewer")
    review = team.review.review_id
    assert [p["pair"] for p in rae.api("GET", f"/api/v1/reviews/{review}/duplicates").json()] == [team.pair_id]
    started = rae.api("POST", f"/api/v1/reviews/{review}/duplicates/run")
    assert started.status_code == 200
    job = rae.api("GET", f"/api/v1/reviews/{review}/jobs/{started.json()['job']}").json()
    assert job["kind"] == "dedup" and job["state"] == "done" and "summary" in job["result"]
    assert rae.api("GET", f"/api/v1/reviews/{review}/jobs/no-such-job").status_code == 404
    events = rae.api("GET", f"/api/v1/reviews/{review}/activity?action=dedup").json()
    assert events["total"] >= 1 and events["events"][0]["actor"] == "rae"


def test_api_undo_withdraws_the_caller_s_decision(team: Team) -> None:
    rae = team.client("reviewer")
    review, rid = team.review.review_id, team.record_ids[0]
    assert (
        rae.api("POST", f"/api/v1/reviews/{review}/decisions", {"record_id": rid, "decision": "maybe"}).status_code
        == 200
    )
    assert rae.api("POST", f"/api/v1/reviews/{review}/decisions/{rid}/undo").json()["withdrawn"]
    assert rae.api("GET", f"/api/v1/reviews/{review}/decisions/{rid}").json() == {}
    assert rae.api("POST", f"/api/v1/reviews/{review}/decisions/{rid}/undo").status_code == 400


def test_dashboard_shows_the_default_stopping_rule_s_estimate_as_the_cli_does(team: Team) -> None:
    import html

    from realist.screen.queue import stopping_estimate
    from realist.screen.stopping import DEFAULT_RULE

    rae, ren = team.client("reviewer"), team.client("reviewer2")
    for i, rid in enumerate(team.record_ids[:6]):
        for client in (rae, ren):  # both agree: each record settles
            _decide(client, team, rid, "include" if i % 3 == 0 else "exclude")
    estimate = stopping_estimate(team.review)
    assert estimate.rule == DEFAULT_RULE and estimate.screened == 6
    owner = team.client("owner")
    page = owner.get(f"/reviews/{team.review.review_id}").text
    assert html.escape(estimate.explanation) in page
    # In plain words too, in the reader's language, with the estimate's own numbers.
    assert estimate.recommendation == "continue"
    if estimate.records_to_screen is not None:
        n = estimate.records_to_screen
        assert f"Screen about {n} more record{'s' if n != 1 else ''} before stopping." in page
    else:
        assert "are not yet enough for the stopping rule to say how many more are needed" in page
    assert owner.post("/language", {"language": "fr", "next": "/"}).status_code == 303
    page = html.unescape(owner.get(f"/reviews/{team.review.review_id}").text)
    assert "Quand pouvons-nous arrêter ?" in page
    if estimate.records_to_screen is not None:
        assert f"Sélectionnez encore environ {estimate.records_to_screen} référence" in page
    else:
        assert "ne suffisent pas encore pour que la règle d’arrêt dise combien" in page
    assert f"{estimate.relevant_found} références pertinentes" in page
    from click.testing import CliRunner

    out = (
        CliRunner()
        .invoke(
            cli, ["--review", str(team.review.path), *_db(team), "screen", "progress", "--json"], catch_exceptions=False
        )
        .output
    )
    progress = json.loads(out[out.index("{") :])
    assert progress["stopping"]["rule"] == DEFAULT_RULE
    assert progress["stopping"]["explanation"] == estimate.explanation
