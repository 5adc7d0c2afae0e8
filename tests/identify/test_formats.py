"""Each format, read from small hand-written fixtures that carry its quirks."""

from __future__ import annotations

from realist.identify.formats import read_bytes, read_file


def test_ris_skips_header_junk_and_ovid_numbering(fixture_path):
    parsed = read_file(fixture_path("quirks.ris"))
    assert parsed.format == "ris"
    assert [r.title for r in parsed.records] == [
        "Peer navigators and HIV care",
        "Record without a type line",
        "Missing final end tag",
    ]


def test_ris_four_letter_pmid_tag_and_id(fixture_path):
    first = read_file(fixture_path("quirks.ris")).records[0]
    assert first.pmid == "31234567"
    assert first.source_record_id == "2019-1234-01"
    assert first.raw["PMID"] == "31234567"


def test_ris_continuation_lines_extend_keywords(fixture_path):
    first = read_file(fixture_path("quirks.ris")).records[0]
    assert first.keywords == ["peer support", "harm reduction", "HIV"]


def test_ris_continuation_lines_extend_abstract_and_html_is_stripped(fixture_path):
    first = read_file(fixture_path("quirks.ris")).records[0]
    assert first.abstract == "Background: peer navigators support people who use drugs in Nairobi."
    assert "<p>" in first.raw["N2"]


def test_ris_normalises_fields(fixture_path):
    first = read_file(fixture_path("quirks.ris")).records[0]
    assert first.authors == ["Nyambura, Grace", "Okafor, Chidi"]
    assert first.year == 2019
    assert (first.journal, first.volume, first.issue, first.pages) == ("AIDS Care", "31", "4", "412-420")
    assert first.doi == "10.1080/09540121.2019.1234567"


def test_ris_bare_doi_in_l3_and_rayyan_labels_kept(fixture_path):
    second = read_file(fixture_path("quirks.ris")).records[1]
    assert second.doi == "10.1016/j.drugpo.2020.102345"
    assert second.labels == {"rayyan:Ana": "Included", "rayyan:Ben": "Excluded", "rayyan_labels": "peer"}


def test_ris_ieee_initial_first_authors_become_family_given():
    text = b"TY  - CONF\nAU  - S. Hochreiter\nAU  - J. Schmidhuber\nTI  - LSTM\nER  - \n"
    record = read_bytes(text, file="ieee.ris").records[0]
    assert record.authors == ["Hochreiter, S.", "Schmidhuber, J."]


def test_medline_reads_continuations_and_full_author_names(fixture_path):
    parsed = read_file(fixture_path("pubmed.nbib"))
    assert parsed.format == "medline"
    first, second = parsed.records
    assert first.title == "Community-led outreach and needle exchange uptake in Kenya: a mixed-methods study."
    assert first.authors == ["Wanjiru, Mary", "Kamau, John P"]
    assert first.doi == "10.1016/j.drugpo.2018.05.001"
    assert (first.pmid, first.pmcid, first.year, first.issn) == ("30000001", "PMC6000001", 2018, "0955-3959")
    assert first.keywords == ["outreach", "peer workers"]
    assert second.authors == ["Otieno, P"]


def test_ovid_tagged_parses_source_line(fixture_path):
    parsed = read_file(fixture_path("ovid_tagged.ovd"))
    assert parsed.format == "ovid_tagged"
    first = parsed.records[0]
    assert first.title == "Peer-delivered naloxone training in low-income settings: a pilot evaluation."
    assert first.journal == "Drug and Alcohol Dependence"
    assert first.volume == "190"
    assert first.doi == "10.1016/j.drugalcdep.2019.01.002"
    assert first.source_record_id == "600000001"
    assert len(parsed.records) == 2


def test_wos_plaintext_continuations(fixture_path):
    parsed = read_file(fixture_path("wos.txt"))
    assert parsed.format == "wos_plaintext"
    record = parsed.records[0]
    assert record.authors == ["Moyo, Tendai", "Phiri, Lindiwe"]
    assert record.title == "Peer educators and HIV testing in Malawi: a cluster trial"
    assert record.keywords == ["peer education", "HIV testing", "Malawi"]
    assert record.pages == "1001-1010"
    assert record.source_record_id == "WOS:000370000000001"


def test_bibtex_latex_accents_become_unicode_and_braces_go(fixture_path):
    parsed = read_file(fixture_path("library.bib"))
    first = parsed.records[0]
    assert first.authors == ["Müller, Jörg", "Åberg, Søren", "García, María"]
    assert first.title == "HIV peer support in South Africa: a Übersicht"
    assert first.pages == "101-110"
    assert first.year == 2020
    assert first.keywords == ["peer support", "HIV"]


def test_bibtex_keeps_empty_and_duplicate_keys(fixture_path):
    records = read_file(fixture_path("library.bib")).records
    assert [r.source_record_id for r in records] == ["smith2020", None, "smith2020", "mendeley1"]


def test_biblatex_date_and_journaltitle(fixture_path):
    third = read_file(fixture_path("library.bib")).records[2]
    assert third.year == 2018
    assert third.journal == "Harm Reduction Journal"


def test_bibtex_nonstandard_type_and_no_pagination(fixture_path):
    fourth = read_file(fixture_path("library.bib")).records[3]
    assert fourth.publication_type == "web_page"
    assert fourth.pages is None
    assert fourth.raw["city"] == "London"


def test_asreview_labels_kept(fixture_path):
    parsed = read_file(fixture_path("asreview.csv"))
    assert parsed.format == "asreview_csv"
    first, second, third = parsed.records
    assert first.labels == {"included": "1", "asreview_ranking": "1"}
    assert first.title == "Peer navigation, stigma, and care"
    assert first.abstract == 'Peers help; they "navigate".'
    assert first.source_record_id == "1"
    assert second.labels["included"] == "0"
    assert third.year is None


def test_rayyan_csv_inclusion_notes_become_labels(fixture_path):
    parsed = read_file(fixture_path("rayyan.csv"))
    assert parsed.format == "rayyan_csv"
    record = parsed.records[0]
    assert record.labels == {
        "rayyan:Ana": "Included",
        "rayyan:Ben": "Maybe",
        "rayyan_exclusion_reasons": "wrong population",
    }
    assert record.authors == ["Kimani, Ruth", "Otieno, Paul"]
    assert record.source_record_id == "rayyan-101"


def test_covidence_csv_decision_columns_and_en_dash_pages(fixture_path):
    parsed = read_file(fixture_path("covidence.csv"))
    assert parsed.format == "covidence_csv"
    record = parsed.records[0]
    assert record.labels == {"Tags": "Included"}
    assert record.pages == "e150-e158"
    assert record.source_record_id == "#123"
    assert record.authors == ["Banda, J.", "Phiri, L."]


def test_openalex_jsonl_rebuilds_abstract_and_references(fixture_path):
    parsed = read_file(fixture_path("openalex.jsonl"))
    assert parsed.format == "openalex_json"
    first, second = parsed.records
    assert first.abstract == "Peers prevent overdose deaths."
    assert first.referenced_works == ["W1", "W22"]
    assert (first.openalex_id, first.pmid, first.pmcid) == ("W2000000001", "35000001", "PMC9000001")
    assert first.authors == ["Kimani, Ruth"]
    assert first.pages == "300-310"
    assert second.abstract is None


def test_endnote_tagged_records_split_on_blank_lines(fixture_path):
    parsed = read_file(fixture_path("endnote.enw"))
    assert parsed.format == "endnote_tagged"
    first, second = parsed.records
    assert first.doi == "10.1002/jia2.25000"
    assert first.keywords == ["adolescents", "HIV"]
    assert second.title == "A record without a type line"


def test_pubmed_xml_structured_abstract(fixture_path):
    parsed = read_file(fixture_path("pubmed.xml"))
    record = parsed.records[0]
    assert parsed.format == "pubmed_xml"
    assert record.abstract == "INTRODUCTION: Adherence is hard. METHODS: We used peers."
    assert record.title == "Peer support for PrEP adherence"
    assert (record.doi, record.pmcid, record.pmid) == ("10.1002/jia2.25300", "PMC6600001", "31000001")


def test_csl_json_single_object_and_short_doi():
    text = b'{"id": "x1", "type": "article-journal", "title": "T", "DOI": "10/abc", "URL": "https://doi.org/10.1177/0193", "issued": {"date-parts": [["2004", 4]]}, "page": "429\\u2013452"}'
    record = read_bytes(text, file="one.json").records[0]
    assert (record.doi, record.year, record.pages) == ("10.1177/0193", 2004, "429-452")


def test_crossref_envelope_strips_jats():
    text = b'{"status": "ok", "message-type": "work", "message": {"DOI": "10.2196/22081", "title": ["Tele"], "abstract": "<jats:p>Hello <jats:italic>world</jats:italic></jats:p>", "member": "1", "author": [{"given": "Ana", "family": "Silva"}]}}'
    parsed = read_bytes(text, file="cr.json")
    assert parsed.format == "crossref_json"
    assert parsed.records[0].abstract == "Hello world"
    assert parsed.records[0].authors == ["Silva, Ana"]


def test_publish_or_perish_zero_volume_is_none():
    text = '\ufeff[{"uid": "GS:1", "title": "A", "cites": 3, "year": 2021, "volume": 0, "issue": 0, "startpage": 0, "endpage": 0, "authors": ["W Guo"]}]'.encode()
    parsed = read_bytes(text, file="pop.json")
    record = parsed.records[0]
    assert parsed.format == "publish_or_perish_json"
    assert (record.volume, record.issue, record.pages, record.authors) == (None, None, None, ["Guo, W"])


def test_xlsx_is_read_through_table_profiles(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Authors", "Year", "DOI", "included"])
    sheet.append(["Peer outreach", "Smith J", 2020, "10.1000/x", 1])
    path = tmp_path / "export.xlsx"
    book.save(path)
    parsed = read_file(path)
    assert parsed.format == "asreview_csv"
    assert parsed.records[0].year == 2020
    assert parsed.records[0].labels == {"included": "1"}


def test_utf16_ris_with_crlf_is_read():
    text = "TY  - JOUR\r\nTI  - Ünïcode title\r\nER  - \r\n".encode("utf-16")
    parsed = read_bytes(text, file="u16.ris")
    assert parsed.records[0].title == "Ünïcode title"
