"""Citations through the shipped CSL styles, the table of included studies, and the evidence plots."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from realist.errors import InvalidInput
from realist.report.collect import collect
from realist.report.figures import Figure
from realist.report.plots import designs_chart, evidence_figures, heatmap, theory_graph, years_chart
from realist.report.tables import format_citations, included_studies_table

SVG = "{http://www.w3.org/2000/svg}"
ITEM = {
    "id": "ayon2017",
    "type": "article-journal",
    "title": "Barriers and facilitators of access",
    "author": [{"family": "Ayon", "given": "S."}, {"family": "Ndimbii", "given": "J."}],
    "issued": {"date-parts": [[2017]]},
    "container-title": "AIDS Care",
    "volume": "29",
    "issue": "4",
    "page": "480-487",
    "DOI": "10.1080/09540121.2017.1286990",
}


def texts(fig: Figure) -> str:
    return " ".join("".join(t.itertext()) for t in ET.fromstring(fig.svg).iter(f"{SVG}text"))


def test_citations_are_formatted_by_the_csl_styles_shipped():
    vancouver = format_citations([ITEM], "vancouver")["ayon2017"][0]
    assert vancouver.startswith("Ayon S, Ndimbii J. Barriers and facilitators of access. AIDS Care. 2017;29(4):480")
    apa = format_citations([ITEM], "apa")["ayon2017"]
    assert apa[0].startswith("Ayon, S., & Ndimbii, J. (2017). Barriers and facilitators of access. AIDS Care, 29(4)")
    assert "<i>AIDS Care</i>" in apa[1]
    with pytest.raises(InvalidInput, match="unknown citation style"):
        format_citations([ITEM], "chicago")


def test_table_of_included_studies(reviewed):
    data = collect(reviewed)
    table = included_studies_table(data, code_kinds=("intervention",))
    assert table.columns == ["Ref.", "Reference", "Design", "Country", "Year", "Intervention codes"]
    assert len(table.rows) == 11
    first = table.rows[0]
    assert first[0] == "[40]" and first[1].startswith(
        "Pubmed A, Other B. pubmed study 0. Harm Reduction Journal. 2005;10(2):1–9"
    )
    assert first[2:5] == ["Qualitative study", "Kenya", "2005"]
    assert first[5] == "Harm-reduction education"
    rows = list(csv.reader(io.StringIO(table.to_csv())))
    assert rows[0] == table.columns and len(rows) == 12
    assert table.to_markdown().splitlines()[1].startswith("|---|")
    assert '<th scope="col">Reference</th>' in table.to_html()


def test_plots_show_the_data_with_labels(reviewed):
    data = collect(reviewed)
    figures = {f.name: f for f in evidence_figures(data)}
    assert set(figures) >= {
        "bar_designs",
        "bar_years",
        "bar_regions",
        "map_countries",
        "heatmap_intervention_outcome",
        "programme_theory",
    }
    designs = figures["bar_designs"]
    assert designs.data["counts"]["Qualitative study"] == 6
    assert "Qualitative study" in texts(designs) and "Study designs" in texts(designs)
    assert figures["map_countries"].data["countries"]["VNM"] == 3
    assert figures["map_countries"].data["unmapped"] == ["SGP"]  # too small at 1:110m; said in a note
    assert "Singapore (1)" in texts(figures["map_countries"])
    hm = figures["heatmap_intervention_outcome"]
    assert not hm.empty and "Harm-reduction education" in texts(hm)
    assert "<title>Harm-reduction education \u00d7 Access, acceptability and quality" in hm.svg  # hover
    graph = figures["programme_theory"]
    edges = {(e["from"], e["to"]): len(e["studies"]) for e in graph.data["edges"]}
    assert edges[("Bridging", "Access, acceptability and quality")] == 2
    for fig in figures.values():
        assert fig.png.startswith(b"\x89PNG") and len(fig.png) > 5000
        root = ET.fromstring(fig.svg)
        assert root.get("role") == "img" and root.find(f"{SVG}title") is not None


def test_plots_without_data_say_what_is_missing(review):
    data = collect(review)
    assert not data.studies
    assert any("No included studies" in m for m in data.missing)
    for fig in (designs_chart([]), years_chart([]), heatmap([], "intervention", "outcome"), theory_graph([], [])):
        assert fig.empty
        assert "yet" in texts(fig)
    figures = evidence_figures(data)
    assert all(f.empty for f in figures)
    assert "No study countries recorded yet" in texts(next(f for f in figures if f.name == "map_countries"))
