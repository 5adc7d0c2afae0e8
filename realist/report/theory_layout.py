"""The programme theory graph's layout, without drawing: one place for the report and the web.

Study CMO configurations become edges context → mechanism → outcome (context
→ outcome when a configuration has no mechanism), each weighted by the
studies that join its two codes; review-level statements (no study) add
nothing.  Mechanisms are ordered by the number of studies behind them;
contexts and outcomes by the mean position of the mechanisms they join
(barycentre), so that edges cross as little as this simple rule allows.

:func:`theory_layout` returns a :class:`TheoryLayout`: the edges, the nodes
with their studies, the order of each column and each node's position in
abstract units (column 0, 1, 2; rows centred on 0).
:func:`realist.report.plots.theory_graph` draws it with matplotlib for the
report; :meth:`TheoryLayout.scene` gives pixel boxes and edge paths for an
SVG drawn by hand (the web app's programme theory page).  Pure: no store.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

__all__ = ["COLUMNS", "Edge", "TheoryLayout", "theory_layout"]

COLUMNS = ("context", "mechanism", "outcome")
Edge = tuple[str, str, str, str]  # (from role, from node, to role, to node)


@dataclass
class TheoryLayout:
    """Edges -> supporting studies; nodes per role -> studies; column order; positions."""

    edges: dict[Edge, set[str]] = field(default_factory=dict)
    nodes: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    order: dict[str, list[str]] = field(default_factory=dict)
    coords: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)

    @property
    def tallest(self) -> int:
        return max((len(v) for v in self.order.values()), default=0)

    @property
    def top(self) -> int:
        """The most studies behind any one edge."""
        return max((len(v) for v in self.edges.values()), default=0)

    def scene(
        self,
        *,
        names: Mapping[str, str] | None = None,
        column_width: int = 300,
        box_width: int = 220,
        row_height: int = 76,
        chars_per_line: int = 28,
    ) -> dict[str, Any]:
        """Pixel geometry for an SVG: boxes (with wrapped label lines) and cubic edge paths.

        ``names`` maps a node id to the label shown (default: the id).  Edges
        come lightest first, so heavier ones are drawn on top.
        """
        names = names or {}
        ys = [y for (_, y) in self.coords.values()] or [0.0]
        y_hi = max(ys)
        margin_top = 48
        nodes = []
        centre: dict[tuple[str, str], tuple[float, float, float]] = {}
        for (role, node), (x, y) in self.coords.items():
            label = names.get(node, node)
            lines = textwrap.wrap(label, chars_per_line) or [label]
            height = 18 + 16 * len(lines)
            cx = column_width / 2 + x * column_width
            cy = margin_top + (y_hi - y) * row_height + row_height / 2
            centre[(role, node)] = (cx, cy, height)
            nodes.append(
                {
                    "role": role,
                    "id": node,
                    "label": label,
                    "lines": lines,
                    "x": round(cx - box_width / 2, 1),
                    "y": round(cy - height / 2, 1),
                    "width": box_width,
                    "height": height,
                    "text_x": round(cx, 1),
                    "text_y": round(cy - 8 * (len(lines) - 1) + 5, 1),
                    "studies": sorted(self.nodes[role][node]),
                }
            )
        edges = []
        top = self.top or 1
        for (ra, a, rb, b), who in sorted(self.edges.items(), key=lambda kv: (len(kv[1]), kv[0])):
            x0, y0, _ = centre[(ra, a)]
            x1, y1, _ = centre[(rb, b)]
            x0 += box_width / 2
            x1 -= box_width / 2
            mid = (x0 + x1) / 2
            edges.append(
                {
                    "from_role": ra,
                    "from": a,
                    "to_role": rb,
                    "to": b,
                    "from_label": names.get(a, a),
                    "to_label": names.get(b, b),
                    "studies": sorted(who),
                    "path": f"M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}",
                    "width": round(1.5 + 8 * len(who) / top, 1),
                    "label_x": round(mid, 1),
                    "label_y": round((y0 + y1) / 2 + 4, 1),
                    "show_count": len(who) > 1 or top == 1,  # as the report's figure: ones are not labelled
                }
            )
        width = column_width * len(COLUMNS)
        span = margin_top + (max(ys) - min(ys) + 1) * row_height + 16
        headings = [{"role": r, "x": column_width / 2 + i * column_width} for i, r in enumerate(COLUMNS)]
        return {"width": width, "height": round(span), "nodes": nodes, "edges": edges, "headings": headings}


def theory_layout(cmocs: Iterable[tuple[str | None, Mapping[str, Sequence[str]]]]) -> TheoryLayout:
    """Lay out ``(study, {role: [node, ...]})`` pairs (one per CMOC; study None: not drawn)."""
    edges: dict[Edge, set[str]] = defaultdict(set)
    for who, elements in cmocs:
        if not who:  # a review-level statement: no study supports it by itself
            continue
        for left, right in (("context", "mechanism"), ("mechanism", "outcome")):
            for a in elements.get(left, []):
                for b in elements.get(right, []):
                    edges[(left, a, right, b)].add(who)
        if not elements.get("mechanism"):
            for a in elements.get("context", []):
                for b in elements.get("outcome", []):
                    edges[("context", a, "outcome", b)].add(who)
    layout = TheoryLayout(edges=dict(edges))
    if not edges:
        layout.nodes = {r: {} for r in COLUMNS}
        layout.order = {r: [] for r in COLUMNS}
        return layout
    nodes: dict[str, dict[str, set[str]]] = {r: defaultdict(set) for r in COLUMNS}
    for (ra, a, rb, b), supporters in edges.items():
        nodes[ra][a] |= supporters
        nodes[rb][b] |= supporters
    order: dict[str, list[str]] = {}
    order["mechanism"] = sorted(nodes["mechanism"], key=lambda n: (-len(nodes["mechanism"][n]), n))
    pos = {("mechanism", n): i for i, n in enumerate(order["mechanism"])}
    for role in ("context", "outcome"):

        def bary(n: str, role: str = role) -> float:
            ys = [
                pos.get(("mechanism", b if ra == role else a), 0)
                for (ra, a, rb, b) in edges
                if (ra == role and a == n) or (rb == role and b == n)
            ]
            return float(fmean(ys)) if ys else 0.0

        order[role] = sorted(nodes[role], key=lambda n: (bary(n), n))
    tallest = max(len(v) for v in order.values())
    coords: dict[tuple[str, str], tuple[float, float]] = {}
    for x, role in enumerate(COLUMNS):
        names = order[role]
        for i, n in enumerate(names):
            y = (len(names) - 1) / 2 - i
            coords[(role, n)] = (float(x), y * (tallest / max(len(names), 1)) ** 0.35)
    layout.nodes = {r: dict(v) for r, v in nodes.items()}
    layout.order = order
    layout.coords = coords
    return layout
