"""Every real export in ../shared/data/exports imports as its manifest says.

Each file is imported into a review store, on SQLite and on PostgreSQL when
``REALIST_TEST_DATABASE_URL`` is set (the ``review`` fixture), and the
records are read back from the store.  The manifest's
``approx_record_count`` is exact for every file here (checked against the
files' own record markers), so counts are compared exactly.  The Web of
Science file with a damaged header is refused and changes nothing; the one
that lacks only its final ``EF`` line imports with a warning.
"""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from realist.errors import ImportFormatError
from realist.identify import import_file
from realist.inventory import list_records, review_status, to_record_data
from realist.records import RecordData
from realist.review import ReviewHandle
from realist.store.models import Record

from support import SHARED, shared_path

EXPORTS = SHARED / "data" / "exports"
BROKEN = {
    "wos_plaintext/ropensci-refsplitr__BadHeader.txt": "no 'FN' header line",
}
# Imported, with a warning that says what was wrong.
WARNED = {
    "wos_plaintext/UWNETLAB-metaknowledge__badFile.isi": "ends without the 'EF' end-of-file line",
}
FAMILIES = {"biblatex": {"biblatex", "bibtex"}, "bibtex": {"bibtex", "biblatex"}}


def _manifest() -> list[dict[str, str]]:
    path = EXPORTS / "MANIFEST.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = _manifest()


@pytest.fixture(autouse=True)
def _need_exports(shared):
    shared_path("data", "exports", "MANIFEST.csv")


@pytest.mark.parametrize("row", ROWS or [None], ids=lambda r: r["file"] if r else "absent")
def test_real_export_imports_as_manifest_says(row, review: ReviewHandle):
    path = EXPORTS / row["file"]
    if row["file"] in BROKEN:
        with pytest.raises(ImportFormatError) as info:
            import_file(review, path)
        assert row["file"].split("/")[-1] in str(info.value)
        assert BROKEN[row["file"]] in str(info.value)
        assert review_status(review).records == 0 and not review_status(review).sources
        return
    result = import_file(review, path)
    assert result.format in FAMILIES.get(row["format"], {row["format"]})
    expected = int(row["approx_record_count"])
    assert result.records == expected
    if row["file"] in WARNED:
        assert any(WARNED[row["file"]] in w for w in result.warnings), result.warnings
    stored = list_records(review)
    assert len(stored) == expected
    titled = sum(1 for r in stored if r["title"])
    assert titled >= 0.95 * len(stored)
    if "DOI" in row["quirks"] or "DOIs" in row["quirks"]:
        assert any(r["doi"] for r in stored)


def _stored(review: ReviewHandle, name: str) -> list[RecordData]:
    """The records of one export as the store gives them back."""
    import_file(review, EXPORTS / name)
    with review.session() as session:
        rows = session.scalars(select(Record).where(Record.review_id == review.review_id).order_by(Record.id))
        return [to_record_data(r) for r in rows]


def test_endnote_xml_dois_from_electronic_resource_num(review):
    records = _stored(review, "endnote_xml/IEBH-dedupe-sweep__tafenoquine.xml")
    assert sum(1 for r in records if r.doi) == 156
    assert records[0].title == "8-Aminoquinoline Therapy for Latent Malaria"
    assert records[0].authors == ["Baird, J. K."]


def test_scopus_old_layout_authors_and_doi(review):
    first = _stored(review, "scopus_csv/NLeSC-litstudy__scopus.csv")[0]
    assert first.title == "Scalable molecular dynamics with NAMD"
    assert first.doi == "10.1002/jcc.20289"
    assert first.authors[:2] == ["Phillips, J.C.", "Braun, R."]
    assert first.pages == "1781-1802"
    assert first.issn == "0192-8651"


def test_rayyan_ris_keywords_one_per_untagged_line(review):
    first = _stored(review, "ris/asreview-asreview__ris_issue_992.txt")[0]
    assert first.keywords[:3] == ["Health Facility Administration", "Joint Commission", "Standards"]
    assert len(first.keywords) == 13


def test_cr_only_ebsco_ris(review):
    records = _stored(review, "ris/sysrev-sysrev__ERIC_ebsco_1232020_crl_assessment.txt")
    assert all(r.title and "\r" not in r.title for r in records)


def test_openalex_api_list_rebuilds_abstracts_and_references(review):
    records = _stored(
        review, "openalex_json/front-matter-commonmeta-py__test_get_random_id_from_openalex__interaction1.json"
    )
    assert records[0].doi is None
    assert all(r.openalex_id and r.openalex_id.startswith("W") for r in records)
    assert any(r.abstract for r in records)
    assert all(all(w.startswith("W") for w in r.referenced_works) for r in records)


def test_publish_or_perish_title_and_unknown_volume(review):
    first = _stored(review, "publish_or_perish_json/CoLRev-Environment-colrev__google_scholar.json")[0]
    assert first.title.startswith("How Trust Leads to Commitment on Microsourcing Platforms")
    assert first.volume is None and first.authors[0] == "Guo, W"


def test_wos_restoration_first_record(review):
    first = _stored(review, "wos_plaintext/mjwestgate-revtools__restoration_WoS.ciw")[0]
    assert first.title == "Do magnetic phosphorus adsorbents used for lake restoration impact on zooplankton community?"
    assert first.authors[0] == "Alvarez-Manzaneda, I."
    assert first.journal == "SCIENCE OF THE TOTAL ENVIRONMENT"


def test_mendeley_bibtex_empty_keys_are_kept_as_records(review):
    records = _stored(review, "bibtex/retorquere-zotero-better-bibtex__web_page_and_other_mendeley_idiocy.bib")
    assert sum(1 for r in records if r.source_record_id is None) == 37
