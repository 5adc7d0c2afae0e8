"""The language appraisal stored per study: tool results, person judgements and the summary."""

from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy import select

from realist.appraise import store as ap
from realist.code.studies import add_study
from realist.errors import InvalidInput
from realist.fulltext import add_fulltext
from realist.identify import import_records
from realist.records import RecordData
from realist.store.models import Appraisal, Event, Record


@pytest.fixture
def studies(review, tmp_path):
    import_records(
        review,
        [
            RecordData(
                title="A",
                abstract="We interviewed people who inject drugs and people who use drugs.",
                authors=["Ayon, S."],
                year=2017,
            ),
            RecordData(
                title="B", abstract="Addicts and injecting drug users were recruited.", authors=["Booth, R."], year=2013
            ),
            RecordData(title="C", abstract=None, authors=["Cho, M."], year=2010),
        ],
        source="s",
        kind="other",
    )
    with review.session() as s:
        ids = list(s.scalars(select(Record.id).where(Record.review_id == review.review_id).order_by(Record.id)))
    for rid in ids:
        add_study(review, rid)
    text = tmp_path / "cho.txt"
    text.write_text("Methods.\fThe addicts in this trial were people who inject drugs.\f")
    add_fulltext(review, ids[2], text)
    return review


def test_each_study_is_appraised_from_its_abstract_or_full_text(studies):
    results = {r.key: r for r in ap.appraise_language(studies)}
    assert results["ayon2017"].classification == "person-first"
    assert results["booth2013"].classification == "stigmatising"
    cho = results["cho2010"]
    assert cho.classification == "mixed" and cho.texts == 1
    hit = cho.result["texts"][0]["hits"][0]
    assert (hit["matched"], hit["page"]) == ("addicts", 2)
    with studies.session() as s:
        row = s.get(Appraisal, cho.appraisal_id)
        assert (row.method, row.by, row.kind) == ("lexicon", ap.TOOL, "language")
        assert len(row.details["lexicon_sha256"]) == 64


def test_protocol_lexicon_extensions_apply(studies):
    data = yaml.safe_load(studies.protocol_path.read_text())
    data["language_lexicon"] = {
        "remove": ["L01"],
        "extra": [
            {
                "id": "X01",
                "term": "recruit",
                "pattern": r"\brecruited\b",
                "category": "person_label",
                "stance": "person_first",
                "refers_to_person": "yes",
            }
        ],
    }
    studies.protocol_path.write_text(yaml.safe_dump(data))
    booth = ap.appraise_language(studies, "booth2013")[0]
    assert booth.classification == "mixed"  # 'addicts' no longer counted, 'recruited' counted as person-first
    data["language_lexicon"] = {"remove": ["no-such-term"]}
    studies.protocol_path.write_text(yaml.safe_dump(data))
    with pytest.raises(InvalidInput, match="cannot remove 'no-such-term'"):
        ap.appraise_language(studies)


def test_a_person_judgement_takes_precedence_and_keeps_the_tool_result(studies):
    ap.appraise_language(studies)
    with pytest.raises(InvalidInput, match="classification must be one of"):
        ap.record_judgement(studies, "booth2013", "offensive")
    ap.record_judgement(studies, "booth2013", "mixed", "uses 'IDU' once, person-first elsewhere")
    rows = {r["key"]: r for r in ap.language_summary(studies)}
    assert (rows["booth2013"]["classification"], rows["booth2013"]["source"]) == ("mixed", "person")
    assert rows["booth2013"]["tool_classification"] == "stigmatising"
    assert (rows["ayon2017"]["classification"], rows["ayon2017"]["source"]) == ("person-first", "tool")
    with studies.session() as s:
        actions = [e.action for e in s.scalars(select(Event).where(Event.review_id == studies.review_id))]
    assert actions.count("appraisal.language") == 3 and actions[-1] == "appraisal.judgement"


def test_appraise_commands(run, tmp_path):
    ris = tmp_path / "one.ris"
    ris.write_text("TY  - JOUR\nTI  - A\nAU  - Ayon, S.\nPY  - 2017\nAB  - Addicts were interviewed.\nER  - \n")
    run.ok("import", str(ris), "--source", "s")
    assert run("appraise", "language").exit_code == 1  # no studies yet
    rid = str(json.loads(run.ok("records", "--json").output)[0]["id"])
    run.ok("study", "add", rid, "--ref", "40")
    assert "stigmatising" in run.ok("appraise", "language").output
    run.ok("appraise", "record-judgement", "[40]", "--classification", "person-first", "--note", "checked by hand")
    rows = json.loads(run.ok("appraise", "summary", "--json").output)
    assert rows[0]["classification"] == "person-first" and rows[0]["tool_classification"] == "stigmatising"
    assert "checked by hand" in run.ok("appraise", "summary").output


def test_language_in_context_cuts_each_hit_and_its_surroundings_from_the_text(studies):
    assert ap.language_in_context(studies, "cho2010") == {"appraisal": None, "texts": [], "judgement": None}
    ap.appraise_language(studies)
    ap.record_judgement(studies, "cho2010", "stigmatising", "addicts is the authors' word", by="rae")
    shown = ap.language_in_context(studies, "cho2010", width=10)
    text = "Methods.\fThe addicts in this trial were people who inject drugs.\f"
    hits = shown["texts"][0]["hits"]
    assert [h["matched"] for h in hits] == ["addicts", "people who inject drugs"]
    first = hits[0]
    assert first["before"] == text[max(0, first["start"] - 10) : first["start"]]
    assert first["after"] == text[first["end"] : first["end"] + 10]
    assert not any(h["stale"] for h in hits)
    assert shown["appraisal"]["classification"] == "mixed" and "texts" not in shown["appraisal"]
    assert (shown["judgement"]["classification"], shown["judgement"]["by"]) == ("stigmatising", "rae")


def test_a_hit_whose_text_changed_since_the_appraisal_is_marked_stale(studies):
    ap.appraise_language(studies, "booth2013")
    with studies.session() as s:
        record = s.scalars(select(Record).where(Record.review_id == studies.review_id, Record.title == "B")).one()
        record.abstract = "Clients were recruited from a clinic by peer workers in the city."
    hits = ap.language_in_context(studies, "booth2013")["texts"][0]["hits"]
    assert hits and all(h["stale"] for h in hits)
