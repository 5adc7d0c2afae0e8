"""The whole report: HTML (self-contained), DOCX and Markdown, checklists, the CLI, the example."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from realist.errors import InvalidInput
from realist.report import build_report
from realist.report.checklists import fill_checklist
from realist.report.collect import collect

from .conftest import set_protocol


class _Page(HTMLParser):
    """Collects the visible text, external references and inline SVGs of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.external: list[str] = []
        self.svgs = 0
        self.ids: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svgs += 1
        if tag in ("style", "script"):
            self._skip += 1
        if "id" in a:
            self.ids.append(a["id"])
        for key in ("src", "href"):
            value = a.get(key) or ""
            if value and not value.startswith(("#", "data:")):
                self.external.append(value)
        if tag in ("script", "link", "img", "iframe"):
            self.external.append(tag)

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def page(path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.text_all = re.sub(r"\s+", " ", " ".join(parser.text)).replace("\u00a0", " ")  # type: ignore[attr-defined]
    return parser


def docx_text(path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_report_in_three_formats_with_every_part(reviewed, tmp_path):
    paths = build_report(reviewed, tmp_path, "html,docx,md")
    names = {p.relative_to(tmp_path).as_posix() for p in paths}
    assert {
        "report.html",
        "report.docx",
        "report.md",
        "prisma_flow.svg",
        "prisma_flow.png",
        "prisma_flow.pdf",
        "prisma_flow.csv",
        "included_studies.csv",
        "checklist_prisma2020.csv",
        "checklist_rameses.csv",
        "figures/bar_designs.svg",
        "figures/map_countries.png",
        "figures/programme_theory.svg",
    } <= names

    html = page(tmp_path / "report.html")
    assert html.external == []  # self-contained: opens offline
    assert html.svgs >= 8
    assert len(html.ids) == len(set(html.ids))  # inlined SVG ids do not clash
    text = html.text_all
    for expected in (
        "PRISMA 2020 flow diagram",
        "Records screened (n = 14)",
        "Studies included in review (n = 11)",
        "Reports of included studies (n = 12)",
        "Table 1. Characteristics of the 11 included studies",
        "Pubmed A, Other B. pubmed study 0.",
        "Study designs",
        "Programme theory",
        "PRISMA 2020",
        "RAMESES",
        "Agreement before resolution",
    ):
        assert expected in text, expected

    docx = docx_text(tmp_path / "report.docx")
    for expected in (
        "Methods",
        "Results",
        "Study selection",
        "The searches identified 28 records",
        "Table 1. Characteristics of the 11 included studies",
        "[40]",
        "Pubmed A, Other B. pubmed study 0.",
        "Appendix: reporting checklists",
        "Selection process",
    ):
        assert expected in docx, expected
    from docx import Document

    assert len(Document(str(tmp_path / "report.docx")).inline_shapes) == 1 + 8  # PRISMA + 4 charts, 3 heatmaps, theory

    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "![Figure 1. Flow of records" in md and "(prisma_flow.svg)" in md
    assert "| [40] | Pubmed A, Other B. pubmed study 0." in md
    for link in re.findall(r"\]\((figures/[^)]+)\)", md):
        assert (tmp_path / link).exists()


def test_report_of_an_empty_review_says_what_is_missing(review, tmp_path):
    build_report(review, tmp_path, ("html", "md"))
    text = page(tmp_path / "report.html").text_all
    assert "Not in this report yet" in text
    assert "No included studies are recorded yet" in text
    assert "No screening decisions are recorded yet" in text
    assert "Records identified from:" in text  # the diagram is still drawn, with zeros
    assert "No study designs recorded yet" in text
    assert "No CMO configurations recorded yet" in text


def test_report_notes_a_malformed_codebook_and_is_still_built(reviewed, tmp_path):
    set_protocol(reviewed, codebook=[{"id": "peer-roles", "name": "Peer roles", "kind": "role"}])
    data = collect(reviewed)
    assert any("Codes could not be read" in m and "unknown kind 'role'" in m for m in data.missing)
    assert data.code_kinds == {}
    build_report(reviewed, tmp_path, ("md",))
    assert "unknown kind 'role'" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_a_bug_in_a_stage_propagates_from_the_report(reviewed, monkeypatch):
    # A stage that fails for a reason that is not a user error must surface, not become "missing".
    import realist.appraise.store
    import realist.code.cmoc

    def broken(review):
        raise KeyError("role")

    monkeypatch.setattr(realist.code.cmoc, "list_cmocs", broken)
    with pytest.raises(KeyError, match="role"):
        collect(reviewed)
    monkeypatch.undo()
    monkeypatch.setattr(realist.appraise.store, "language_summary", broken)
    with pytest.raises(KeyError, match="role"):
        collect(reviewed)


def test_checklists_are_filled_from_the_data(reviewed):
    data = collect(reviewed)
    prisma = {it.item: it for it in fill_checklist(data, "PRISMA 2020")}
    assert len(prisma) == 42
    assert prisma["6"].status == "partly"  # sources known, not every search date
    assert "PubMed" in prisma["6"].answer and "2024-03-01" in prisma["6"].answer
    assert prisma["7"].status == "reported" and "peer AND (harm reduction)" in prisma["7"].answer
    assert prisma["8"].status == "reported" and "2 reviewers" in prisma["8"].answer
    assert "agreement" in prisma["8"].answer
    assert prisma["16a"].where.startswith("Results: Figure 1")
    assert prisma["17"].status == "reported"
    assert prisma["24a"].status == "missing"
    assert prisma["23a"].status == "author"
    rameses = fill_checklist(data, "rameses")
    assert len(rameses) == 19
    assert [it.topic for it in rameses][11] == "Document flow diagram"
    assert sum(it.verification == "unverified" for it in rameses) >= 10  # honest about recall
    assert len(fill_checklist(data, "rapid review")) == 7
    with pytest.raises(InvalidInput):
        fill_checklist(data, "CONSORT")


def test_report_statements_from_the_protocol(reviewed):
    set_protocol(reviewed, report={"registration": "PROSPERO CRD42024000000", "funding": "None"})
    prisma = {it.item: it for it in fill_checklist(collect(reviewed), "prisma2020")}
    assert prisma["24a"].status == "reported" and "CRD42024000000" in prisma["24a"].answer
    assert prisma["25"].answer == "None"


def test_report_command(run, tmp_path):
    out = tmp_path / "out"
    result = run.ok("report", "--format", "md,html", "--out", str(out), "--style", "apa")
    assert "report.html" in result.output and (out / "report.md").exists()
    assert not (out / "report.docx").exists()
    bad = run("report", "--format", "pdf", "--out", str(out))
    assert bad.exit_code == 1 and "unknown format" in bad.output
    bad = run("report", "--heatmap", "intervention", "--out", str(out))
    assert bad.exit_code == 1 and "ROWS:COLUMNS" in bad.output


def test_example_review_report_matches_the_paper(tmp_path, database_url):
    from realist.example.build import build_example

    example = build_example(tmp_path / "example", database_url=database_url)
    try:
        paths = build_report(example, tmp_path / "out", ("html",))
        html = page(tmp_path / "out" / "report.html").text_all
        svg = (tmp_path / "out" / "prisma_flow.svg").read_text(encoding="utf-8")
        desc = ET.fromstring(svg).find("{http://www.w3.org/2000/svg}desc").text
        assert "48 records identified" in desc and "29 studies (29 reports) included" in desc
        assert "Reports excluded (n = 19):" in html
        assert "Studies included in review (n = 29)" in html
        assert "Table 1. Characteristics of the 29 included studies" in html
        assert "[40]" in html and "[68]" in html
        assert any(p.name == "heatmap_intervention_outcome.svg" for p in paths)
    finally:
        example.close()
