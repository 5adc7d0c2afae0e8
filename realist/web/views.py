"""Template filters: presentation only (escaping first, then marking terms)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from jinja2 import Environment
from markupsafe import Markup, escape

__all__ = ["highlight", "register_filters", "STAGE_LABELS"]

STAGE_LABELS = {"title_abstract": "Title and abstract", "full_text": "Full text"}


def highlight(text: str | None, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> Markup:
    """``text`` escaped, with inclusion and exclusion terms wrapped in ``<mark>``."""
    safe = str(escape(text or ""))
    terms = [(t, "inc") for t in include if t.strip()] + [(t, "exc") for t in exclude if t.strip()]
    if not terms:
        return Markup(safe)
    kinds = {str(escape(t.strip())).lower(): kind for t, kind in terms}
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(k) for k in sorted(kinds, key=len, reverse=True)) + r")", re.IGNORECASE
    )

    def mark(m: re.Match[str]) -> str:
        kind = kinds.get(m.group(1).lower(), "inc")
        label = "inclusion term" if kind == "inc" else "exclusion term"
        return f'<mark class="{kind}" title="{label}">{m.group(1)}</mark>'

    # Terms are matched in the escaped text, outside entities (&amp; ...).
    parts = re.split(r"(&[a-z#0-9]+;)", safe)
    return Markup("".join(p if p.startswith("&") and p.endswith(";") else pattern.sub(mark, p) for p in parts))


def _stage(value: str) -> str:
    return STAGE_LABELS.get(value, value)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def register_filters(env: Environment) -> None:
    env.filters["highlight"] = highlight
    env.filters["stage"] = _stage
    env.filters["pct"] = _pct
    env.filters["num"] = _num
