"""Template filters: presentation only (escaping first, then marking terms)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from jinja2 import Environment
from markupsafe import Markup, escape

from .i18n import N_, format_number, format_percent, gettext

__all__ = ["highlight", "register_filters", "STAGE_LABELS", "WORDS"]

STAGE_LABELS = {"title_abstract": N_("Title and abstract"), "full_text": N_("Full text")}

# Values the library stores in English and pages show as words (``|word``): decisions,
# statuses, roles, source kinds, record fields, job summary keys.  Unknown values pass as-is.
WORDS = {
    "include": N_("include"),
    "exclude": N_("exclude"),
    "maybe": N_("maybe"),
    "only": N_("only"),
    "included": N_("included"),
    "excluded": N_("excluded"),
    "conflict": N_("conflict"),
    "pending": N_("pending"),
    "owner": N_("owner"),
    "reviewer": N_("reviewer"),
    "viewer": N_("viewer"),
    "database": N_("database search"),
    "citation": N_("citation chasing"),
    "hand_search": N_("hand search"),
    "other": N_("other"),
    "title": N_("title"),
    "authors": N_("authors"),
    "year": N_("year"),
    "journal": N_("journal"),
    "doi": N_("DOI"),
    "records": N_("records"),
    "groups": N_("groups"),
    "duplicates": N_("duplicates"),
    "new_merges": N_("new merges"),
    "dry_run": N_("dry run"),
}


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
        label = gettext("inclusion term") if kind == "inc" else gettext("exclusion term")
        return f'<mark class="{kind}" title="{label}">{m.group(1)}</mark>'

    # Terms are matched in the escaped text, outside entities (&amp; ...).
    parts = re.split(r"(&[a-z#0-9]+;)", safe)
    return Markup("".join(p if p.startswith("&") and p.endswith(";") else pattern.sub(mark, p) for p in parts))


def _stage(value: str) -> str:
    return gettext(STAGE_LABELS[value]) if value in STAGE_LABELS else value


def _word(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return gettext(WORDS[text]) if text in WORDS else text.replace("_", " ")


def _pct(value: float | None) -> str:
    return format_percent(value)


def _num(value: float | None, digits: int = 2) -> str:
    return format_number(value, digits)


def register_filters(env: Environment) -> None:
    env.filters["highlight"] = highlight
    env.filters["stage"] = _stage
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    env.filters["word"] = _word
