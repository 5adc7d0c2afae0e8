"""Coding in the web app: the reader, excerpts by offsets or quote, memos, the second coder,
the codebook page and the coding API (SQLite and PostgreSQL through the ``team`` fixture)."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from sqlalchemy import select
from web_support import TEAM, Team

from realist.code import add_study, install_template, list_codings, list_excerpts, load_codebook
from realist.code.codebook import codebook_to_csv
from realist.code.qdc import codebook_from_qdc
from realist.store.models import Event
from realist.web.pages_coding import segments

# The first record's full text in the team fixture, as attached there.
FIRST_TEXT = "Full text of the first record: peer educators in Kyiv."


def _study(team: Team, key: str = "first2000") -> str:
    add_study(team.review, team.record_ids[0], key=key)
    install_template(team.review)
    return key


def _events(team: Team, action: str) -> list[Event]:
    with team.review.session() as session:
        return list(
            session.scalars(select(Event).where(Event.review_id == team.review.review_id, Event.action == action))
        )


def test_segments_cut_at_pages_and_overlapping_codings() -> None:
    text = "abcdef\fghij"
    segs = segments(text, [[1, 0, None], [2, 7, "117"]], [(1, 4, 10), (3, 9, 11)])
    assert "".join(s.text for s in segs) == text
    coded = [(s.text, s.codings) for s in segs if s.page is None]
    assert coded == [("a", []), ("bc", [10]), ("d", [10, 11]), ("ef\f", [11]), ("gh", [11]), ("ij", [])]
    marks = [(s.page, s.label, s.start) for s in segs if s.page is not None]
    assert marks == [(1, None, 0), (2, "117", 7)]


def test_segment_html_escapes_text_and_keeps_carriage_returns() -> None:
    (seg,) = segments("<b>x</b>\r\n", [], [])
    assert str(seg.html) == "&lt;b&gt;x&lt;/b&gt;&#13;\n"


def test_reader_shows_the_study_text_for_selection(team: Team) -> None:
    key = _study(team)
    page = team.client("viewer").get(f"/reviews/{team.review.review_id}/studies/{key}/read")
    assert page.status_code == 200
    box = re.search(r'<div class="codetext" id="text-\d+-fulltext"[^>]*>(.*?)</div>', page.text, re.S)
    assert box, page.text
    assert html.unescape(re.sub(r"<[^>]+>", "", box.group(1))) == FIRST_TEXT
    assert 'id="codeform"' not in page.text  # a viewer reads, does not code


def test_coding_a_selection_stores_the_excerpt_the_cli_would(team: Team) -> None:
    key = _study(team)
    rae = team.client("reviewer")
    start = FIRST_TEXT.index("peer educators")
    end = start + len("peer educators")
    record = team.record_ids[0]
    response = rae.post(
        f"/reviews/{team.review.review_id}/studies/{key}/codings",
        {
            "start": str(start),
            "end": str(end),
            "text": f"{record}:fulltext",
            "quote": "peer educators",
            "codes": ["bridging", "role-model"],
            "memo": "Peers bridge to services.",
        },
    )
    assert response.status_code == 303, response.text
    codings = list_codings(team.review, study=key)
    assert {c.code for c in codings} == {"bridging", "role-model"}
    assert {c.coder for c in codings} == {TEAM["reviewer"]}
    assert {c.memo for c in codings} == {"Peers bridge to services."}
    (excerpt,) = list_excerpts(team.review, study=key)
    assert (excerpt.record_id, excerpt.source, excerpt.start, excerpt.end) == (record, "fulltext", start, end)
    assert excerpt.text == "peer educators"
    # The CLI's call (`realist code apply --excerpt-start --excerpt-end --in fulltext`) finds the same excerpt.
    from realist.code import apply_code

    cli_coding = apply_code(
        team.review, key, "community-knowledge", coder="olu", start=start, end=end, source="fulltext"
    )
    assert cli_coding.excerpt is not None and cli_coding.excerpt.id == excerpt.id
    # The coded span is highlighted in the reader, built from the stored offsets.
    page = rae.get(f"/reviews/{team.review.review_id}/studies/{key}/read")
    mark = re.search(r'<mark class="coded[^"]*" data-start="(\d+)"[^>]*>([^<]*)</mark>', page.text)
    assert mark and int(mark.group(1)) == start and mark.group(2) == "peer educators"


def test_coding_by_quote_works_without_javascript(team: Team) -> None:
    key = _study(team)
    rae = team.client("reviewer")
    response = rae.post(
        f"/reviews/{team.review.review_id}/studies/{key}/codings", {"quote": "in  Kyiv", "codes": "criminalisation"}
    )
    assert response.status_code == 303
    (excerpt,) = list_excerpts(team.review, study=key)
    assert excerpt.text == "in Kyiv"
    assert excerpt.start == FIRST_TEXT.index("in Kyiv")


@pytest.mark.parametrize(
    "form, message",
    [
        ({"quote": "peer educators", "codes": ["bridging", "no-such-code"]}, "unknown code"),
        ({"quote": "peer educators", "codes": ["bridging", "mechanisms"]}, "not codable"),
        ({"quote": "not in the text at all", "codes": "bridging"}, "is not in the"),
        ({"start": "5", "end": "9999", "codes": "bridging"}, "lies outside"),
        ({"codes": "bridging"}, "select text"),
        ({"quote": "Kyiv", "whole": "1", "codes": "bridging"}, "choose one"),
        ({"quote": "peer educators"}, "choose at least one code"),
    ],
)
def test_bad_coding_is_refused_and_nothing_is_stored(team: Team, form: dict[str, Any], message: str) -> None:
    key = _study(team)
    response = team.client("reviewer").post(f"/reviews/{team.review.review_id}/studies/{key}/codings", form)
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    if form.get("quote"):  # the reader comes back with what was typed, to correct it
        assert f'name="quote" rows="3">{form["quote"]}</textarea>' in response.text
    assert list_codings(team.review, study=key) == []
    assert list_excerpts(team.review, study=key) == []


def test_second_coder_validates_and_disagreements_are_listed(team: Team) -> None:
    key = _study(team)
    rid = team.review.review_id
    rae, ren = team.client("reviewer"), team.client("reviewer2")
    rae.post(f"/reviews/{rid}/studies/{key}/codings", {"quote": "peer educators", "codes": ["bridging", "role-model"]})
    bridging, role_model = sorted(list_codings(team.review, study=key), key=lambda c: c.code)
    # The coder cannot validate their own coding, and the page shows them no validation form for it.
    own = rae.post(f"/reviews/{rid}/codings/{bridging.id}/validate", {"verdict": "agree"})
    assert own.status_code == 400 and "second coder" in html.unescape(own.text)
    assert (
        f'action="/reviews/{rid}/codings/{bridging.id}/validate"'
        not in rae.get(f"/reviews/{rid}/studies/{key}/read").text
    )
    assert (
        f'action="/reviews/{rid}/codings/{bridging.id}/validate"' in ren.get(f"/reviews/{rid}/studies/{key}/read").text
    )
    assert ren.post(f"/reviews/{rid}/codings/{bridging.id}/validate", {"verdict": "agree"}).status_code == 303
    response = ren.post(
        f"/reviews/{rid}/codings/{role_model.id}/validate", {"verdict": "dispute", "note": "Not a role model here."}
    )
    assert response.status_code == 303
    status = {c.code: c.status for c in list_codings(team.review, study=key)}
    assert status == {"bridging": "agreed", "role-model": "disputed"}
    page = team.client("viewer").get(f"/reviews/{rid}/coding/agreement")
    assert page.status_code == 200
    row = re.search(r'<tr id="agreement-role-model">(.*?)</tr>', page.text, re.S)
    assert row and "0%" in row.group(1)
    assert re.search(r'<tr id="agreement-bridging">.*?100%.*?</tr>', page.text, re.S)
    disputed = re.search(r'<h2 id="disputed">(.*?)</ul>\s*</li>', page.text, re.S)
    assert disputed and "Not a role model here." in disputed.group(1) and "Bridging" not in disputed.group(1)
    assert len(_events(team, "coding.validated")) == 2


def test_memos_on_codings_and_studies_are_kept_and_logged(team: Team) -> None:
    key = _study(team)
    rid = team.review.review_id
    rae, ren = team.client("reviewer"), team.client("reviewer2")
    rae.post(f"/reviews/{rid}/studies/{key}/codings", {"quote": "Kyiv", "codes": "criminalisation", "memo": "first"})
    (coding,) = list_codings(team.review, study=key)
    assert rae.post(f"/reviews/{rid}/codings/{coding.id}/memo", {"memo": "second thoughts"}).status_code == 303
    refused = ren.post(f"/reviews/{rid}/codings/{coding.id}/memo", {"memo": "not mine"})
    assert refused.status_code == 400
    (coding,) = list_codings(team.review, study=key)
    assert coding.memo == "second thoughts"
    (event,) = _events(team, "coding.memo")
    assert event.actor == TEAM["reviewer"]
    assert ren.post(f"/reviews/{rid}/studies/{key}/memo", {"memo": "Ethnography; <b>Kyiv</b>"}).status_code == 303
    page = ren.get(f"/reviews/{rid}/studies/{key}/read")
    assert "Ethnography; &lt;b&gt;Kyiv&lt;/b&gt;" in page.text
    updates = _events(team, "study.updated")
    assert updates and updates[-1].actor == TEAM["reviewer2"]


def test_codebook_edits_by_the_owner(team: Team) -> None:
    key = _study(team)
    rid = team.review.review_id
    olu = team.client("owner")
    team.client("reviewer").post(f"/reviews/{rid}/studies/{key}/codings", {"quote": "Kyiv", "codes": "bridging"})
    added = olu.post(
        f"/reviews/{rid}/codebook/add",
        {"name": "Peer navigation", "parent": "mechanisms", "definition": "Peers guide people through services."},
    )
    assert added.status_code == 303
    book = load_codebook(team.review)
    code = book.require("peer-navigation")
    assert (code.parent, code.kind) == ("mechanisms", "mechanism")
    # Rename and move: the id stays, so codings keep pointing at the code.
    moved = olu.post(
        f"/reviews/{rid}/codebook/codes/bridging",
        {"name": "Bridging to services", "parent": "peer-navigation", "kind": ""},
    )
    assert moved.status_code == 303
    book = load_codebook(team.review)
    assert book.require("bridging").name == "Bridging to services"
    assert book.require("bridging").parent == "peer-navigation"
    assert list_codings(team.review, study=key)[0].code_name == "Bridging to services"
    # A code may not move under its own child.
    loop = olu.post(f"/reviews/{rid}/codebook/codes/peer-navigation", {"name": "Peer navigation", "parent": "bridging"})
    assert loop.status_code == 400 and "under itself" in html.unescape(loop.text)
    # Deleting: refused while in use or with children; allowed otherwise.
    before = load_codebook(team.review).to_list()
    in_use = olu.post(f"/reviews/{rid}/codebook/codes/bridging/delete")
    assert in_use.status_code == 400 and "in use by 1 coding" in html.unescape(in_use.text)
    parent = olu.post(f"/reviews/{rid}/codebook/codes/peer-navigation/delete")
    assert parent.status_code == 400 and "child code" in html.unescape(parent.text)
    assert load_codebook(team.review).to_list() == before
    assert olu.post(f"/reviews/{rid}/codebook/codes/advocacy/delete").status_code == 303
    assert "advocacy" not in load_codebook(team.review)
    actions = [e.action for e in _events(team, "codebook.code_added") + _events(team, "codebook.code_removed")]
    assert actions == ["codebook.code_added", "codebook.code_removed"]


def test_codebook_export_and_import_round_trip(team: Team) -> None:
    _study(team)
    rid = team.review.review_id
    olu = team.client("owner")
    exported = olu.get(f"/reviews/{rid}/codebook/export?format=qdc")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    original = load_codebook(team.review)
    assert codebook_from_qdc(exported.content).to_list() == original.to_list()
    csv_text = olu.get(f"/reviews/{rid}/codebook/export?format=csv").text
    assert csv_text == codebook_to_csv(original)
    # Import a shorter CSV, then the exported .qdc back: the codebook is as it was.
    small = b"id,parent,name,kind\nonly-code,,Only code,context\n"
    response = olu.post(
        f"/reviews/{rid}/codebook/import", files=[("file", ("small.csv", io.BytesIO(small), "text/csv"))]
    )
    assert response.status_code == 303
    assert [c.id for c in load_codebook(team.review)] == ["only-code"]
    response = olu.post(
        f"/reviews/{rid}/codebook/import",
        files=[("file", ("codebook.qdc", io.BytesIO(exported.content), "application/xml"))],
    )
    assert response.status_code == 303
    assert load_codebook(team.review).to_list() == original.to_list()
    bad = olu.post(
        f"/reviews/{rid}/codebook/import",
        files=[("file", ("broken.qdc", io.BytesIO(b"<Codebook><Codes>"), "application/xml"))],
    )
    assert bad.status_code == 422 and "broken.qdc" in html.unescape(bad.text)
    assert load_codebook(team.review).to_list() == original.to_list()


def test_codebook_page_shows_edit_forms_to_owners_only(team: Team) -> None:
    _study(team)
    rid = team.review.review_id
    owner_page = team.client("owner").get(f"/reviews/{rid}/codebook")
    reviewer_page = team.client("reviewer").get(f"/reviews/{rid}/codebook")
    assert f'action="/reviews/{rid}/codebook/add"' in owner_page.text
    assert "/codebook/add" not in reviewer_page.text
    assert 'id="code-bridging"' in reviewer_page.text


def test_coding_api_by_offsets_and_validation(team: Team) -> None:
    key = _study(team)
    rid = team.review.review_id
    rae, ren = team.client("reviewer"), team.client("reviewer2")
    texts = rae.api("GET", f"/api/v1/reviews/{rid}/studies/{key}/texts").json()
    full = next(t for t in texts if t["source"] == "fulltext")
    assert full["text"] == FIRST_TEXT
    start = full["text"].index("Kyiv")
    made = rae.api(
        "POST",
        f"/api/v1/reviews/{rid}/studies/{key}/codings",
        json={"codes": ["criminalisation"], "start": start, "end": start + 4, "source": "fulltext"},
    )
    assert made.status_code == 200, made.text
    (coding,) = made.json()
    assert coding["excerpt"]["text"] == "Kyiv" and coding["coder"] == TEAM["reviewer"]
    own = rae.api("POST", f"/api/v1/reviews/{rid}/codings/{coding['id']}/validations", json={"verdict": "agree"})
    assert own.status_code == 400
    other = ren.api("POST", f"/api/v1/reviews/{rid}/codings/{coding['id']}/validations", json={"verdict": "agree"})
    assert other.status_code == 200 and other.json()["status"] == "agreed"
    agreement = team.client("viewer").api("GET", f"/api/v1/reviews/{rid}/coding/agreement").json()
    assert agreement == [
        {
            "code": "criminalisation",
            "name": load_codebook(team.review).require("criminalisation").name,
            "kind": "context",
            "codings": 1,
            "agreed": 1,
            "disputed": 0,
            "unvalidated": 0,
            "proportion_agreement": 1.0,
        }
    ]


def test_coding_index_lists_studies_and_makes_them_from_included(team: Team) -> None:
    rid = team.review.review_id
    from realist.screen.decisions import decide

    decide(team.review, team.record_ids[1], "include", reviewer=TEAM["owner"], stage="title_abstract")
    decide(team.review, team.record_ids[1], "include", reviewer=TEAM["reviewer"], stage="title_abstract")
    rae = team.client("reviewer")
    assert rae.post(f"/reviews/{rid}/coding/studies").status_code == 303
    page = rae.get(f"/reviews/{rid}/coding")
    assert page.status_code == 200
    from realist.code import list_studies

    studies = list_studies(team.review)
    assert [s.record_ids for s in studies] == [[team.record_ids[1]]]
    assert f"/studies/{studies[0].key}/read" in page.text


def test_coding_the_whole_study_makes_no_excerpt(team: Team) -> None:
    key = _study(team)
    response = team.client("reviewer").post(
        f"/reviews/{team.review.review_id}/studies/{key}/codings", {"whole": "1", "codes": "criminalisation"}
    )
    assert response.status_code == 303
    (coding,) = list_codings(team.review, study=key)
    assert coding.code == "criminalisation" and coding.excerpt is None
    assert list_excerpts(team.review, study=key) == []
