"""CSV exports with BibTeX field names are read with BibTeX meaning (issue 12).

The rows are shaped like CoLRev / bib-dedupe record tables: ``ID``,
``ENTRYTYPE``, ``journal`` or ``booktitle``, ``number``, authors joined by
`` and ``.
"""

from __future__ import annotations

from realist.identify.formats import read_text

HEADER = '"ID","ENTRYTYPE","journal","title","year","volume","number","pages","author","doi","booktitle"\n'


def test_bibtex_csv_reads_booktitle_as_the_container_and_number_as_the_issue():
    text = HEADER + (
        '"id_1000007","inproceedings",,"Collaborative Innovation in Healthcare - Boundary Resources '
        'for Peripheral Actors",2019,,,,"Aanestad, Margunn and Vassilakopoulou, Polyxeni and Øvrelid, Egil",,'
        '"International Conference on Information Systems"\n'
        '"id_1000009","article","MIS Quarterly","CyberGate - A Design Framework and System for Text Analysis '
        'of Computer-Mediated Communication",2008,32,4,"811--837","Abbasi, Ahmed and Chen, Hsinchun",'
        '"10.2307/25148873",\n'
        '"id_1000010","article","Journal of Management Information Systems","Stylometric Identification in '
        'Electronic Markets: Scalability and Robustness",2008,25,1,"49--78","Abbasi, Ahmed and Chen, Hsinchun '
        'and Nunamaker, Jay F.","10.2753/MIS0742-1222250103",\n'
    )
    records = read_text(text, file="records.csv").records
    paper, article, other = records
    assert paper.journal == "International Conference on Information Systems"
    assert paper.publication_type == "inproceedings"
    assert paper.source_record_id == "id_1000007"
    assert paper.authors == ["Aanestad, Margunn", "Vassilakopoulou, Polyxeni", "Øvrelid, Egil"]
    assert (article.journal, article.volume, article.issue) == ("MIS Quarterly", "32", "4")
    assert other.issue == "1" and len(other.authors) == 3


def test_a_number_column_that_counts_the_rows_is_not_read_as_the_issue():
    rows = "".join(
        f'"r{i}","article","Journal of Testing","Title number {i} of a long series",2020,5,{i},'
        f'"{i}0--{i}9","Smith, J.",,\n'
        for i in range(1, 6)
    )
    records = read_text(HEADER + rows, file="records.csv").records
    assert [r.issue for r in records] == [None] * 5
    # a real issue column that happens to start at 1 but does not count the rows
    rows = "".join(
        f'"r{i}","article","Journal of Testing","Another title {i} in the series",2020,5,{n},'
        f'"{i}0--{i}9","Smith, J.",,\n'
        for i, n in enumerate([1, 2, 2, 3, 4], start=1)
    )
    assert [r.issue for r in read_text(HEADER + rows, file="records.csv").records] == ["1", "2", "2", "3", "4"]


def test_bibtex_doi_and_url_are_verbatim_not_tex():
    # Found by the round-trip property: "--" in a DOI became an en dash.
    text = "@article{a, title={A title}, doi={10.1000/a--b\\_c}, url={https://example.org/a--b}}\n"
    record = read_text(text, file="records.bib").records[0]
    assert record.doi == "10.1000/a--b_c"
    assert record.url == "https://example.org/a--b"
