"""Files that cannot be read are refused with a message naming file and problem."""

from __future__ import annotations

import pytest

from realist.errors import ImportFormatError
from realist.identify.decode import decode_bytes
from realist.identify.formats import available_formats, read_bytes


def test_import_rejects_empty_file():
    with pytest.raises(ImportFormatError, match=r"empty.ris: the file is empty"):
        read_bytes(b"  \n\n", file="empty.ris")


def test_import_rejects_binary_junk():
    with pytest.raises(ImportFormatError, match=r"junk\.bin.*not a text export"):
        read_bytes(bytes(range(256)) * 20, file="junk.bin")


def test_import_rejects_unknown_format_listing_supported_ones():
    with pytest.raises(ImportFormatError) as info:
        read_bytes(b"Dear colleague,\nplease find the papers attached.\n", file="letter.txt")
    message = str(info.value)
    assert message.startswith("letter.txt: ")
    assert "not recognised" in message and "RIS (ris)" in message and "BibTeX" in message


def test_import_rejects_truncated_xml_with_line():
    data = b'<?xml version="1.0"?>\n<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>1</PMID>\n'
    with pytest.raises(ImportFormatError, match=r"cut.xml, line \d+: the XML is not well-formed"):
        read_bytes(data, file="cut.xml")


def test_import_rejects_csv_without_title_column():
    with pytest.raises(ImportFormatError, match=r"table\.csv, line 1: this table has no title column"):
        read_bytes(b"name,score,comment\nA,1,x\nB,2,y\n", file="table.csv")


def test_import_rejects_file_with_zero_records():
    with pytest.raises(ImportFormatError, match="no records found"):
        read_bytes(b"@comment{nothing here}\n@preamble{x}\n@article{k,\n}\n"[:30], file="x.bib")


def test_import_rejects_wos_without_header():
    data = b"XX Thomson Reuters\nVR 1.0\nPT J\nTI A\nER\n\nEF\n"
    with pytest.raises(ImportFormatError, match=r"bad.txt, line 1: .*no 'FN' header"):
        read_bytes(data, file="bad.txt")


def test_import_rejects_wos_cut_inside_a_record():
    data = b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A\nER\n\nPT J\nTI B\nAU Smith, J\n"
    with pytest.raises(ImportFormatError, match=r"cut.txt, line 9: .*no 'ER' line: the file is truncated"):
        read_bytes(data, file="cut.txt")


def test_unclosed_bibtex_entry_names_line_and_record():
    with pytest.raises(ImportFormatError, match=r"b.bib, line 3, record 2: entry @article is not closed"):
        read_bytes(b"@article{a, title={x}}\n\n@article{b, title={y}\n", file="b.bib")


def test_explicit_unknown_format_name_is_refused():
    with pytest.raises(ImportFormatError, match="unknown format 'docx'"):
        read_bytes(b"TY  - JOUR\nER  - \n", file="a.ris", format="docx")


def test_available_formats_lists_all_families():
    names = set(available_formats())
    assert {"ris", "bibtex", "medline", "pubmed_xml", "endnote_xml", "wos_plaintext", "csv", "openalex_json"} <= names


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"\xef\xbb\xbfTY  - JOUR\r\n", "TY  - JOUR\n"),
        (b"a\rb\r\nc\n", "a\nb\nc\n"),
        ("TY  - Müller\n".encode("utf-16-le"), "TY  - Müller\n"),
        ("TY  - Müller\n".encode("utf-16-be"), "TY  - Müller\n"),
        ("caf\xe9 \u2013 na\xefve".encode("cp1252"), "caf\xe9 \u2013 na\xefve"),
    ],
)
def test_decode_bytes_handles_boms_utf16_and_line_endings(data, expected):
    assert decode_bytes(data) == expected
