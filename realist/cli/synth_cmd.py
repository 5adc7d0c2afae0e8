"""Commands of the synthesis stage: synth, check, and the bundled example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import InvalidInput, ReviewNotFound
from .common import Context, echo_json, echo_table, pass_review

__all__ = ["COMMANDS", "synth", "check", "example"]

KIND_TITLES = {
    "intervention": "Interventions (peer roles)",
    "context": "Contexts",
    "mechanism": "Mechanisms",
    "outcome": "Outcomes",
    "other": "Other codes",
}


def _pair(value: str) -> tuple[str, str]:
    parts = [p.strip() for p in value.replace("\u00d7", ":").split(":")]
    if len(parts) != 2 or not all(parts):
        raise InvalidInput(f"--crosstab takes ROWS:COLUMNS, e.g. intervention:outcome or outcome:region, not {value!r}")
    return parts[0], parts[1]


@click.command("synth")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the whole synthesis as JSON (schema in docs/synthesis.md)."
)
@click.option(
    "--cite",
    "citation_style",
    type=click.Choice(["number", "author-year"]),
    default=None,
    help="Cite studies by reference number or by author and year (default: the protocol's, else number).",
)
@click.option(
    "--income-year",
    type=click.Choice(["publication", "data_collection"]),
    default=None,
    help="Which year's World Bank income group counts (default: the protocol's, else publication).",
)
@click.option(
    "--crosstab",
    "crosstabs",
    multiple=True,
    metavar="ROWS:COLUMNS",
    help="A crosstab of a code kind by a code kind or a study characteristic "
    "(country, region, income_group, design, design_group, year); repeatable.",
)
@click.option("--no-rollup", is_flag=True, help="Count only studies coded with the code itself, not its children.")
@pass_review
def synth(
    ctx: Context,
    as_json: bool,
    citation_style: str | None,
    income_year: str | None,
    crosstabs: tuple[str, ...],
    no_rollup: bool,
) -> None:
    """Counts per code with citations, study characteristics, crosstabs and recurring CMOCs."""
    from ..synthesise.store import synthesis
    from ..synthesise.synth import DEFAULT_CROSSTABS

    pairs = [_pair(c) for c in crosstabs] or list(DEFAULT_CROSSTABS)
    result = synthesis(
        ctx.review(),
        crosstabs=pairs,
        citation_style=citation_style,
        income_year=income_year,
        rollup=False if no_rollup else None,
    )
    if as_json:
        echo_json(result)
        return
    _print_text(result, show_crosstabs=bool(crosstabs))


def _print_text(result: dict[str, Any], *, show_crosstabs: bool) -> None:
    click.echo(f"{result['title']}: {result['n_studies']} studies")
    for kind, title in KIND_TITLES.items():
        rows = [c for c in result["codes"] if c["kind"] == kind and c["n"]]
        if not rows:
            continue
        click.echo(f"\n{title}")
        echo_table([("  " * c["depth"] + c["name"], c["n"], c["citation"]) for c in rows], ["code", "n", "citation"])
    chars = result["characteristics"]
    for name in ("region", "country", "income_group", "design_group", "design"):
        rows = chars.get(name) or []
        if rows:
            click.echo(f"\nStudies by {name.replace('_', ' ')}")
            echo_table([(r["value"], r["n"], r["citation"]) for r in rows], [name, "n", "citation"])
    lang = result["language"]
    click.echo(
        "\nLanguage appraisal: "
        + (lang["summary"] or "no study appraised yet.")
        + (f" ({lang['not_appraised']} not appraised.)" if lang["appraised"] and lang["not_appraised"] else "")
    )
    configs = result["cmo_configurations"]
    if configs:
        chain = result["settings"]["chain"]
        click.echo(f"\nRecurring CMO configurations ({' → '.join(chain)}), by support")
        echo_table(
            [(c["support"], " → ".join(c[r]["name"] for r in chain), c["citation"]) for c in configs],
            ["n", "configuration", "citation"],
        )
    if show_crosstabs:
        for tab in result["crosstabs"]:
            click.echo(f"\n{tab['rows']} × {tab['columns']}")
            names = {v["id"]: v["name"] for v in tab["row_values"]}
            cols = {v["id"]: v["name"] for v in tab["column_values"]}
            echo_table(
                [(names[c["row"]], cols[c["column"]], c["n"], c["citation"]) for c in tab["cells"]],
                [tab["rows"], tab["columns"], "n", "citation"],
            )


@click.command("check")
@click.argument("manuscript", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the findings and the reference map as JSON.")
@click.option("--no-review", is_flag=True, help="Check the text on its own, even inside a review.")
@click.option(
    "--numbering",
    type=click.Choice(["manuscript", "review"]),
    default="manuscript",
    show_default=True,
    help="How citations are read: numbers of the manuscript's own reference list (mapped to the "
    "review's studies), or the review's own study reference numbers.",
)
@pass_review
def check(ctx: Context, manuscript: str, as_json: bool, no_review: bool, numbering: str) -> None:
    """Check a manuscript's counts and citations ("seven studies [44, 46]"); exit 1 if any finding.

    The manuscript's own reference list (numbered or author-year) is read for
    the author check ("Smith et al. [3]").  Inside a review (or with
    --review), its references are mapped to the review's studies by DOI,
    PMID, title, first author and year, and citations are compared with the
    studies coded with the code a sentence names, through that map only.
    """
    from ..synthesise.store import check_review_manuscript

    review = None
    if not no_review:
        try:
            review = ctx.review()
        except ReviewNotFound:
            if ctx.review_dir:
                raise
    report = check_review_manuscript(review, Path(manuscript), numbering=numbering)
    findings = report.findings
    if as_json:
        echo_json({"manuscript": manuscript, "against_review": review is not None, **report.to_dict()})
    else:
        for f in findings:
            click.echo(str(f))
        if report.references:
            click.echo(
                f"Reference list: {report.references} entries ({report.reference_style})"
                + (f"; {len(report.matched)} matched to the review's studies" if review else "")
            )
        if review is not None and report.unmatched:
            click.echo(
                "Not in the review (not compared with codes): "
                + "; ".join(f"{r.number}. {r.text[:60]}" for r in report.unmatched)
            )
        for note in report.notes:
            click.echo(f"note: {note}")
        tail = "" if review else " (text only: not checked against a review)"
        click.echo(f"{len(findings)} finding(s){tail}" if findings else f"No inconsistencies found{tail or '.'}")
    if findings:
        raise click.exceptions.Exit(1)


@click.command("example")
@click.argument("name", type=click.Choice(["peer-harm-reduction"]))
@click.argument("directory", type=click.Path(file_okay=False))
@pass_review
def example(ctx: Context, name: str, directory: str) -> None:
    """Build a bundled example review NAME in DIRECTORY (a new or empty folder)."""
    from ..example import build_example

    review = build_example(directory, name, database_url=ctx.database_url)
    try:
        click.echo(f"Built the example review {name!r} in {review.path}")
        click.echo(f"Next: cd {directory} && realist synth")
    finally:
        review.close()


COMMANDS = [synth, check, example]
