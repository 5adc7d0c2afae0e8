"""Shared figure plumbing: the house style, text measuring, SVG/PNG/PDF output.

Every figure of the report is a :class:`Figure`: an accessible SVG (text
kept as text, with ``<title>`` and ``<desc>``), a PNG for documents, and the
plain data it shows (so tests and the text of the report can use it).
matplotlib runs on the Agg backend; nothing is downloaded.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import rcParams
from matplotlib.figure import Figure as MplFigure
from matplotlib.font_manager import FontProperties

__all__ = [
    "Figure",
    "FONT",
    "INK",
    "MUTED",
    "ACCENT",
    "PALETTE",
    "measure",
    "wrap",
    "render",
    "svg_tooltips",
    "new_figure",
]

FONT = "DejaVu Sans"  # ships with matplotlib: the same metrics everywhere
SVG_FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#d9dee3"
ACCENT = "#2b6cb0"
PALETTE = ["#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030", "#b7791f", "#319795", "#d53f8c"]

rcParams.update(
    {
        "font.family": FONT,
        "font.size": 10,
        "svg.fonttype": "none",  # text stays text in SVG
        "pdf.fonttype": 42,
        "axes.edgecolor": MUTED,
        "axes.labelcolor": INK,
        "axes.titleweight": "bold",
        "axes.titlesize": 12,
        "axes.titlelocation": "left",
        "xtick.color": INK,
        "ytick.color": INK,
        "text.color": INK,
        "svg.hashsalt": "realist",  # stable ids: identical input gives identical SVG
    }
)


@dataclass
class Figure:
    """One figure of the report, in every form the outputs need."""

    name: str
    title: str
    caption: str
    svg: str
    png: bytes
    pdf: bytes | None = None
    data: dict[str, Any] = field(default_factory=dict)
    empty: bool = False  # True when the figure says that its data is missing

    def write(self, out_dir: str | Path, formats: tuple[str, ...] = ("svg", "png")) -> list[Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for fmt in formats:
            path = out / f"{self.name}.{fmt}"
            if fmt == "svg":
                path.write_text(self.svg, encoding="utf-8")
            elif fmt == "png":
                path.write_bytes(self.png)
            elif fmt == "pdf" and self.pdf is not None:
                path.write_bytes(self.pdf)
            else:
                continue
            paths.append(path)
        return paths


@lru_cache(maxsize=4)
def _renderer() -> Any:
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(10, 10, 72)


@lru_cache(maxsize=4096)
def measure(text: str, size: float = 10.0, bold: bool = False) -> float:
    """Width of ``text`` in points, in the house font."""
    prop = FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")
    width, _, _ = _renderer().get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def wrap(text: str, width: float, size: float = 10.0, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` points (a word longer than a line stays whole)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in (w for w in paragraph.split(" ") if w):  # no-break spaces hold
            trial = f"{line} {word}" if line else word
            if line and measure(trial, size, bold) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def new_figure(width_in: float, height_in: float) -> MplFigure:
    """A figure not tied to pyplot (no global state, no GUI)."""
    fig = MplFigure(figsize=(width_in, height_in), facecolor="white")
    return fig


def _accessible(svg: str, title: str, desc: str) -> str:
    svg = re.sub(r"<!--.*?-->\s*", "", svg, count=1, flags=re.S)  # generator comment
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    head = f'<title id="t">{html.escape(title)}</title>\n<desc id="d">{html.escape(desc)}</desc>\n'
    return re.sub(
        r"<svg([^>]*)>", lambda m: f'<svg{m.group(1)} role="img" aria-labelledby="t d">\n{head}', svg, count=1
    )


def render(
    fig: MplFigure,
    *,
    name: str,
    title: str,
    caption: str,
    desc: str,
    data: dict[str, Any] | None = None,
    tooltips: dict[str, str] | None = None,
    pdf: bool = False,
    empty: bool = False,
    dpi: int = 200,
) -> Figure:
    """Render a matplotlib figure to an accessible SVG, a PNG (and a PDF)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.1)
    svg = _accessible(buf.getvalue(), title, desc)
    if tooltips:
        svg = svg_tooltips(svg, tooltips)
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.1)
    pdf_bytes = None
    if pdf:
        pbuf = io.BytesIO()
        fig.savefig(
            pbuf,
            format="pdf",
            bbox_inches="tight",
            pad_inches=0.1,
            metadata={"Title": title, "Creator": "realist", "CreationDate": None},
        )
        pdf_bytes = pbuf.getvalue()
    return Figure(name, title, caption, svg, png.getvalue(), pdf_bytes, dict(data or {}), empty)


def svg_tooltips(svg: str, tooltips: dict[str, str]) -> str:
    """Add a hover ``<title>`` to each SVG group whose id is a key of ``tooltips``."""

    def add(match: re.Match[str]) -> str:
        gid = match.group(1)
        tip = tooltips.get(gid)
        if tip is None:
            return match.group(0)
        return f"{match.group(0)}\n   <title>{html.escape(tip)}</title>"

    return re.sub(r'<g id="([^"]+)"[^>]*>', add, svg)
