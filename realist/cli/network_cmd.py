"""Network search commands: chase, handsearch, enrich (OpenAlex, online or offline)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..network import DIRECTIONS, ENRICH_FIELDS
from ..network import chase as chase_fn
from ..network import enrich as enrich_fn
from ..network import handsearch as handsearch_fn
from ..network.sources import close_source, search_source, works_source
from .common import Context, Progress, echo_json, pass_review

__all__ = ["COMMANDS", "chase", "handsearch", "enrich"]


def openalex_settings(func: Callable[..., Any]) -> Callable[..., Any]:
    """How to reach OpenAlex: URL, polite-pool e-mail, API key, cache, offline."""
    return _with_options(
        func,
        [
            click.option(
                "--openalex-url",
                envvar="REALIST_OPENALEX_URL",
                default=None,
                help="OpenAlex API base URL (a mirror or test server). Env: REALIST_OPENALEX_URL.",
            ),
            click.option(
                "--mailto",
                envvar="REALIST_OPENALEX_MAILTO",
                default=None,
                help="E-mail for OpenAlex's polite pool. Env: REALIST_OPENALEX_MAILTO.",
            ),
            click.option(
                "--api-key",
                envvar="REALIST_OPENALEX_API_KEY",
                default=None,
                help="OpenAlex API key. Env: REALIST_OPENALEX_API_KEY.",
            ),
            click.option(
                "--cache-dir",
                type=click.Path(file_okay=False),
                default=None,
                help="Response cache (default: <review>/.realist/openalex-cache).",
            ),
            click.option("--offline", is_flag=True, help="Answer from the cache only; never call OpenAlex."),
        ],
    )


def openalex_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The OpenAlex settings, then ``--from`` saved works instead of the API
    (handsearch, whose ``--from`` is a date, names that ``--saved``)."""
    return openalex_settings(
        _with_options(
            func,
            [
                click.option(
                    "--from",
                    "from_paths",
                    multiple=True,
                    type=click.Path(exists=True),
                    help="Read saved OpenAlex works (JSON, JSON Lines, .zip, folder) instead of the API.",
                ),
            ],
        )
    )


def _with_options(func: Callable[..., Any], options: list[Callable[..., Any]]) -> Callable[..., Any]:
    """``func`` decorated with ``options``, listed in ``--help`` in that order."""
    for option in reversed(options):
        func = option(func)
    return func


def _settings(opts: dict[str, Any]) -> dict[str, Any]:
    return {
        "base_url": opts["openalex_url"],
        "mailto": opts["mailto"],
        "api_key": opts["api_key"],
        "cache_dir": opts["cache_dir"],
        "offline": opts["offline"],
    }


@contextmanager
def _progress(source: object) -> Iterator[Progress]:
    """Progress bars for one run against ``source``; afterwards, even on error,
    the bars are closed and so is the OpenAlex client behind ``source``."""
    try:
        with Progress() as bars:
            yield bars
    finally:
        close_source(source)


def _dedup_line(found: int, new: int | None) -> str:
    return "" if new is None else f"; {new} new after deduplication"


@click.command("chase")
@click.argument("direction", type=click.Choice(DIRECTIONS))
@click.option(
    "--seed", "seeds", multiple=True, help="A seed: a record id, DOI, pmid:ID or OpenAlex id (W...). Repeatable."
)
@click.option("--included", is_flag=True, help="Chase from every included record.")
@click.option(
    "--depth",
    type=click.IntRange(1, 3),
    default=1,
    show_default=True,
    help="Chase the works found again, this many rounds in all.",
)
@click.option("--name", default=None, help="Name of the source (default: describes the chase).")
@click.option(
    "--dedup/--no-dedup",
    default=True,
    show_default=True,
    help="Deduplicate afterwards, so works already in the review are merged.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@openalex_options
@pass_review
def chase(
    ctx: Context,
    /,
    direction: str,
    seeds: tuple[str, ...],
    included: bool,
    depth: int,
    name: str | None,
    dedup: bool,
    as_json: bool,
    **opts: Any,
) -> None:
    """Citation chasing: BACKWARD (reference lists), FORWARD (citing works) or BOTH.

    Every work found is stored as a record of a new source of kind
    `citation` (PRISMA: other methods) that remembers its seed(s) and the
    direction. Nothing is written unless everything could be fetched.
    """
    review = ctx.review()
    source = works_source(review, saved=opts["from_paths"], **_settings(opts))
    with _progress(source) as bars:
        result = chase_fn(
            review,
            direction,
            source,
            seeds=seeds,
            included=included,
            depth=depth,
            name=name,
            dedup=dedup,
            progress=bars,
        )
    if as_json:
        echo_json(result.to_dict())
        return
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    parts = ", ".join(f"{n} {d}" for d, n in result.by_direction.items() if n)
    click.echo(
        f"Chased {len(result.seeds)} seed(s) {direction}: {result.found} works found ({parts})"
        f"{_dedup_line(result.found, result.new_after_dedup)}; stored as source {result.source_id}."
    )


@click.command("handsearch")
@click.option("--journal", required=True, help="Journal name, ISSN or OpenAlex source id (S...).")
@click.option(
    "--terms",
    "terms",
    multiple=True,
    help="A search term; quote phrases. Repeatable, and the words after it are terms too: "
    '--terms community "harm reduction" peer',
)
@click.option(
    "--match",
    type=click.Choice(["any", "all"]),
    default="any",
    show_default=True,
    help="A work must match any of the terms, or all of them.",
)
@click.option("--from", "year_from", default=None, help="First year (1998) or date (1998-06-01).")
@click.option("--to", "year_to", default=None, help="Last year (2018) or date.")
@click.option(
    "--saved",
    "saved",
    multiple=True,
    type=click.Path(exists=True),
    help="Search saved OpenAlex works (JSON, JSON Lines, .zip, folder) instead of the API.",
)
@click.option("--name", default=None, help="Name of the source (default: the journal).")
@click.option("--dedup/--no-dedup", default=True, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@openalex_settings
@click.argument("more_terms", nargs=-1, metavar="[TERMS]...")
@pass_review
def handsearch(
    ctx: Context,
    /,
    journal: str,
    terms: tuple[str, ...],
    match: str,
    year_from: str | None,
    year_to: str | None,
    saved: tuple[str, ...],
    name: str | None,
    dedup: bool,
    as_json: bool,
    more_terms: tuple[str, ...],
    **opts: Any,
) -> None:
    """Hand search one journal for TERMS within a date range (PRISMA: other methods).

    Terms are given with --terms (repeatable) and as arguments, so
    `--terms community "harm reduction" peer` searches all three. The
    query, the date it was run and the counts are kept with the source.
    """
    review = ctx.review()
    source = search_source(review, saved=saved, **_settings(opts))
    with _progress(source) as bars:
        result = handsearch_fn(
            review,
            journal,
            [*terms, *more_terms],
            source,
            year_from=year_from,
            year_to=year_to,
            match=match,
            name=name,
            dedup=dedup,
            progress=bars,
        )
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo(
        f"Hand search of {result.journal.display_name} ({result.journal.id}): "
        f"{result.found} works found (OpenAlex reported {result.count_reported})"
        f"{_dedup_line(result.found, result.new_after_dedup)}; stored as source {result.source_id}."
    )


@click.command("enrich")
@click.option(
    "--field",
    "fields",
    multiple=True,
    type=click.Choice(ENRICH_FIELDS),
    help="Fill only these fields (default: all of them). Repeatable.",
)
@click.option("--record", "record_ids", multiple=True, type=int, help="Only these records. Repeatable.")
@click.option("--dry-run", is_flag=True, help="Report what would be filled; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@openalex_options
@pass_review
def enrich(
    ctx: Context, /, fields: tuple[str, ...], record_ids: tuple[int, ...], dry_run: bool, as_json: bool, **opts: Any
) -> None:
    """Fill missing abstracts, DOIs, ids and reference lists from OpenAlex.

    Only empty fields of records with a DOI, PMID or OpenAlex id are filled;
    raw fields stay as imported; each change is logged with old and new values.
    """
    review = ctx.review()
    source = works_source(review, saved=opts["from_paths"], **_settings(opts))
    try:
        result = enrich_fn(
            review, source, fields=fields or ENRICH_FIELDS, record_ids=list(record_ids) or None, dry_run=dry_run
        )
    finally:
        close_source(source)
    if as_json:
        echo_json(result.to_dict())
        return
    filled = ", ".join(f"{n} {f}" for f, n in result.filled.items() if n) or "nothing"
    verb = "would fill" if dry_run else "filled"
    click.echo(
        f"{result.candidates} records lacked a field; {result.not_found} not found in OpenAlex; "
        f"{verb} {filled} in {result.records_changed} records."
    )


COMMANDS = [chase, handsearch, enrich]
