"""Every real export in ../shared/data/exports reads as its manifest says.

The manifest's ``approx_record_count`` is exact for every file here (checked
against the files' own record markers), so counts are compared exactly.
The two deliberately broken Web of Science files must be refused.
"""

from __future__ import annotations

import csv

import pytest

from realist.errors import ImportFormatError
from realist.identify.formats import read_file
from support import SHARED, shared_path

EXPORTS = SHARED / "data" / "exports"
BROKEN = {
    "wos_plaintext/UWNETLAB-metaknowledge__badFile.isi": "without the 'EF' end-of-file line",
    "wos_plaintext/ropensci-refsplitr__BadHeader.txt": "no 'FN' header line",
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
def test_real_export_imports_as_manifest_says(row):
    path = EXPORTS / row["file"]
    if row["file"] in BROKEN:
        with pytest.raises(ImportFormatError) as info:
            read_file(path)
        assert row["file"].split("/")[-1] in str(info.value)
        assert BROKEN[row["file"]] in str(info.value)
        return
    parsed = read_file(path)
    assert parsed.format in FAMILIES.get(row["format"], {row["format"]})
    assert len(parsed.records) == int(row["approx_record_count"])
    titled = sum(1 for r in parsed.records if r.title)
    assert titled >= 0.95 * len(parsed.records)
    if "DOI" in row["quirks"] or "DOIs" in row["quirks"]:
        assert any(r.doi for r in parsed.records)


def _read(name: str):
    return read_file(EXPORTS / name).records


def test_endnote_xml_dois_from_electronic_resource_num():
    records = _read("endnote_xml/IEBH-dedupe-sweep__tafenoquine.xml")
    assert sum(1 for r in records if r.doi) == 156
    assert records[0].title == "8-Aminoquinoline Therapy for Latent Malaria"
    assert records[0].authors == ["Baird, J. K."]


def test_scopus_old_layout_authors_and_doi():
    first = _read("scopus_csv/NLeSC-litstudy__scopus.csv")[0]
    assert first.title == "Scalable molecular dynamics with NAMD"
    assert first.doi == "10.1002/jcc.20289"
    assert first.authors[:2] == ["Phillips, J.C.", "Braun, R."]
    assert first.pages == "1781-1802"
    assert first.issn == "0192-8651"


def test_rayyan_ris_keywords_one_per_untagged_line():
    first = _read("ris/asreview-asreview__ris_issue_992.txt")[0]
    assert first.keywords[:3] == ["Health Facility Administration", "Joint Commission", "Standards"]
    assert len(first.keywords) == 13


def test_cr_only_ebsco_ris():
    records = _read("ris/sysrev-sysrev__ERIC_ebsco_1232020_crl_assessment.txt")
    assert all(r.title and "\r" not in r.title for r in records)


def test_openalex_api_list_rebuilds_abstracts_and_references():
    records = _read("openalex_json/front-matter-commonmeta-py__test_get_random_id_from_openalex__interaction1.json")
    assert records[0].doi is None
    assert all(r.openalex_id and r.openalex_id.startswith("W") for r in records)
    assert any(r.abstract for r in records)
    assert all(all(w.startswith("W") for w in r.referenced_works) for r in records)


def test_publish_or_perish_title_and_unknown_volume():
    first = _read("publish_or_perish_json/CoLRev-Environment-colrev__google_scholar.json")[0]
    assert first.title.startswith("How Trust Leads to Commitment on Microsourcing Platforms")
    assert first.volume is None and first.authors[0] == "Guo, W"


def test_wos_restoration_first_record():
    first = _read("wos_plaintext/mjwestgate-revtools__restoration_WoS.ciw")[0]
    assert first.title == "Do magnetic phosphorus adsorbents used for lake restoration impact on zooplankton community?"
    assert first.authors[0] == "Alvarez-Manzaneda, I."
    assert first.journal == "SCIENCE OF THE TOTAL ENVIRONMENT"


def test_mendeley_bibtex_empty_keys_are_kept_as_records():
    records = _read("bibtex/retorquere-zotero-better-bibtex__web_page_and_other_mendeley_idiocy.bib")
    assert sum(1 for r in records if r.source_record_id is None) == 37
