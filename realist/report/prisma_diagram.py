"""The PRISMA 2020 flow diagram, drawn from :class:`~realist.report.prisma.PrismaCounts`.

Box names and layout follow the official PRISMA 2020 templates (new
reviews with databases, registers and other sources; updated reviews with
the previous-studies column).  One layout — boxes, lines of text, arrows,
measured with the font metrics of DejaVu Sans — is drawn twice: as an
accessible SVG written by hand (text as text, one ``<g>`` per box with an
``aria-label``) and with matplotlib for PNG and PDF.
"""

from __future__ import annotations

import html
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from .figures import INK, SVG_FONT, Figure, measure, new_figure, wrap
from .prisma import PrismaCounts

__all__ = ["Box", "Layout", "layout", "diagram_svg", "diagram_figure", "write_diagram", "DIAGRAM_FORMATS"]

DIAGRAM_FORMATS = ("svg", "png", "pdf", "csv")
SIZE = 9.5
LINE = 12.5
PAD = 6.0
GAP = 26.0
MAIN_W = 168.0
SIDE_W = 168.0
PREV_W = 150.0
BAR_W = 24.0
MARGIN = 10.0
MANUAL = "\u2020"
NBSP = "\u00a0"

YELLOW = "#fcd667"
GREY = "#d9d9d9"
BLUE = "#a9c7e8"


@dataclass
class Box:
    id: str
    lines: list[tuple[str, bool, float]]  # (text, bold, indent)
    x: float = 0.0
    y: float = 0.0
    w: float = MAIN_W
    h: float = 0.0
    fill: str = "#ffffff"
    kind: str = "box"  # box | title | phase
    label: str = ""  # accessible name

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Layout:
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    arrows: list[list[tuple[float, float]]] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)

    def box(self, box_id: str) -> Box:
        return next(b for b in self.boxes if b.id == box_id)

    def texts(self) -> list[str]:
        return [t for b in self.boxes for t, _, _ in b.lines] + self.footnotes


def _n(value: int, manual: bool = False) -> str:
    mark = NBSP + MANUAL if manual else ""
    return f"(n{NBSP}={NBSP}{value:,}){mark}"


def _content(
    title: str, items: list[tuple[str, int, bool]], width: float, total: tuple[int, bool] | None = None
) -> list[tuple[str, bool, float]]:
    """A heading with an optional total, then one indented line per item."""
    lines: list[tuple[str, bool, float]] = []
    head = title if total is None else f"{title} {_n(*total)}"
    lines += [(t, False, 0.0) for t in wrap(head, width - 2 * PAD, SIZE)]
    for text, value, manual in items:
        for i, t in enumerate(wrap(f"{text} {_n(value, manual)}", width - 2 * PAD - 10, SIZE)):
            lines.append((t, False, 10.0 if i == 0 else 18.0))
    return lines


def _height(lines: list[tuple[str, bool, float]]) -> float:
    return 2 * PAD + LINE * len(lines) - (LINE - SIZE * 1.05)


@dataclass
class _Columns:
    """Left edges of the template's columns: previous version, databases (+ side), other methods (+ side)."""

    prev: float
    main: float
    main_side: float
    other: float
    other_side: float
    width: float


def _columns(counts: PrismaCounts) -> _Columns:
    x = MARGIN + BAR_W + 12
    px = x
    if counts.is_update:
        x += PREV_W + GAP
    ax, asx = x, x + MAIN_W + GAP
    x = asx + SIDE_W
    bx = bsx = 0.0
    if counts.has_other_methods:
        bx = x + GAP + 6
        bsx = bx + MAIN_W + GAP
        x = bsx + SIDE_W
    return _Columns(px, ax, asx, bx, bsx, x + MARGIN)


class _Boxes(dict[str, Box]):
    """The boxes of one diagram by id, in the order they are added (the drawing order)."""

    def __init__(self, counts: PrismaCounts) -> None:
        super().__init__()
        self.manual = counts.manual

    def add(
        self,
        box_id: str,
        lines: list[tuple[str, bool, float]],
        x: float,
        w: float,
        *,
        fill: str = "#ffffff",
        kind: str = "box",
    ) -> Box:
        box = Box(box_id, lines, x, 0.0, w, _height(lines), fill, kind, " ".join(t for t, _, _ in lines))
        self[box_id] = box
        return box

    def count(
        self,
        box_id: str,
        title: str,
        value: int,
        key: str,
        x: float,
        w: float,
        extra: list[tuple[str, int, bool]] | None = None,
    ) -> Box:
        """A box with one total (marked when counted by hand) and optional indented items."""
        return self.add(box_id, _content(title, extra or [], w, (value, key in self.manual)), x, w)


def _title_row(c: PrismaCounts, col: _Columns, boxes: _Boxes) -> None:
    new = "new " if c.is_update else ""
    add = boxes.add
    add(
        "D0",
        [
            (t, True, 0.0)
            for t in wrap(
                f"Identification of {new}studies via databases and registers",
                MAIN_W + GAP + SIDE_W - 2 * PAD,
                SIZE + 0.5,
                True,
            )
        ],
        col.main,
        MAIN_W + GAP + SIDE_W,
        fill=YELLOW,
        kind="title",
    )
    if c.has_other_methods:
        add(
            "O0",
            [
                (t, True, 0.0)
                for t in wrap(
                    f"Identification of {new}studies via other methods",
                    MAIN_W + GAP + SIDE_W - 2 * PAD,
                    SIZE + 0.5,
                    True,
                )
            ],
            col.other,
            MAIN_W + GAP + SIDE_W,
            fill=GREY,
            kind="title",
        )
    if c.is_update:
        add("P1", [("Previous studies", True, 0.0)], col.prev, PREV_W, fill=GREY, kind="title")


def _identification_row(c: PrismaCounts, col: _Columns, boxes: _Boxes) -> None:
    m = c.manual
    db_manual = "databases" in m or "database_results" in m
    db_items = [(name, n, db_manual or f"source:{name}" in m) for name, n in c.databases.items()]
    reg_manual = "registers" in m or "register_results" in m
    if len(db_items) > 1 or (db_items and db_items[0][0] != "Databases"):
        items = [("Databases", c.database_results, db_manual)] + [(f"\u2013 {a}", b, d) for a, b, d in db_items[:8]]
    else:
        items = [("Databases", c.database_results, db_manual)]
    items.append(("Registers", c.register_results, reg_manual))
    boxes.add("D1", _content("Records identified from:", items, MAIN_W), col.main, MAIN_W)
    boxes.add(
        "D2",
        _content(
            "Records removed before screening:",
            [
                ("Duplicate records removed", c.duplicates, "duplicates" in m),
                ("Records marked as ineligible by automation tools", c.excluded_automatic, "excluded_automatic" in m),
                ("Records removed for other reasons", c.excluded_other, "excluded_other" in m),
            ],
            SIDE_W,
        ),
        col.main_side,
        SIDE_W,
    )
    if c.has_other_methods:
        o_items = [(k, v, f"other:{k}" in m) for k, v in c.other_methods.items()] or [("Other methods", 0, False)]
        boxes.add("O1", _content("Records identified from:", o_items, MAIN_W), col.other, MAIN_W)
    if c.is_update:
        boxes.add(
            "P2",
            _content(
                "Studies included in previous version of review",
                [],
                PREV_W,
                (c.previous_studies or 0, "previous_studies" in m),
            )
            + _content(
                "Reports of studies included in previous version of review",
                [],
                PREV_W,
                (c.previous_reports or 0, "previous_reports" in m),
            ),
            col.prev,
            PREV_W,
        )


def _screening_rows(c: PrismaCounts, col: _Columns, boxes: _Boxes) -> None:
    m = c.manual
    ax, asx, bx, bsx = col.main, col.main_side, col.other, col.other_side
    count = boxes.count
    count("D3", "Records screened", c.records_screened, "records_screened", ax, MAIN_W)
    waiting_ta = c.awaiting.get("records", 0)
    count(
        "D4",
        "Records excluded",
        c.records_excluded,
        "records_excluded",
        asx,
        SIDE_W,
        [("Awaiting a screening decision", waiting_ta, False)] if waiting_ta else None,
    )
    count("D5", "Reports sought for retrieval", c.dbr_sought_reports, "dbr_sought_reports", ax, MAIN_W)
    count("D6", "Reports not retrieved", c.dbr_notretrieved_reports, "dbr_notretrieved_reports", asx, SIDE_W)
    count("D7", "Reports assessed for eligibility", c.dbr_assessed, "dbr_assessed", ax, MAIN_W)
    boxes.add(
        "D8", _excluded(c.dbr_excluded, "dbr_excluded" in m, m, c.awaiting.get("dbr_reports", 0), SIDE_W), asx, SIDE_W
    )
    if c.has_other_methods:
        count("O2", "Reports sought for retrieval", c.other_sought_reports, "other_sought_reports", bx, MAIN_W)
        count("O3", "Reports not retrieved", c.other_notretrieved_reports, "other_notretrieved_reports", bsx, SIDE_W)
        count("O4", "Reports assessed for eligibility", c.other_assessed, "other_assessed", bx, MAIN_W)
        boxes.add(
            "O5",
            _excluded(c.other_excluded, "other_excluded" in m, m, c.awaiting.get("other_reports", 0), SIDE_W),
            bsx,
            SIDE_W,
        )


def _included_row(c: PrismaCounts, col: _Columns, boxes: _Boxes) -> None:
    m, prev = c.manual, c.is_update
    inc_title = "New studies included in review" if prev else "Studies included in review"
    boxes.add(
        "I1",
        _content(inc_title, [], MAIN_W, (c.new_studies, "new_studies" in m))
        + _content(
            "Reports of new included studies" if prev else "Reports of included studies",
            [],
            MAIN_W,
            (c.new_reports, "new_reports" in m),
        ),
        col.main,
        MAIN_W,
    )
    if prev:
        boxes.add(
            "I2",
            _content("Total studies included in review", [], PREV_W, (c.total_studies, False))
            + _content("Reports of total included studies", [], PREV_W, (c.total_reports, False)),
            col.prev,
            PREV_W,
        )


#: The template's rows, top to bottom; a box absent from a diagram is skipped.
_ROWS = [
    ["D0", "O0", "P1"],
    ["D1", "D2", "O1", "P2"],
    ["D3", "D4"],
    ["D5", "D6", "O2", "O3"],
    ["D7", "D8", "O4", "O5"],
    ["I1", "I2"],
]


def _place_rows(boxes: _Boxes) -> tuple[list[tuple[float, float]], float]:
    """Give every row one height (its tallest box); returns each row's (top, height) and the diagram's height."""
    y = MARGIN
    row_y: list[tuple[float, float]] = []
    for i, row in enumerate(_ROWS):
        present = [boxes[b] for b in row if b in boxes]
        h = max(b.h for b in present)
        label = {1: "Identification", 5: "Included"}.get(i)
        if label:  # room for the rotated phase label
            h = max(h, measure(label, SIZE + 0.5, True) + 16)
        for b in present:
            b.y, b.h = y, h
        row_y.append((y, h))
        y += h + (16 if i == 0 else 26)
    return row_y, y - 26 + MARGIN


def _phase_bars(boxes: _Boxes, row_y: list[tuple[float, float]]) -> None:
    """The rotated phase labels at the left, each spanning its rows."""
    for box_id, label, first, last in (
        ("identification", "Identification", 1, 1),
        ("screening", "Screening", 2, 4),
        ("included", "Included", 5, 5),
    ):
        top = row_y[first][0]
        bottom = row_y[last][0] + row_y[last][1]
        boxes[box_id] = Box(box_id, [(label, True, 0.0)], MARGIN, top, BAR_W, bottom - top, BLUE, "phase", label)


def _arrows(c: PrismaCounts, boxes: _Boxes) -> list[list[tuple[float, float]]]:
    arrows: list[list[tuple[float, float]]] = []

    def down(a: str, b: str) -> None:
        arrows.append([(boxes[a].cx, boxes[a].y + boxes[a].h), (boxes[b].cx, boxes[b].y)])

    def right(a: str, b: str) -> None:
        arrows.append([(boxes[a].x + boxes[a].w, boxes[a].cy), (boxes[b].x, boxes[b].cy)])

    for upper, lower in (("D1", "D3"), ("D3", "D5"), ("D5", "D7"), ("D7", "I1")):
        down(upper, lower)
    for left, beside in (("D1", "D2"), ("D3", "D4"), ("D5", "D6"), ("D7", "D8")):
        right(left, beside)
    if c.has_other_methods:
        down("O1", "O2")
        down("O2", "O4")
        right("O2", "O3")
        right("O4", "O5")
        o4, i1 = boxes["O4"], boxes["I1"]
        arrows.append([(o4.cx, o4.y + o4.h), (o4.cx, i1.cy), (i1.x + i1.w, i1.cy)])
    if c.is_update:
        down("P2", "I2")
        i1, i2 = boxes["I1"], boxes["I2"]
        arrows.append([(i1.x, i1.cy), (i2.x + i2.w, i2.cy)])
    return arrows


def layout(counts: PrismaCounts) -> Layout:
    """Place every box of the template for these counts.

    Columns first (the previous-version and other-methods columns only when
    used), then the boxes row by row, then one height per row, the phase
    bars, the arrows and the footnotes.
    """
    col = _columns(counts)
    boxes = _Boxes(counts)
    _title_row(counts, col, boxes)
    _identification_row(counts, col, boxes)
    _screening_rows(counts, col, boxes)
    _included_row(counts, col, boxes)
    row_y, height = _place_rows(boxes)
    _phase_bars(boxes, row_y)
    arrows = _arrows(counts, boxes)
    phases = ("identification", "screening", "included")
    ordered = [boxes[k] for k in phases] + [b for k, b in boxes.items() if k not in phases]
    footnotes = []
    if counts.manual:
        footnotes.append(
            f"{MANUAL} Includes counts made outside realist and entered by hand (protocol.yaml or a source's details)."
        )
    if footnotes:
        height += LINE * len(footnotes) + 10
    return Layout(col.width, height, ordered, arrows, footnotes)


def _excluded(
    reasons: dict[str, int], manual_all: bool, manual: set[str], waiting: int, width: float
) -> list[tuple[str, bool, float]]:
    total = sum(reasons.values())
    items = [
        (reason, n, manual_all or f"other_excluded:{reason}" in manual or f"dbr_excluded:{reason}" in manual)
        for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    if waiting:
        items.append(("Awaiting an eligibility decision", waiting, False))
    lines = _content("Reports excluded", [], width, (total, False))
    if items:
        lines[-1] = (lines[-1][0] + ":", False, 0.0)
        lines += _content("", items, width)[1:]
    return lines


# ------------------------------------------------------------------ SVG


def diagram_svg(counts: PrismaCounts, lay: Layout | None = None) -> str:
    """The diagram as an accessible SVG string."""
    lay = lay or layout(counts)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" '
        f'width="{lay.width:.0f}" height="{lay.height:.0f}" role="img" aria-labelledby="prisma-title prisma-desc" '
        f'font-family="{SVG_FONT}" font-size="{SIZE}">',
        '<title id="prisma-title">PRISMA 2020 flow diagram</title>',
        f'<desc id="prisma-desc">{html.escape(describe(counts))}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker></defs>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for box in lay.boxes:
        rx = 4 if box.kind != "box" else 2
        out.append(f'<g id="{box.id}" aria-label="{html.escape(box.label)}">')
        out.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" '
            f'rx="{rx}" fill="{box.fill}" stroke="{INK if box.kind == "box" else "none"}" '
            'stroke-width="0.9"/>'
        )
        if box.kind == "phase":
            out.append(
                f'<text transform="translate({box.cx:.1f},{box.cy:.1f}) rotate(-90)" '
                f'text-anchor="middle" dominant-baseline="central" font-weight="bold" '
                f'font-size="{SIZE + 0.5}" fill="{INK}">{html.escape(box.lines[0][0])}</text>'
            )
        elif box.kind == "title":
            y0 = box.cy - (len(box.lines) - 1) * LINE / 2
            for i, (text, _, _) in enumerate(box.lines):
                out.append(
                    f'<text x="{box.cx:.1f}" y="{y0 + i * LINE:.1f}" text-anchor="middle" '
                    f'dominant-baseline="central" font-weight="bold" font-size="{SIZE + 0.5}" '
                    f'fill="{INK}">{html.escape(text)}</text>'
                )
        else:
            y0 = box.y + PAD + SIZE * 0.8
            for i, (text, bold, indent) in enumerate(box.lines):
                weight = ' font-weight="bold"' if bold else ""
                out.append(
                    f'<text x="{box.x + PAD + indent:.1f}" y="{y0 + i * LINE:.1f}"{weight} '
                    f'fill="{INK}">{html.escape(text)}</text>'
                )
        out.append("</g>")
    for points in lay.arrows:
        d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points))
        out.append(f'<path d="{d}" fill="none" stroke="{INK}" stroke-width="1.1" marker-end="url(#arrow)"/>')
    for i, note in enumerate(lay.footnotes):
        y = lay.height - MARGIN - (len(lay.footnotes) - 1 - i) * LINE
        out.append(f'<text x="{MARGIN:.1f}" y="{y:.1f}" font-size="{SIZE - 1}" fill="{INK}">{html.escape(note)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def describe(counts: PrismaCounts) -> str:
    """A one-paragraph text equivalent of the diagram (for screen readers and alt text)."""
    c = counts
    parts = [f"{c.identified} records identified"]
    if c.database_results or c.register_results:
        parts.append(f"{c.database_results} from databases and {c.register_results} from registers")
    if c.other_methods:
        parts.append("from other methods: " + ", ".join(f"{k.lower()} {v}" for k, v in c.other_methods.items()))
    parts.append(f"{c.duplicates} duplicates removed")
    if c.records_screened:
        parts.append(f"{c.records_screened} records screened, {c.records_excluded} excluded")
        parts.append(f"{c.dbr_assessed} reports assessed for eligibility, {sum(c.dbr_excluded.values())} excluded")
    if c.has_other_methods:
        parts.append(
            f"{c.other_assessed} reports from other methods assessed, {sum(c.other_excluded.values())} excluded"
        )
    parts.append(f"{c.new_studies} studies ({c.new_reports} reports) included")
    if c.is_update:
        parts.append(f"{c.total_studies} studies in total with the previous version")
    return "PRISMA 2020 flow diagram: " + "; ".join(parts) + "."


# ------------------------------------------------------------------ matplotlib


def diagram_figure(counts: PrismaCounts, *, dpi: int = 200) -> Figure:
    """The diagram as a report :class:`Figure` (SVG, PNG and PDF)."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    lay = layout(counts)
    fig = new_figure(lay.width / 72, lay.height / 72)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height, 0)
    ax.axis("off")
    for box in lay.boxes:
        ax.add_patch(
            FancyBboxPatch(
                (box.x, box.y),
                box.w,
                box.h,
                boxstyle=f"round,pad=0,rounding_size={4 if box.kind != 'box' else 2}",
                facecolor=box.fill,
                edgecolor=INK if box.kind == "box" else "none",
                linewidth=0.9,
            )
        )
        if box.kind == "phase":
            ax.text(
                box.cx,
                box.cy,
                box.lines[0][0],
                rotation=90,
                ha="center",
                va="center",
                fontsize=SIZE + 0.5,
                fontweight="bold",
                color=INK,
            )
        elif box.kind == "title":
            y0 = box.cy - (len(box.lines) - 1) * LINE / 2
            for i, (text, _, _) in enumerate(box.lines):
                ax.text(
                    box.cx,
                    y0 + i * LINE,
                    text,
                    ha="center",
                    va="center",
                    fontsize=SIZE + 0.5,
                    fontweight="bold",
                    color=INK,
                )
        else:
            y0 = box.y + PAD + SIZE * 0.8
            for i, (text, bold, indent) in enumerate(box.lines):
                ax.text(
                    box.x + PAD + indent,
                    y0 + i * LINE,
                    text,
                    ha="left",
                    va="baseline",
                    fontsize=SIZE,
                    fontweight="bold" if bold else "normal",
                    color=INK,
                )
    for points in lay.arrows:
        for (x0, y0), (x1, y1) in itertools.pairwise(points[:-1]):
            ax.plot([x0, x1], [y0, y1], color=INK, linewidth=1.1, solid_capstyle="butt")
        (x0, y0), (x1, y1) = points[-2], points[-1]
        ax.add_patch(
            FancyArrowPatch(
                (x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=9, color=INK, linewidth=1.1, shrinkA=0, shrinkB=0
            )
        )
    for i, note in enumerate(lay.footnotes):
        y = lay.height - MARGIN - (len(lay.footnotes) - 1 - i) * LINE
        ax.text(MARGIN, y, note, fontsize=SIZE - 1, ha="left", va="baseline", color=INK)
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=dpi)
    pdf = io.BytesIO()
    fig.savefig(
        pdf, format="pdf", metadata={"Title": "PRISMA 2020 flow diagram", "Creator": "realist", "CreationDate": None}
    )
    return Figure(
        "prisma_flow",
        "PRISMA 2020 flow diagram",
        "Flow of records and reports through the review (PRISMA 2020 template).",
        diagram_svg(counts, lay),
        png.getvalue(),
        pdf.getvalue(),
        counts.to_dict(),
    )


def write_diagram(
    counts: PrismaCounts, out_dir: str | Path, formats: tuple[str, ...] = ("svg", "png", "pdf", "csv")
) -> list[Path]:
    """Write the diagram (and the counts as PRISMA2020-app CSV) to ``out_dir``."""
    from .prisma import write_prisma_csv

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    figure_formats = tuple(f for f in formats if f in ("svg", "png", "pdf"))
    if figure_formats:
        paths += diagram_figure(counts).write(out, figure_formats)
    if "csv" in formats:
        paths.append(write_prisma_csv(counts, out / "prisma_flow.csv"))
    return paths
