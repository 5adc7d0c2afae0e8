"""Real exports from public repositories (fixtures/public, see its README) import into the store.

Each runs on SQLite and, when configured, PostgreSQL; the counts are the
files' own record markers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from realist.identify import import_file
from realist.inventory import list_records
from realist.review import ReviewHandle

PUBLIC = Path(__file__).parent / "fixtures" / "public"

# file -> (format, records)
EXPECTED = {
    "ESHackathon-CiteSource__Ovid_search_results_records_5_and_8.ris": ("ris", 2),
    "JabRef-jabref__IsiImporterTestWOS.isi": ("wos_plaintext", 2),
    "JabRef-jabref__IsiImporterTestMedline.isi": ("wos_plaintext", 2),
}


def test_every_public_fixture_is_listed_with_its_count():
    on_disk = {p.name for p in PUBLIC.iterdir() if p.name != "README.md"}
    assert on_disk == set(EXPECTED)
    readme = (PUBLIC / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}` | {count} |" in readme for name, (_, count) in EXPECTED.items())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_public_export_imports_every_record_and_nothing_else(review: ReviewHandle, name: str):
    fmt, count = EXPECTED[name]
    result = import_file(review, PUBLIC / name)
    assert (result.format, result.records) == (fmt, count)
    rows = list_records(review)
    assert len(rows) == count
    assert all(r["title"] for r in rows)


def test_ovid_ris_full_text_links_are_not_records(review: ReviewHandle):
    result = import_file(review, PUBLIC / "ESHackathon-CiteSource__Ovid_search_results_records_5_and_8.ris")
    rows = list_records(review)
    assert [r["source_record_id"] for r in rows] == ["30412005", "30260256"]
    assert [r["doi"] for r in rows] == ["10.1089/jpm.2018.0561", "10.1080/09540261.2018.1474185"]
    skipped = next(w for w in result.warnings if "skipped" in w)
    assert skipped.startswith("lines 18, 40 after an 'ER' end-of-record line are not RIS")


def test_wos_medline_records_split_authors_on_semicolons(review: ReviewHandle):
    import_file(review, PUBLIC / "JabRef-jabref__IsiImporterTestMedline.isi")
    second = list_records(review)[1]
    assert second["authors"][:2] == ["Joffe, Hadine", "Hall, Janet E"]
    assert len(second["authors"]) == 7
    assert (second["journal"], second["volume"], second["issue"], second["year"]) == ("Menopause", "13", "3", 2006)
