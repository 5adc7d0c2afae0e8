"""Study pages, CMO configurations and the programme theory, in process, on each backend.

The reference review (``realist example peer-harm-reduction``) is served and
its pages are compared with the library's own answers (list_studies,
language_summary, list_cmocs, programme_theory, and the report's
programme-theory figure), never with numbers written here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from web_support import PASSWORD, TEAM, Client, Team, coding_setup

from realist.review import ReviewHandle

STUDY = "first2000"  # the study of web_support.coding_setup (the team's first record)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def reference(store: ReviewHandle, tmp_path: Path, database_url: str | None) -> Iterator[tuple[ReviewHandle, Any]]:
    """The reference review, served, with an owner and a viewer."""
    from realist import accounts
    from realist.example import build_example
    from realist.web import WebStore, create_app

    handle = build_example(tmp_path / "example", database_url=database_url)
    try:
        for role in ("owner", "viewer"):
            accounts.add_user(handle.engine, TEAM[role], PASSWORD)
            accounts.add_member(handle, TEAM[role], role)
        app = create_app(WebStore(handle.engine, {handle.review_id: handle.path}), immediate_jobs=True)
        yield handle, app
    finally:
        handle.close()


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment (tags dropped, entities decoded, spaces squeezed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _section(page: str, start: str, end: str = "</table>") -> str:
    i = page.index(start)
    return page[i : page.index(end, i)]


# ---------------------------------------------------------------- the reference review


def test_reference_studies_page_lists_every_study_with_its_language_judgement(reference: Any) -> None:
    from realist.appraise.store import language_summary
    from realist.code.studies import list_studies

    review, app = reference
    page = Client(app, TEAM["viewer"]).get(f"/reviews/{review.review_id}/studies")
    assert page.status_code == 200
    studies = list_studies(review)
    body = _section(page.text, "<tbody>", "</tbody>")
    rows = body.split("<tr>")[1:]
    assert len(rows) == len(studies)
    judged = {row["study_id"]: row for row in language_summary(review)}
    for row, study in zip(rows, studies):
        assert f'/studies/{study.id}"' in row
        assert study.key in row
        assert ", ".join(study.countries) in _text(row)
        lang = judged[study.id]
        if lang["classification"]:
            assert lang["classification"] in _text(row)


def test_reference_study_page_shows_characteristics_reports_and_cmocs(reference: Any) -> None:
    from realist.code.cmoc import list_cmocs
    from realist.code.studies import get_study
    from realist.inventory import list_records

    review, app = reference
    cmoc = list_cmocs(review, level="study")[0]
    study = get_study(review, cmoc.study_id)
    page = Client(app, TEAM["viewer"]).get(f"/reviews/{review.review_id}/studies/{study.id}")
    assert page.status_code == 200
    text = _text(page.text)
    assert study.design and study.design in text
    assert ", ".join(study.countries) in text
    assert str(study.ref_number) in text
    for record in list_records(review, ids=study.record_ids):
        assert record.title and _text(html.escape(record.title)) in text
    assert _text(html.escape(cmoc.statement)) in text
    assert f"/reviews/{review.review_id}/studies/{study.id}/read" in page.text  # the reader (coding pages)
    assert "Save characteristics" not in page.text  # a viewer reads only


def test_reference_theory_page_draws_the_report_graph_and_counts_each_link(reference: Any) -> None:
    from realist.code.cmoc import programme_theory
    from realist.report.collect import collect
    from realist.report.plots import theory_graph

    review, app = reference
    page = Client(app, TEAM["viewer"]).get(f"/reviews/{review.review_id}/theory")
    assert page.status_code == 200
    data = collect(review)
    figure = theory_graph(data.cmocs, data.studies)  # the report's figure, drawn by matplotlib
    edges = figure.data["edges"]
    drawn = re.findall(r'<a href="[^"]*" class="edge[^"]*" aria-label="([^"]*)"', page.text)
    assert len(drawn) == len(edges)
    labels = {html.unescape(a) for a in drawn}
    for e in edges:
        assert f"{e['from']} to {e['to']}: {len(e['studies'])} studies" in labels
    nodes = sum(len(v) for v in figure.data["nodes"].values())
    assert len(re.findall(r'class="node (context|mechanism|outcome)', page.text)) == nodes
    table = _section(page.text, 'class="theory-links"')
    assert table.count("<tr>") - 1 == len(edges)  # the same links as a table
    chains = _section(page.text, 'id="chains"')
    assert chains.count("<tr>") - 1 == len(programme_theory(review).groups)


def test_choosing_an_edge_shows_the_studies_whose_configurations_join_it(reference: Any) -> None:
    from realist.code.cmoc import list_cmocs

    review, app = reference
    client = Client(app, TEAM["viewer"])
    cmocs = list_cmocs(review, level="study")
    mechanism = cmocs[0].codes("mechanism")[0]
    outcome = cmocs[0].codes("outcome")[0]
    behind = [c for c in cmocs if mechanism in c.codes("mechanism") and outcome in c.codes("outcome")]
    edge = f"mechanism:{mechanism},outcome:{outcome}"
    page = client.get(f"/reviews/{review.review_id}/theory?{urlencode({'edge': edge})}")
    assert page.status_code == 200
    evidence = _section(page.text, 'id="evidence"', "</section>")
    assert len(re.findall(r'href="/reviews/\d+/cmocs/(\d+)"', evidence)) == len(behind)
    for c in behind:
        assert f'/reviews/{review.review_id}/studies/{c.study_id}"' in evidence
    assert client.get(f"/reviews/{review.review_id}/theory?node=nonsense").status_code == 400


# ---------------------------------------------------------------- editing a study


@pytest.fixture
def team(team: Team) -> Team:
    """The team's review with the coding routes' study, the realist codebook and one CMOC of that study."""
    from realist.code.cmoc import add_cmoc

    add_cmoc(
        team.review,
        coding_setup(team).study,
        intervention="harm-reduction-education",
        mechanism="trust-empathy-commitment",
        outcome="access-acceptability-quality",
        statement="Peer educators are trusted, so more people use the service.",
    )
    return team


def test_writer_edits_characteristics_and_bad_input_changes_nothing(team: Team) -> None:
    from realist.code.studies import get_study

    rid = team.review.review_id
    client = team.client("reviewer")
    url = f"/reviews/{rid}/studies/{STUDY}"
    ok = client.post(
        url, {"design": "Qualitative", "countries": "ken, VNM", "data_years": "2014, 2015", "ref_number": "7"}
    )
    assert ok.status_code == 303
    study = get_study(team.review, STUDY)
    assert (study.design, study.countries, study.data_years, study.ref_number) == (
        "Qualitative",
        ["KEN", "VNM"],
        [2014, 2015],
        7,
    )
    bad = client.post(url, {"design": "Cohort", "countries": "Kenya"})
    assert bad.status_code == 400
    assert "ISO 3166-1 alpha-3" in bad.text and "KENYA" in bad.text
    assert get_study(team.review, STUDY).design == "Qualitative"  # nothing changed
    bad_year = client.post(url, {"year": "twenty"})
    assert bad_year.status_code == 400 and "year must be a whole number" in bad_year.text


def test_link_record_and_studies_from_included(team: Team) -> None:
    from realist.code.studies import get_study, list_studies
    from realist.screen.decisions import decide

    rid = team.review.review_id
    owner = team.client("owner")
    assert owner.post(f"/reviews/{rid}/studies/{STUDY}/link", {"record_id": str(team.record_ids[1])}).status_code == 303
    assert team.record_ids[1] in get_study(team.review, STUDY).record_ids
    again = owner.post(f"/reviews/{rid}/studies/{STUDY}/link", {"record_id": str(team.record_ids[1])})
    assert again.status_code == 400 and "already a report" in again.text
    decide(team.review, team.record_ids[2], "include", reviewer="olu")
    before = len(list_studies(team.review))
    made = owner.post(f"/reviews/{rid}/studies/from-included")
    assert made.status_code == 303
    assert len(list_studies(team.review)) == before + 1
    listing = owner.get(made.headers["location"])
    assert "1 studies made from the included records" in listing.text


# ---------------------------------------------------------------- language and rigour


def test_language_hits_are_highlighted_in_context_and_escaped(team: Team) -> None:
    from realist.appraise.store import language_in_context, language_summary
    from realist.code.studies import link_record, update_study
    from realist.fulltext import add_fulltext_bytes

    review = team.review
    rid = review.review_id
    update_study(review, STUDY, label=HOSTILE)
    text = f"Methods. We interviewed addicts {HOSTILE} and people who inject drugs in Kyiv about services."
    link_record(review, STUDY, team.record_ids[3])  # a second report, with a hostile full text
    add_fulltext_bytes(review, team.record_ids[3], "hostile.txt", text.encode())
    client = team.client("reviewer")
    assert client.post(f"/reviews/{rid}/studies/{STUDY}/language").status_code == 303
    page = client.get(f"/reviews/{rid}/studies/{STUDY}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;" in page.text
    hits = [h for t in language_in_context(review, STUDY)["texts"] for h in t["hits"]]
    assert hits
    marks = re.findall(r"<mark>(.*?)</mark>", page.text)
    assert [html.unescape(m) for m in marks] == [h["matched"] for h in hits]
    assert any(h["matched"] == "addicts" for h in hits)
    tool = language_summary(review)[0]["tool_classification"]
    override = "person-first" if tool != "person-first" else "mixed"
    note = f"the authors quote a source {HOSTILE}"
    done = client.post(f"/reviews/{rid}/studies/{STUDY}/language/judgement", {"classification": override, "note": note})
    assert done.status_code == 303
    row = next(r for r in language_summary(review) if r["key"] == STUDY)
    assert (row["classification"], row["source"], row["note"]) == (override, "person", note)
    shown = client.get(f"/reviews/{rid}/studies/{STUDY}")
    i = shown.text.find("<img src=x")
    assert i < 0, shown.text[i - 300 : i + 100]
    assert note in html.unescape(shown.text)
    bad = client.post(f"/reviews/{rid}/studies/{STUDY}/language/judgement", {"classification": "fine"})
    assert bad.status_code == 400 and "classification must be one of" in bad.text


def test_rigour_form_appears_when_the_protocol_declares_appraisal(team: Team) -> None:
    from realist.appraise.rigour import rigour_summary
    from realist.protocol import read_protocol, write_protocol

    review = team.review
    rid = review.review_id
    client = team.client("reviewer")
    assert "Relevance and rigour" not in client.get(f"/reviews/{rid}/studies/{STUDY}").text
    protocol = read_protocol(review.protocol_path)
    protocol["quality_appraisal"] = {"formal": False, "reason": "Realist reviews judge relevance and rigour."}
    write_protocol(review.protocol_path, protocol)
    page = client.get(f"/reviews/{rid}/studies/{STUDY}")
    assert "Relevance and rigour" in page.text and 'name="relevance"' in page.text
    unjustified = client.post(f"/reviews/{rid}/studies/{STUDY}/rigour", {"relevance": "high", "rigour": "low"})
    assert unjustified.status_code == 400 and "justification" in unjustified.text
    assert rigour_summary(review)[0]["relevance"] is None
    ok = client.post(
        f"/reviews/{rid}/studies/{STUDY}/rigour", {"relevance": "high", "rigour": "moderate", "note": "Thick data."}
    )
    assert ok.status_code == 303
    row = rigour_summary(review)[0]
    assert (row["relevance"], row["rigour"], row["note"], row["judged_by"]) == (
        "high",
        "moderate",
        "Thick data.",
        "rae",
    )


# ---------------------------------------------------------------- CMO configurations


def _two_excerpts(team: Team) -> list[int]:
    from realist.code.coding import apply_code

    review = team.review
    a = apply_code(review, STUDY, "trust-empathy-commitment", coder="rae", quote="peer educators")
    b = apply_code(review, STUDY, "access-acceptability-quality", coder="rae", quote="in Kyiv")
    assert a.excerpt and b.excerpt
    return [a.excerpt.id, b.excerpt.id]


def test_build_a_cmoc_from_two_excerpts_and_find_it_in_the_theory(team: Team) -> None:
    from realist.code.cmoc import list_cmocs

    review = team.review
    rid = review.review_id
    first, second = _two_excerpts(team)
    client = team.client("reviewer")
    form = client.get(f"/reviews/{rid}/studies/{STUDY}/cmocs/new")
    assert form.status_code == 200
    assert f'name="excerpts_mechanism" value="{first}"' in form.text
    before = len(list_cmocs(review))
    statement = f"Bridging works {HOSTILE}"
    done = client.post(
        f"/reviews/{rid}/studies/{STUDY}/cmocs",
        {
            "intervention": "direct-services",
            "context": "clinic-environments",
            "mechanism": "bridging",
            "outcome": "stigma-outcome",
            "excerpts_mechanism": [str(first)],
            "excerpts_outcome": [str(second)],
            "statement": statement,
            "stance": "supports",
        },
    )
    assert done.status_code == 303, done.text
    made = list_cmocs(review)[-1]
    assert len(list_cmocs(review)) == before + 1
    assert made.elements["mechanism"][0]["excerpt_ids"] == [first]
    assert made.elements["outcome"][0]["excerpt_ids"] == [second]
    theory = client.get(f"/reviews/{rid}/theory?{urlencode({'edge': 'mechanism:bridging,outcome:stigma-outcome'})}")
    evidence = _section(theory.text, 'id="evidence"', "</section>")
    assert "peer educators" in evidence and "in Kyiv" in evidence
    assert "<script>alert" not in theory.text and statement in html.unescape(theory.text)
    edit = client.post(
        f"/reviews/{rid}/cmocs/{made.id}", {"statement": "Bridging works.", "memo": "", "stance": "contradicts"}
    )
    assert edit.status_code == 303
    changed = list_cmocs(review)[-1]
    assert (changed.statement, changed.stance) == ("Bridging works.", "contradicts")


def test_a_cmoc_without_a_mechanism_is_refused_and_nothing_is_stored(team: Team) -> None:
    from realist.code.cmoc import list_cmocs

    review = team.review
    rid = review.review_id
    first, _ = _two_excerpts(team)
    before = len(list_cmocs(review))
    refused = team.client("owner").post(
        f"/reviews/{rid}/studies/{STUDY}/cmocs",
        {"intervention": "direct-services", "outcome": "stigma-outcome", "statement": "Half a configuration"},
    )
    assert refused.status_code == 400
    assert "needs at least one mechanism" in refused.text
    assert "Half a configuration" in refused.text  # the form keeps what was typed
    wrong = team.client("owner").post(
        f"/reviews/{rid}/studies/{STUDY}/cmocs",
        {
            "intervention": "direct-services",
            "mechanism": "bridging",
            "excerpts_context": [str(first)],
            "outcome": "stigma-outcome",
            "statement": "x",
        },
    )
    assert wrong.status_code == 400 and "no context code" in wrong.text
    assert len(list_cmocs(review)) == before


def test_viewer_reads_cmocs_and_theory_but_sees_no_forms(team: Team) -> None:
    from realist.code.cmoc import list_cmocs

    rid = team.review.review_id
    viewer = team.client("viewer")
    cmoc = list_cmocs(team.review)[0]
    page = viewer.get(f"/reviews/{rid}/cmocs/{cmoc.id}")
    assert page.status_code == 200 and cmoc.statement in html.unescape(page.text)
    assert '<form method="post" action="/reviews/' not in page.text
    listing = viewer.get(f"/reviews/{rid}/cmocs")
    assert listing.text.count("CMO configuration ") >= len(list_cmocs(team.review))
    assert viewer.get(f"/reviews/{rid}/studies/{STUDY}/cmocs/new").status_code == 403
    assert viewer.post(f"/reviews/{rid}/cmocs/{cmoc.id}", {"statement": "changed"}).status_code == 403
    assert list_cmocs(team.review)[0].statement == cmoc.statement


def test_hostile_code_names_stay_text_in_the_theory_graph_and_table(team: Team) -> None:
    from realist.protocol import read_protocol, write_protocol

    review = team.review

    def rename(codes: list[dict[str, Any]]) -> None:
        for code in codes:
            if code["id"] == "trust-empathy-commitment":
                code["name"] = HOSTILE
            rename(code.get("children") or [])

    protocol = read_protocol(review.protocol_path)
    rename(protocol["codebook"])
    write_protocol(review.protocol_path, protocol)
    page = team.client("viewer").get(f"/reviews/{review.review_id}/theory")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    svg = _section(page.text, "<svg", "</svg>")
    assert HOSTILE[:20] in html.unescape(svg)  # drawn, as text
    assert HOSTILE in html.unescape(_section(page.text, 'class="theory-links"'))


def test_a_review_level_statement_is_written_from_study_cmocs(team: Team) -> None:
    from realist.code.cmoc import list_cmocs, programme_theory

    review = team.review
    rid = review.review_id
    client = team.client("reviewer")
    study_cmoc = list_cmocs(review, level="study")[0]
    form = {
        "intervention": ["harm-reduction-education"],
        "mechanism": ["trust-empathy-commitment"],
        "outcome": ["access-acceptability-quality", "stigma-outcome"],
        "based_on": [str(study_cmoc.id)],
        "statement": "Trusted peers widen access.",
    }
    missing = client.post(f"/reviews/{rid}/cmocs", {**form, "mechanism": []})
    assert missing.status_code == 400 and "needs at least one mechanism" in missing.text
    assert list_cmocs(review, level="review") == []
    done = client.post(f"/reviews/{rid}/cmocs", form)
    assert done.status_code == 303
    [statement] = list_cmocs(review, level="review")
    assert statement.based_on == [study_cmoc.id]
    assert statement.codes("outcome") == ["access-acceptability-quality", "stigma-outcome"]
    theory = client.get(f"/reviews/{rid}/theory")
    [expected] = programme_theory(review).statements
    shown = _section(theory.text, 'id="statements"', "</ul>")
    assert f"matches it in every part: {len(expected['supporting_studies'])}" in _text(shown)
