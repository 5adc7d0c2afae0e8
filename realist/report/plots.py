"""Evidence plots: designs, years, regions, a code-by-code heatmap, and the
programme theory as a graph.

Each function takes the :class:`~realist.report.collect.ReportData` (or its
parts) and returns a :class:`~realist.report.figures.Figure`.  With no data
a figure still comes back, saying what is missing (``Figure.empty``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

from ..vocabulary import CMO_ROLES
from .collect import CmocRow, ReportData, StudyRow, country_names, country_regions
from .figures import ACCENT, GRID, INK, MUTED, Figure, measure, new_figure, render, wrap
from .theory_layout import theory_layout
from .worldmap import world_map

__all__ = [
    "bar_chart",
    "designs_chart",
    "years_chart",
    "regions_chart",
    "heatmap",
    "theory_graph",
    "evidence_figures",
    "cite_list",
]


def cite_list(studies: list[StudyRow]) -> str:
    """``[40, 42–44] Ayon; Bartlett ...`` style short list for tooltips."""
    refs = sorted(s.ref_number for s in studies if s.ref_number is not None)
    parts = []
    if refs:
        parts.append(_ranges(refs))
    unnumbered = [s.label for s in studies if s.ref_number is None]
    if unnumbered:
        parts.append("; ".join(unnumbered))
    return " ".join(parts)


def _ranges(numbers: list[int]) -> str:
    out: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}\u2013{prev}" if prev > start + 1 else f"{start}, {prev}")
        if n is not None:
            start = prev = n
    return "[" + ", ".join(out) + "]"


def _empty(name: str, title: str, message: str) -> Figure:
    fig = new_figure(7, 1.6)
    fig.text(0.01, 0.85, title, fontsize=12, fontweight="bold", va="top")
    fig.text(0.5, 0.35, message, ha="center", va="center", fontsize=11, color=MUTED)
    return render(fig, name=name, title=title, caption=message, desc=f"{title}: {message}", empty=True)


def _style(ax: Any, grid_axis: str) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left" if grid_axis == "y" else "bottom"].set_visible(grid_axis == "y")
    ax.grid(axis=grid_axis, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(length=0)


def _integer_ticks(axis: Any) -> None:
    """Whole-number ticks on ``axis`` (its default locator is an AutoLocator, a MaxNLocator)."""
    from matplotlib.ticker import MaxNLocator

    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):
        locator.set_params(integer=True)


def bar_chart(
    name: str,
    title: str,
    counts: list[tuple[str, int]],
    *,
    caption: str,
    members: dict[str, list[StudyRow]] | None = None,
    horizontal: bool = True,
    xlabel: str = "Number of studies",
    note: str = "",
    empty_message: str = "",
) -> Figure:
    """A labelled bar chart; horizontal bars sorted as given."""
    if not counts:
        return _empty(name, title, empty_message or "No data recorded yet")
    labels = [label for label, _ in counts]
    values = [n for _, n in counts]
    if horizontal:
        wrapped = ["\n".join(wrap(label, 190, 9)) for label in labels]
        height = 0.9 + 0.36 * sum(max(1, w.count("\n") + 1) * 0.8 + 0.2 for w in wrapped)
        fig = new_figure(7.2, max(1.8, height))
        ax = fig.add_subplot(111)
        y = np.arange(len(labels))[::-1]
        bars = ax.barh(y, values, color=ACCENT, height=0.68)
        ax.set_yticks(y, wrapped, fontsize=9)
        ax.set_xlim(0, max(values) * 1.15 + 0.5)
        ax.set_xlabel(xlabel, color=MUTED, fontsize=9)
        for bar, v in zip(bars, values):
            ax.text(
                bar.get_width() + max(values) * 0.015,
                bar.get_y() + bar.get_height() / 2,
                str(v),
                va="center",
                fontsize=9,
                color=INK,
            )
        _style(ax, "x")
        _integer_ticks(ax.xaxis)
    else:
        fig = new_figure(7.2, 3.0)
        ax = fig.add_subplot(111)
        x = np.arange(len(labels))
        bars = ax.bar(x, values, color=ACCENT, width=0.72)
        step = max(1, int(np.ceil(len(labels) / 14)))
        ax.set_xticks(x[::step], labels[::step], fontsize=8.5)
        ax.set_ylim(0, max(values) * 1.18 + 0.3)
        ax.set_ylabel(xlabel, color=MUTED, fontsize=9)
        for bar, v in zip(bars, values):
            if v:
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_height() + max(values) * 0.02,
                    str(v),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color=INK,
                )
        _style(ax, "y")
        _integer_ticks(ax.yaxis)
    ax.set_title(title, pad=10)
    if note:
        ax.annotate(
            "\n".join(wrap(note, 330, 7.5)),
            xy=(0, 0),
            xycoords="axes fraction",
            xytext=(0, -40 if horizontal else -30),
            textcoords="offset points",
            fontsize=7.5,
            color=MUTED,
            va="top",
            ha="left",
        )
    # hover text: the studies behind each bar
    tooltips = {}
    for i, (bar, label) in enumerate(zip(bars, labels)):
        gid = f"{name}-bar-{i}"
        bar.set_gid(gid)
        if members and members.get(label):
            tooltips[gid] = f"{label}: {len(members[label])} studies {cite_list(members[label])}"
    desc = f"{title}: " + "; ".join(f"{label} {n}" for label, n in counts) + "."
    return render(
        fig, name=name, title=title, caption=caption, desc=desc, data={"counts": dict(counts)}, tooltips=tooltips
    )


def designs_chart(studies: list[StudyRow]) -> Figure:
    groups: dict[str, list[StudyRow]] = defaultdict(list)
    for s in studies:
        if s.design:
            groups[s.design].append(s)
    counts = sorted(((k, len(v)) for k, v in groups.items()), key=lambda kv: (-kv[1], kv[0]))
    missing = sum(1 for s in studies if not s.design)
    note = f"Design not recorded for {missing} studies." if missing and counts else ""
    return bar_chart(
        "bar_designs",
        "Study designs",
        counts,
        members=groups,
        note=note,
        caption="Included studies by design.",
        empty_message="No study designs recorded yet",
    )


def years_chart(studies: list[StudyRow]) -> Figure:
    years = Counter(s.year for s in studies if s.year)
    groups: dict[str, list[StudyRow]] = defaultdict(list)
    for s in studies:
        if s.year:
            groups[str(s.year)].append(s)
    counts: list[tuple[str, int]] = []
    if years:
        counts = [(str(y), years.get(y, 0)) for y in range(min(years), max(years) + 1)]
    return bar_chart(
        "bar_years",
        "Year of publication",
        counts,
        members=groups,
        horizontal=False,
        caption="Included studies by year of publication.",
        empty_message="No publication years recorded yet",
    )


def regions_chart(studies: list[StudyRow], synthesis: dict[str, Any] | None = None) -> Figure:
    rows = ((synthesis or {}).get("characteristics") or {}).get("region")
    if rows:  # the synthesis's grouping (protocol synthesis.region_scheme / region_groups)
        by_key = {s.key: s for s in studies}
        chosen = {r["value"]: [by_key[k] for k in r["studies"] if k in by_key] for r in rows}
        counts = [(r["value"], int(r["n"])) for r in rows]
        counts.sort(
            key=lambda kv: (
                kv[0] == (synthesis or {}).get("settings", {}).get("multi_country", "Multi-country"),
                -kv[1],
            )
        )
        scheme = (synthesis or {}).get("settings", {}).get("region_scheme", "fy2026")
        note = (
            f"Regions as grouped by the synthesis (World Bank {scheme.upper()} regions, the protocol's "
            "region groups); a study in several countries counts once, as multi-country."
        )
        return bar_chart(
            "bar_regions", "Region", counts, members=chosen, note=note, caption="Included studies by region."
        )
    regions = country_regions()
    groups: dict[str, list[StudyRow]] = defaultdict(list)
    for s in studies:
        for region in sorted({regions.get(c, "Unclassified") for c in s.countries}):
            groups[region].append(s)
    counts = sorted(((k, len(v)) for k, v in groups.items()), key=lambda kv: (-kv[1], kv[0]))
    multi = sum(1 for s in studies if len({regions.get(c) for c in s.countries}) > 1)
    note = "World Bank regions (FY2026)." + (f" {multi} multi-region studies count in each region." if multi else "")
    return bar_chart(
        "bar_regions",
        "World Bank region",
        counts,
        members=groups,
        note=note,
        caption="Included studies by World Bank region of the study countries.",
        empty_message="No study countries recorded yet",
    )


def map_chart(studies: list[StudyRow]) -> Figure:
    counts: Counter[str] = Counter()
    who: dict[str, list[str]] = defaultdict(list)
    for s in studies:
        for c in dict.fromkeys(s.countries):
            counts[c] += 1
            who[c].append(s.key)
    return world_map(dict(counts), country_names(), studies=dict(who))


def heatmap_from_crosstab(crosstab: dict[str, Any], studies: list[StudyRow]) -> Figure:
    """A heatmap of one crosstab of the synthesis (``realist synth --json``)."""
    by_key = {s.key: s for s in studies}
    names_r = {v["id"]: v["name"] for v in crosstab.get("row_values", [])}
    names_c = {v["id"]: v["name"] for v in crosstab.get("column_values", [])}
    cells: dict[tuple[str, str], list[StudyRow]] = {}
    for cell in crosstab.get("cells", []):
        members = [by_key[k] for k in cell.get("studies", []) if k in by_key]
        cells[(names_r.get(cell["row"], cell["row"]), names_c.get(cell["column"], cell["column"]))] = members
    return heatmap(
        studies,
        crosstab["rows"],
        crosstab["columns"],
        cells=cells,
        order_a=list(names_r.values()),
        order_b=list(names_c.values()),
    )


def heatmap(
    studies: list[StudyRow],
    kind_a: str,
    kind_b: str,
    *,
    order_a: list[str] | None = None,
    order_b: list[str] | None = None,
    cells: dict[tuple[str, str], list[StudyRow]] | None = None,
) -> Figure:
    """Studies coded with both a code of ``kind_a`` (rows) and of ``kind_b`` (columns).

    ``cells`` (row name, column name) -> studies, when given, replaces the
    pairs computed from the studies' own codes (e.g. the synthesis's
    crosstab, with roll-up and disputed codings left out).
    """
    name = f"heatmap_{kind_a}_{kind_b}"
    title = f"{kind_a.capitalize()} \u00d7 {kind_b.replace('_', ' ')}: number of studies"
    if cells is None:
        cells = defaultdict(list)
        for s in studies:
            for a in s.codes.get(kind_a, []):
                for b in s.codes.get(kind_b, []):
                    cells[(a, b)].append(s)
    cells = {k: v for k, v in cells.items() if v}
    if not cells:
        return _empty(name, title, f"No study is coded with both a {kind_a} and a {kind_b} code yet")
    rows = [a for a in (order_a or []) if any(k[0] == a for k in cells)] or sorted({a for a, _ in cells})
    rows += sorted({a for a, _ in cells} - set(rows))
    cols = [b for b in (order_b or []) if any(k[1] == b for k in cells)] or sorted({b for _, b in cells})
    cols += sorted({b for _, b in cells} - set(cols))
    grid = np.array([[len(cells.get((a, b), [])) for b in cols] for a in rows])
    row_labels = ["\n".join(wrap(a, 170, 9)) for a in rows]
    col_labels = list(cols)
    fig = new_figure(max(5.5, 2.6 + 0.78 * len(cols)), max(2.4, 1.6 + 0.5 * len(rows)))
    ax = fig.add_subplot(111)
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("realist", ["#ffffff", "#c6dbef", "#2171b5", "#08306b"])
    top = max(int(grid.max()), 1)
    ax.imshow(grid, cmap=cmap, vmin=0, vmax=top, aspect="auto")
    ax.set_xticks(range(len(cols)), col_labels, fontsize=8.5, rotation=35, ha="left", rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), row_labels, fontsize=9)
    ax.xaxis.tick_top()
    ax.set_xticks(np.arange(-0.5, len(cols), 1), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows), 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    from matplotlib.patches import Rectangle

    tooltips = {}
    for i, a in enumerate(rows):
        for j, b in enumerate(cols):
            n = int(grid[i, j])
            patch = Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="none", edgecolor="none")
            ax.add_patch(patch)
            gid = f"cell-{i}-{j}"
            patch.set_gid(gid)
            if n:
                ax.text(
                    j,
                    i,
                    str(n),
                    ha="center",
                    va="center",
                    fontsize=10,
                    fontweight="bold",
                    color="white" if n / top > 0.55 else INK,
                )
                tooltips[gid] = f"{a} \u00d7 {b}: {n} studies {cite_list(cells[(a, b)])}"
    ax.set_title(title, pad=12, loc="left")
    fig.tight_layout()
    desc = f"Heatmap of {kind_a} (rows) by {kind_b} (columns); " + "; ".join(
        f"{a} and {b}: {len(v)}" for (a, b), v in sorted(cells.items())
    )
    data = {
        "rows": rows,
        "columns": cols,
        "counts": grid.tolist(),
        "studies": {f"{a} | {b}": [s.key for s in v] for (a, b), v in cells.items()},
    }
    return render(
        fig,
        name=name,
        title=title,
        desc=desc,
        data=data,
        tooltips=tooltips,
        caption=f"Number of studies coded with each pair of {kind_a} and {kind_b} codes "
        "(hover a cell for the studies).",
    )


_ROLES = tuple(r for r in CMO_ROLES if r != "intervention")  # the chain the graph draws


def theory_graph(cmocs: list[CmocRow], studies: list[StudyRow]) -> Figure:
    """Contexts → mechanisms → outcomes, edges weighted by supporting studies."""
    name, title = "programme_theory", "Programme theory: contexts \u2192 mechanisms \u2192 outcomes"
    layout = theory_layout((c.study_key, c.elements) for c in cmocs)
    if not layout.edges:
        return _empty(name, title, "No CMO configurations recorded yet")
    edges, nodes, order, coords = layout.edges, layout.nodes, layout.order, layout.coords
    tallest = layout.tallest
    fig = new_figure(10, max(3.2, 1.3 + 0.62 * tallest))
    ax = fig.add_axes((0, 0, 1, 0.9))
    ax.axis("off")
    xs = {"context": 0.0, "mechanism": 1.0, "outcome": 2.0}
    per_unit = 10 * 72 / 2.9  # points per data unit across the axes
    half: dict[tuple[str, str], float] = {}
    for role in _ROLES:
        for n in order[role]:
            width = max(measure(line, 8.5) for line in wrap(n, 150, 8.5))
            half[(role, n)] = (width + 10) / per_unit / 2
    top = max(len(v) for v in edges.values())
    colours = {"context": "#fde7c8", "mechanism": "#dbe8f6", "outcome": "#d9f0df"}
    for (ra, a, rb, b), supporters in sorted(edges.items(), key=lambda kv: len(kv[1])):
        x0, y0 = coords[(ra, a)]
        x1, y1 = coords[(rb, b)]
        x0 += half[(ra, a)]
        x1 -= half[(rb, b)]
        w = 0.8 + 5.5 * len(supporters) / top
        t = np.linspace(0, 1, 40)
        xm = x0 + (x1 - x0) * t
        ym = y0 + (y1 - y0) * (3 * t**2 - 2 * t**3)
        ax.plot(
            xm,
            ym,
            color="#7b8794",
            alpha=0.35 + 0.5 * len(supporters) / top,
            linewidth=w,
            solid_capstyle="round",
            zorder=1,
        )
        if len(supporters) > 1 or top == 1:
            ax.text(
                x0 + (x1 - x0) * 0.5,
                y0 + (y1 - y0) * 0.5,
                str(len(supporters)),
                fontsize=7.5,
                ha="center",
                va="center",
                color=INK,
                zorder=3,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )
    from matplotlib.patches import FancyBboxPatch

    ys_all = [y for (_, y) in coords.values()]
    y_lo, y_hi = min(ys_all) - 0.6, max(ys_all) + 1.2
    fig_h = fig.get_figheight()
    per_unit_y = fig_h * 0.9 * 72 / (y_hi - y_lo)
    for (role, n), (x, y) in coords.items():
        lines = wrap(n, 150, 8.5)
        h = (len(lines) * 8.5 * 1.2 + 9) / per_unit_y
        ax.add_patch(
            FancyBboxPatch(
                (x - half[(role, n)], y - h / 2),
                2 * half[(role, n)],
                h,
                boxstyle="round,pad=0,rounding_size=0.02",
                facecolor=colours[role],
                edgecolor="#9aa5b1",
                linewidth=0.6,
                zorder=4,
            )
        )
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=8.5, color=INK, zorder=5, linespacing=1.1)
    for role in _ROLES:
        ax.text(
            xs[role],
            max(y for (_, _), (_, y) in coords.items()) + 0.75,
            role.capitalize() + "s",
            ha="center",
            va="bottom",
            fontsize=10.5,
            fontweight="bold",
            color=INK,
        )
    ax.set_xlim(-0.45, 2.45)
    ax.set_ylim(y_lo, y_hi)
    fig.text(0.01, 0.97, title, fontsize=12, fontweight="bold", va="top")
    fig.text(
        0.99, 0.97, "Line width and numbers: studies supporting the link", fontsize=8, color=MUTED, ha="right", va="top"
    )
    edge_list = [
        {"from": a, "from_role": ra, "to": b, "to_role": rb, "studies": sorted(who)}
        for (ra, a, rb, b), who in edges.items()
    ]
    desc = "Programme theory graph. " + "; ".join(
        f"{e['from']} to {e['to']}: {len(e['studies'])} studies" for e in edge_list
    )
    return render(
        fig,
        name=name,
        title=title,
        desc=desc,
        data={"edges": edge_list, "nodes": {r: {n: sorted(v) for n, v in nodes[r].items()} for r in _ROLES}},
        caption="Programme theory from the CMO configurations: contexts, mechanisms and outcomes, "
        "linked when a configuration joins them; line width shows the number of supporting studies.",
    )


def evidence_figures(data: ReportData, *, heatmaps: list[tuple[str, str]] | None = None) -> list[Figure]:
    """Every evidence plot of the report, in order."""
    figures = [
        designs_chart(data.studies),
        years_chart(data.studies),
        regions_chart(data.studies, data.synthesis),
        map_chart(data.studies),
    ]
    crosstabs = (data.synthesis or {}).get("crosstabs") or []
    if crosstabs:
        for ct in crosstabs:
            figures.append(heatmap_from_crosstab(ct, data.studies))
    else:
        pairs = heatmaps if heatmaps is not None else _default_pairs(data)
        for a, b in pairs:
            figures.append(heatmap(data.studies, a, b, order_a=data.code_kinds.get(a), order_b=data.code_kinds.get(b)))
    figures.append(theory_graph(data.cmocs, data.studies))
    return figures


def _default_pairs(data: ReportData) -> list[tuple[str, str]]:
    used = {k for s in data.studies for k in s.codes}
    pairs = [
        (a, b)
        for a, b in (("intervention", "outcome"), ("intervention", "mechanism"), ("context", "mechanism"))
        if a in used and b in used
    ]
    return pairs or [("intervention", "outcome")]
