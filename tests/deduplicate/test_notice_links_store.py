"""Notice links in the review store: linked, never merged, retractions loud.

Runs on SQLite and (with REALIST_TEST_DATABASE_URL) PostgreSQL.
"""

from __future__ import annotations

import json

from realist.code import studies as st
from realist.deduplicate.store import notice_links, run_dedup
from realist.identify import import_records
from realist.inventory import list_records
from realist.records import RecordData
from realist.report.build import assemble
from realist.report.render_html import render_html
from realist.report.render_md import render_md
from realist.review import open_review
from realist.screen import decisions as d

TITLE = "Peer navigation and HIV viral suppression among people who inject drugs"


def _article(**fields):
    base = dict(
        title=TITLE,
        authors=["Smith, John", "Okafor, Ada"],
        year=2019,
        journal="Journal of the International AIDS Society",
        volume="22",
        issue="4",
        pages="e25201",
        doi="10.1002/jia2.25201",
    )
    base.update(fields)
    return RecordData(**base)


def _import(review):
    records = [
        _article(),  # the article
        _article(doi=None, journal="J Int AIDS Soc", pages="e25201"),  # its copy from another database
        _article(
            title="Retraction notice to: " + TITLE,
            year=2021,
            issue="2",
            pages="e25777",
            doi="10.1002/jia2.25777",
            authors=[],
        ),  # a retraction notice
        _article(title="Erratum: " + TITLE, year=2020, issue="1", pages="e25400", doi=None),  # an erratum
    ]
    import_records(review, records, source="search", kind="database")
    return sorted(r["id"] for r in list_records(review))


def test_notices_are_linked_with_their_kind_and_never_merged(review):
    article, copy, retraction, erratum = _import(review)
    summary = run_dedup(review)
    assert summary.groups == 1 and summary.duplicates == 1
    links = {(n["notice"], n["article"], n["kind"]) for n in notice_links(review)}
    assert {
        (retraction, article, "retraction"),
        (retraction, copy, "retraction"),
        (erratum, article, "erratum"),
        (erratum, copy, "erratum"),
    } == links
    rows = {r["id"]: r for r in list_records(review)}
    assert rows[retraction]["duplicate_of"] is None and rows[erratum]["duplicate_of"] is None
    # a second run changes nothing and keeps the links
    again = run_dedup(review)
    assert again.new_merges == 0 and again.notices == [] and len(notice_links(review)) == 4


def test_a_retracted_article_is_flagged_in_the_records_listing(review):
    article, copy, retraction, erratum = _import(review)
    run_dedup(review)
    rows = {r["id"]: r for r in list_records(review)}
    assert rows[article]["retracted"] and rows[copy]["retracted"]
    assert rows[retraction]["retracted"] is None and rows[erratum]["retracted"] is None
    assert {"record": retraction, "kind": "retraction", "role": "notice"} in rows[article]["notices"]
    assert sorted((n["record"], n["kind"], n["role"]) for n in rows[erratum]["notices"]) == [
        (article, "erratum", "article"),
        (copy, "erratum", "article"),
    ]


def test_records_listed_by_id_say_retracted_as_the_whole_listing_does(review):
    """The screening page lists one record by id: retraction found through its group still shows."""
    article, copy, _retraction, _erratum = _import(review)
    import_records(
        review, [RecordData(title="RETRACTED: Peer outreach and naloxone uptake", year=2018)], source="other"
    )
    run_dedup(review)
    whole = {r["id"]: r["retracted"] for r in list_records(review)}
    assert whole[article] and whole[copy] and any(why and "title says" in why for why in whole.values())
    for rid, why in whole.items():
        assert list_records(review, ids=[rid])[0]["retracted"] == why


def test_records_command_shouts_retracted_and_shows_notice_links(run):
    handle = open_review(run.path, database_url=run.database_url, actor="tester")
    try:
        article, copy, _retraction, _erratum = _import(handle)
    finally:
        handle.close()
    out = run.ok("dedup").output
    assert "RETRACTED: record" in out and "never merged" in out
    listing = run.ok("records")
    assert "*** RETRACTED ***" in listing.output
    assert "erratum notice of" in listing.output
    assert "WARNING: 2 record(s) report a RETRACTED article" in listing.output
    data = json.loads(run.ok("records", "--json").output)
    flagged = sorted(r["id"] for r in data if r["retracted"])
    assert flagged == sorted([article, copy])
    status = run.ok("status")
    assert "WARNING: 2 record(s) report a RETRACTED article" in status.output
    assert [r["record"] for r in json.loads(run.ok("status", "--json").output)["retracted"]] == flagged


def test_report_flags_an_included_study_whose_article_is_retracted(review):
    article, _copy, _retraction, _erratum = _import(review)
    run_dedup(review)
    d.decide(review, article, "include", reviewer="ana", stage="title_abstract")
    st.studies_from_included(review)
    report = assemble(review)
    assert report.data.warnings and "RETRACTED" in report.data.warnings[0]
    assert report.studies_table.rows[0][1].startswith("RETRACTED.")
    md = render_md(report)
    assert "> **Warning**" in md and "RETRACTED" in md
    page = render_html(report)
    assert 'role="alert"' in page and "RETRACTED" in page
