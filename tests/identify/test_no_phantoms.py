"""Import makes no phantom records and refuses damage it cannot read, changing nothing.

The failure cases of issue 12: an Ovid RIS export with lines after ``ER``,
a Web of Science file without its final ``EF``, a CSV with broken quoting,
a NUL character, and a database error in the middle of an import.  Store
tests run on SQLite and, when configured, PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from realist.errors import ImportFormatError, ImportStoreError
from realist.identify import import_file, import_records
from realist.identify.formats import read_bytes
from realist.inventory import list_records, review_status
from realist.records import RecordData
from realist.review import ReviewHandle
from realist.store.events import events

from support import PG_URL

# Two records as Ovid writes them to RIS: an 'NL' tag and a full-text link after each ER.
OVID_RIS = """1.
TY  - JOUR
ID  - 30439442
T1  - Mushroom poisoning: a proposed new clinical classification.
A1  - White, Julian
Y1  - 2018//
JF  - Toxicon
DO  - https://dx.doi.org/10.1016/j.toxicon.2018.11.007
ER  -

NL  - https://ovidsp.ovid.com/ovidweb.cgi?T=JS&AN=30439442
Link to the Ovid Full Text or citation: https://ovidsp.ovid.com?T=JS&AN=30439442

2.
TY  - JOUR
ID  - 30484626
T1  - Monoamine biosynthesis in psilocybin mushroom.
A1  - Torrens-Spence, Michael Patrick
Y1  - 2018//
JF  - ACS chemical biology
ER  -

NL  - https://ovidsp.ovid.com/ovidweb.cgi?T=JS&AN=30484626
Link to the Ovid Full Text or citation: https://ovidsp.ovid.com?T=JS&AN=30484626
"""


def _unchanged(review: ReviewHandle) -> None:
    status = review_status(review)
    assert status.records == 0 and status.sources == []
    with review.session() as session:
        assert not events(session, review.review_id, action="source.imported")


def test_ris_lines_after_end_tag_are_kept_with_the_record_before_them():
    parsed = read_bytes(OVID_RIS.encode(), file="ovid.ris")
    assert [r.source_record_id for r in parsed.records] == ["30439442", "30484626"]
    assert all(r.title for r in parsed.records)
    first = parsed.records[0]
    assert first.raw["NL"] == "https://ovidsp.ovid.com/ovidweb.cgi?T=JS&AN=30439442"
    assert parsed.records[1].raw["NL"].endswith("AN=30484626")
    kept = next(w for w in parsed.warnings if "kept with the record before them" in w)
    assert "lines 11, 23 " in kept
    skipped = next(w for w in parsed.warnings if "skipped" in w)
    assert "lines 12, 24 " in skipped


def test_ris_block_after_end_tag_with_a_title_is_a_record_without_type():
    text = OVID_RIS + "\nTI  - A record whose TY line was lost\nAU  - Silva, Ana\nER  - \n"
    parsed = read_bytes(text.encode(), file="ovid.ris")
    assert [r.title for r in parsed.records][-1] == "A record whose TY line was lost"
    assert len(parsed.records) == 3
    assert "NL" in parsed.records[1].raw and "NL" not in parsed.records[2].raw


def test_import_leaves_out_records_with_nothing_to_screen_and_names_them():
    text = (
        "TY  - JOUR\nTI  - A real record\nER  - \n"
        "TY  - JOUR\nPY  - 2020\nJF  - Some journal\nER  - \n"
        "TY  - JOUR\nDO  - 10.1000/xyz\nER  - \n"
    )
    parsed = read_bytes(text.encode(), file="thin.ris")
    assert [r.title for r in parsed.records] == ["A real record", None]
    assert parsed.records[1].doi == "10.1000/xyz"
    warning = " ".join(parsed.warnings)
    assert "1 record(s) with no title, abstract or identifier were left out (record 2 of the file)" in warning
    assert "1 record(s) without a title: record 3" in warning  # numbered as in the file


def test_ovid_ris_imports_without_phantoms_into_the_store(review: ReviewHandle, tmp_path: Path):
    path = tmp_path / "ovid.ris"
    path.write_text(OVID_RIS, encoding="utf-8")
    result = import_file(review, path)
    assert result.records == 2
    rows = list_records(review)
    assert [r["source_record_id"] for r in rows] == ["30439442", "30484626"]
    assert all(r["title"] for r in rows)


WOS_WITHOUT_EF = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Smith, J
TI Peer navigation in HIV care
SO AIDS CARE
PY 2019
UT WOS:000000000000001
ER

PT J
AU Jones, K
TI Harm reduction services led by peers
SO INTERNATIONAL JOURNAL OF DRUG POLICY
PY 2020
UT WOS:000000000000002
ER
"""


def test_wos_without_only_the_final_ef_imports_with_a_warning(review: ReviewHandle, tmp_path: Path):
    path = tmp_path / "savedrecs.txt"
    path.write_text(WOS_WITHOUT_EF, encoding="utf-8")
    result = import_file(review, path)
    assert result.records == 2
    assert any("ends without the 'EF' end-of-file line (after line 17)" in w for w in result.warnings)
    assert [r["title"] for r in list_records(review)] == [
        "Peer navigation in HIV care",
        "Harm reduction services led by peers",
    ]


CSV_BROKEN_QUOTE = (
    "Title,Authors,Year,DOI\n"
    '"Peer support in Nairobi",Nyambura G,2019,10.1000/a\n'
    '"Peer navigators "and" HIV care",Okafor C,2020,10.1000/b\n'
    '"Harm reduction",Silva A,2021,10.1000/c\n'
)


def test_csv_with_text_after_a_closing_quote_is_refused_with_its_line(review: ReviewHandle, tmp_path: Path):
    path = tmp_path / "broken.csv"
    path.write_text(CSV_BROKEN_QUOTE, encoding="utf-8")
    with pytest.raises(ImportFormatError) as info:
        import_file(review, path)
    message = str(info.value)
    assert message.startswith(f"{path}, line 3: broken CSV quoting: text follows a closing quote")
    assert '""' in message and "nothing was imported" in message
    _unchanged(review)


def test_csv_with_a_quote_never_closed_is_refused():
    data = b'Title,Year\nPeer support,2019\nHarm reduction,2020\n"Peer navigators,2021\nLast,2022\n'
    with pytest.raises(
        ImportFormatError, match=r"open.csv, line 4: broken CSV quoting: a quoted field is never closed"
    ):
        read_bytes(data, file="open.csv")


def test_csv_with_doubled_quotes_still_imports():
    data = b'Title,Year\n"Peer navigators ""and"" HIV care",2020\n'
    assert read_bytes(data, file="ok.csv").records[0].title == 'Peer navigators "and" HIV care'


def test_nul_character_is_refused_with_its_line(review: ReviewHandle, tmp_path: Path):
    # Past the first 64 KiB, where the binary-file check does not look.
    filler = "".join(f"TY  - JOUR\nTI  - Record {i}\nER  - \n" for i in range(3000))
    path = tmp_path / "nul.ris"
    path.write_text(filler + "TY  - JOUR\nTI  - Broken\x00title\nER  - \n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"nul.ris, line 9002: contains a NUL character"):
        import_file(review, path)
    _unchanged(review)


def test_escaped_nul_in_json_is_refused():
    data = b'[{"id": "x1", "title": "Broken\\u0000title", "type": "article-journal"}]'
    with pytest.raises(ImportFormatError, match="line 1: contains a NUL character"):
        read_bytes(data, file="items.json")


def test_database_error_names_the_file_and_record_and_changes_nothing(review: ReviewHandle):
    # A year no integer column holds: both SQLite and PostgreSQL refuse it.
    records = [
        RecordData(title="Fine one"),
        RecordData(title="Too far in the future", year=2**70),
        RecordData(title="Fine two"),
    ]
    with pytest.raises(ImportStoreError) as info:
        import_records(review, records, source="Hand-made", file_name="hand.ris")
    message = str(info.value)
    assert message.startswith("hand.ris, record 2: the database refused this record ('Too far in the future'): ")
    assert message.endswith("nothing was imported")
    _unchanged(review)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL is not configured (REALIST_TEST_DATABASE_URL)")
def test_postgresql_refusing_a_nul_names_the_record_and_changes_nothing(review: ReviewHandle):
    if not review.engine.url.get_backend_name().startswith("postgresql"):
        pytest.skip("SQLite stores NUL characters")
    records = [RecordData(title="Fine"), RecordData(title="Fine too"), RecordData(title="Broken\x00title")]
    with pytest.raises(ImportStoreError, match=r"^source 'Chase', record 3: the database refused this record .*NUL"):
        import_records(review, records, source="Chase")
    _unchanged(review)


def test_xlsx_rows_with_nothing_to_screen_are_left_out_and_named(tmp_path: Path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Authors", "Year", "DOI"])
    sheet.append(["Peer outreach", "Smith J", 2020, "10.1000/x"])
    sheet.append([None, "Jones K", 2021, None])
    sheet.append([None, None, 2022, "10.1000/y"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    parsed = read_bytes(path.read_bytes(), file="export.xlsx")
    assert [r.doi for r in parsed.records] == ["10.1000/x", "10.1000/y"]
    assert any("left out (record 2 of the file)" in w for w in parsed.warnings)
    assert any("without a title: record 3" in w for w in parsed.warnings)


def test_cli_import_prints_the_lines_it_kept_or_skipped(run, tmp_path: Path):
    path = tmp_path / "ovid.ris"
    path.write_text(OVID_RIS, encoding="utf-8")
    result = run.ok("import", str(path))
    assert "2 records (ris)" in result.stdout
    assert "warning: lines 11, 23 after an 'ER' end-of-record line held no title" in result.stderr
    assert "warning: lines 12, 24 after an 'ER' end-of-record line are not RIS" in result.stderr


def test_cli_import_refuses_broken_csv_with_one_message(run, tmp_path: Path):
    path = tmp_path / "broken.csv"
    path.write_text(CSV_BROKEN_QUOTE, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {path}, line 3: broken CSV quoting: text follows a closing quote inside a field "
        '(a quote inside a quoted field must be doubled, ""); nothing was imported - fix the file or export it again'
    )
    assert "Traceback" not in result.output
