"""A world map of study countries that works offline.

The geometry is Natural Earth's 1:110m admin-0 countries (public domain),
shipped as ``data/world_110m.json`` (rings of lon/lat rounded to 0.1°,
Antarctica dropped; see the data README).  It is drawn in the Equal Earth
projection (Šavrič, Patterson & Jenny 2018) with matplotlib alone.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from matplotlib import patheffects

from .figures import INK, MUTED, Figure, new_figure, render

__all__ = ["world_geometry", "equal_earth", "world_map"]

_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = np.sqrt(3) / 2


@lru_cache(maxsize=1)
def world_geometry() -> dict[str, dict[str, Any]]:
    """ISO3 -> {"name", "continent", "rings"} from the shipped file."""
    text = resources.files("realist.report").joinpath("data/world_110m.json").read_text(encoding="utf-8")
    return dict(json.loads(text)["countries"])


def equal_earth(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equal Earth projection of degrees to unit-sphere coordinates."""
    lam = np.radians(lon)
    phi = np.radians(lat)
    theta = np.arcsin(_M * np.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * np.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


_SHADES = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"]


def _bins(maximum: int) -> list[tuple[int, int]]:
    if maximum <= 4:
        return [(i, i) for i in range(1, maximum + 1)]
    edges = np.unique(np.ceil(np.linspace(0, maximum, 5)).astype(int))
    return [(int(a) + 1, int(b)) for a, b in itertools.pairwise(edges)]


def world_map(
    country_counts: dict[str, int], names: dict[str, str], *, studies: dict[str, list[str]] | None = None
) -> Figure:
    """Countries shaded by number of studies, with a legend and labels of the counts."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    geometry = world_geometry()
    counts = Counter({k: v for k, v in country_counts.items() if v})
    fig = new_figure(10, 5.6)
    ax = fig.add_axes((0.01, 0.08, 0.98, 0.84))
    ax.set_aspect("equal")
    ax.axis("off")
    # graticule-free outline of the globe
    lat = np.linspace(-90, 90, 181)
    lx, ly = equal_earth(np.full_like(lat, -180.0), lat)
    rx, ry = equal_earth(np.full_like(lat, 180.0), lat)
    ax.fill(
        np.concatenate([lx, rx[::-1]]),
        np.concatenate([ly, ry[::-1]]),
        color="#f4f7fa",
        zorder=0,
        edgecolor="#c3ccd5",
        linewidth=0.6,
    )
    bins = _bins(max(counts.values())) if counts else []
    colours = _SHADES[-len(bins) :] if len(bins) <= len(_SHADES) else _SHADES

    def shade(n: int) -> str:
        for (lo, hi), colour in zip(bins, colours):
            if lo <= n <= hi:
                return colour
        return colours[-1]

    polys, faces = [], []
    for iso, country in geometry.items():
        colour = shade(counts[iso]) if iso in counts else "#dde3e9"
        for ring in country["rings"]:
            arr = np.asarray(ring, dtype=float)
            x, y = equal_earth(arr[:, 0], arr[:, 1])
            polys.append(np.column_stack([x, y]))
            faces.append(colour)
    ax.add_collection(PolyCollection(polys, facecolors=faces, edgecolors="white", linewidths=0.35))
    # count labels at each study country's largest ring centroid
    for iso, n in counts.items():
        shape = geometry.get(iso)
        if not shape:
            continue
        ring = max(shape["rings"], key=len)
        arr = np.asarray(ring, dtype=float)
        x, y = equal_earth(arr[:, 0], arr[:, 1])
        # dark text with a white halo reads on any shade, and where the centroid
        # of a thin country (Vietnam, Chile) falls just outside its outline
        ax.text(
            float(np.mean(x)),
            float(np.mean(y)),
            str(n),
            ha="center",
            va="center",
            fontsize=7.5,
            fontweight="bold",
            color=INK,
            path_effects=[patheffects.withStroke(linewidth=2.2, foreground="white")],
        )
    ax.set_xlim(-2.75, 2.75)
    ax.set_ylim(-1.34, 1.34)
    handles = [
        Patch(facecolor=c, edgecolor="none", label=f"{lo}" if lo == hi else f"{lo}\u2013{hi}")
        for (lo, hi), c in zip(bins, colours)
    ]
    if handles:
        ax.legend(
            handles=handles,
            title="Studies",
            loc="lower left",
            frameon=False,
            fontsize=8,
            title_fontsize=8.5,
            bbox_to_anchor=(0.0, 0.0),
        )
    unmapped = sorted(iso for iso in counts if iso not in geometry)
    title = "Countries where the included studies took place"
    fig.text(0.01, 0.97, title, fontsize=12, fontweight="bold", va="top", color=INK)
    if not counts:
        ax.text(0, 0.1, "No study countries recorded yet", ha="center", va="center", fontsize=13, color=MUTED)
    note = "Multi-country studies count once in each country."
    if unmapped:
        note += (
            " Too small to draw at this scale: " + ", ".join(f"{names.get(i, i)} ({counts[i]})" for i in unmapped) + "."
        )
    fig.text(0.01, 0.02, note, fontsize=8, color=MUTED)
    listed = ", ".join(f"{names.get(k, k)} {v}" for k, v in counts.most_common())
    desc = f"World map; studies per country: {listed or 'none recorded'}."
    data = {"countries": dict(counts.most_common()), "unmapped": unmapped}
    if studies:
        data["studies"] = studies
    return render(
        fig,
        name="map_countries",
        title=title,
        caption="Countries of the included studies (Natural Earth 1:110m, Equal Earth projection).",
        desc=desc,
        data=data,
        empty=not counts,
    )
