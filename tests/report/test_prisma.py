"""PRISMA 2020 counts from the store, manual counts, the CSV layout and the diagram."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from realist.errors import InvalidInput
from realist.report.prisma import RPKG_FIELDS, prisma_counts, prisma_csv
from realist.report.prisma_diagram import diagram_figure, diagram_svg, write_diagram

from .conftest import set_protocol

SVG = "{http://www.w3.org/2000/svg}"


def svg_text(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text")).replace("\u00a0", " ")


def test_counts_follow_records_through_both_columns(screened):
    c = prisma_counts(screened)
    assert c.databases == {"PubMed": 10, "Scopus": 6}
    assert c.other_methods == {"Citation searching": 4, "Hand searching": 8}
    assert c.identified == 28
    assert c.duplicates == 2
    assert (c.records_screened, c.records_excluded) == (14, 3)
    assert (c.dbr_sought_reports, c.dbr_notretrieved_reports, c.dbr_assessed) == (11, 1, 10)
    assert c.dbr_excluded == {"High-income country": 2}
    assert (c.other_sought_reports, c.other_notretrieved_reports, c.other_assessed) == (12, 0, 12)
    assert c.other_excluded == {"Editorial or commentary": 1, "High-income country": 1, "Not about peers": 5}
    assert c.awaiting == {"other_reports": 1}
    assert (c.new_studies, c.new_reports) == (12, 12)


def test_records_counted_outside_the_tool_are_marked(screened):
    c = prisma_counts(screened)
    assert "other:Hand searching" in c.manual
    assert "other_excluded:Not about peers" in c.manual
    assert "other:Citation searching" not in c.manual
    text = svg_text(diagram_svg(c))
    assert "Hand searching (n = 8) \u2020" in text
    assert "Includes counts made outside realist" in text


def test_protocol_prisma_section_replaces_counts_and_marks_them(screened):
    set_protocol(
        screened,
        prisma={
            "previous_studies": 7,
            "previous_reports": 9,
            "excluded_automatic": 4,
            "register_results": 3,
            "notes": "Registers searched by hand.",
        },
    )
    c = prisma_counts(screened)
    assert (c.previous_studies, c.excluded_automatic, c.register_results) == (7, 4, 3)
    assert {"previous_studies", "excluded_automatic", "register_results"} <= c.manual
    assert c.total_studies == 12 + 7 and c.total_reports == 12 + 9
    assert "Registers searched by hand." in c.notes


def test_protocol_prisma_section_rejects_unknown_fields(screened):
    set_protocol(screened, prisma={"records_found": 3})
    with pytest.raises(InvalidInput, match="unknown PRISMA field"):
        prisma_counts(screened)
    set_protocol(screened, prisma={"duplicates": -1})
    with pytest.raises(InvalidInput, match="whole number"):
        prisma_counts(screened)


def test_csv_uses_the_prisma2020_app_layout(screened):
    rows = list(csv.DictReader(io.StringIO(prisma_csv(prisma_counts(screened)))))
    assert list(rows[0]) == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    assert [r["data"] for r in rows] == [f or "NA" for f, *_ in RPKG_FIELDS]
    by = {r["data"]: r for r in rows if r["data"] != "NA"}
    assert by["database_results"]["n"] == "16"
    assert by["database_specific_results"]["n"] == "PubMed, 10; Scopus, 6"
    assert by["citations_results"]["n"] == "4"
    # hand searching takes a free slot of the other-methods box, with its own label
    slot = next(r for r in rows if r["boxtext"] == "Hand searching")
    assert slot["n"] == "8" and slot["data"] in ("website_results", "organisation_results")
    assert by["dbr_excluded"]["n"] == "High-income country, 2"
    assert by["new_studies"]["n"] == "12" and by["total_studies"]["n"] == "12"


def test_diagram_svg_is_accessible_text_with_every_box(screened):
    c = prisma_counts(screened)
    svg = diagram_svg(c)
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "PRISMA 2020 flow diagram"
    assert "28 records identified" in root.find(f"{SVG}desc").text
    text = svg_text(svg)
    for label in (
        "Identification of studies via databases and registers",
        "Identification of studies via other methods",
        "Records identified from:",
        "Records removed before screening:",
        "Duplicate records removed (n = 2)",
        "Records screened (n = 14)",
        "Records excluded (n = 3)",
        "Reports sought for retrieval (n = 11)",
        "Reports not retrieved (n = 1)",
        "Reports assessed for eligibility",
        "(n = 10)",
        "High-income country (n = 2)",
        "Citation searching (n = 4)",
        "Studies included in review (n = 12)",
        "Reports of included studies (n = 12)",
        "Identification",
        "Screening",
        "Included",
        "Awaiting an eligibility decision",
    ):
        assert label in text, label
    assert "Previous studies" not in text


def test_updated_review_has_the_previous_studies_column(screened):
    set_protocol(screened, prisma={"previous_studies": 7, "previous_reports": 9})
    text = svg_text(diagram_svg(prisma_counts(screened)))
    assert "Previous studies" in text
    assert "Identification of new studies via databases and registers" in text
    assert "Total studies included in review (n = 19)" in text
    assert "Reports of total included studies (n = 21)" in text


def test_empty_review_gives_a_diagram_of_zeros(review):
    c = prisma_counts(review)
    assert c.identified == 0 and not c.has_screening
    text = svg_text(diagram_svg(c))
    assert "Records screened (n = 0)" in text and "Studies included in review (n = 0)" in text


def test_diagram_files_are_rendered(screened, tmp_path):
    from PIL import Image

    paths = write_diagram(prisma_counts(screened), tmp_path, ("svg", "png", "pdf", "csv"))
    assert [p.suffix for p in paths] == [".svg", ".png", ".pdf", ".csv"]
    with Image.open(tmp_path / "prisma_flow.png") as im:
        assert im.width > 2000 and 0.35 < im.height / im.width < 0.75
    assert (tmp_path / "prisma_flow.pdf").read_bytes().startswith(b"%PDF")
    fig = diagram_figure(prisma_counts(screened))
    assert fig.data["identified"] == 28


def test_prisma_command_writes_the_files_and_prints_json(run, tmp_path):
    import json

    out = tmp_path / "diagram"
    result = run.ok("prisma", "--out", str(out), "--format", "svg,csv")
    assert (out / "prisma_flow.svg").exists() and (out / "prisma_flow.csv").exists()
    assert not (out / "prisma_flow.png").exists()
    counts = json.loads(run.ok("prisma", "--json").output)
    assert counts["identified"] == 0
    bad = run("prisma", "--format", "gif")
    assert bad.exit_code == 1 and "unknown format" in bad.output
    del result
