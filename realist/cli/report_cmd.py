"""Commands of the report stage: the whole report, or just the PRISMA diagram."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InvalidInput
from .common import Context, echo_json, pass_review

__all__ = ["COMMANDS", "report", "prisma", "checklist"]


def _pairs(values: tuple[str, ...]) -> list[tuple[str, str]] | None:
    if not values:
        return None
    out = []
    for value in values:
        parts = [p.strip() for p in value.replace("\u00d7", ":").split(":")]
        if len(parts) != 2 or not all(parts):
            raise InvalidInput(f"--heatmap takes ROWS:COLUMNS, e.g. intervention:outcome, not {value!r}")
        out.append((parts[0], parts[1]))
    return out


@click.command("report")
@click.argument("review_dir", required=False, type=click.Path(file_okay=False))
@click.option("--format", "formats", default="html,docx,md", show_default=True, help="Comma-separated: html, docx, md.")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Output folder (default: REVIEW/report)."
)
@click.option(
    "--style",
    type=click.Choice(["vancouver", "apa"]),
    default="vancouver",
    show_default=True,
    help="Citation style of the table of included studies (CSL, shipped with realist).",
)
@click.option(
    "--codes",
    "code_columns",
    default="",
    help="Code kinds to add as columns of the table of included studies, e.g. intervention,outcome.",
)
@click.option(
    "--heatmap",
    "heatmaps",
    multiple=True,
    metavar="ROWS:COLUMNS",
    help="A heatmap of two code kinds (repeatable; default: the protocol's report.heatmaps, else "
    "intervention:outcome, intervention:mechanism, context:mechanism).",
)
@pass_review
def report(
    ctx: Context,
    review_dir: str | None,
    formats: str,
    out_dir: str | None,
    style: str,
    code_columns: str,
    heatmaps: tuple[str, ...],
) -> None:
    """Write the review report: PRISMA 2020 diagram, table of included studies,
    evidence plots, programme theory and checklists, as HTML, DOCX and Markdown.

    REVIEW_DIR is the review folder (default: --review, or the current folder).
    """
    from ..report import build_report

    if review_dir:
        ctx.review_dir = review_dir
    review = ctx.review()
    out = Path(out_dir) if out_dir else review.path / "report"
    kinds = tuple(k.strip() for k in code_columns.split(",") if k.strip())
    paths = build_report(review, out, formats, style=style, code_columns=kinds, heatmaps=_pairs(heatmaps))
    main = [p for p in paths if p.name.startswith("report.")]
    click.echo(f"Wrote {len(paths)} files to {out}")
    for path in main:
        click.echo(f"  {path}")


@click.command("prisma")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), default=".", show_default=True, help="Output folder."
)
@click.option(
    "--format",
    "formats",
    default="svg,png,pdf,csv",
    show_default=True,
    help="Comma-separated: svg, png, pdf, csv (the PRISMA2020 R package / Shiny app layout).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON instead of writing files.")
@pass_review
def prisma(ctx: Context, out_dir: str, formats: str, as_json: bool) -> None:
    """Write the PRISMA 2020 flow diagram (and its counts) from the review's data."""
    from ..report import build_prisma, prisma_counts

    if as_json:
        echo_json(prisma_counts(ctx.review()).to_dict())
        return
    for path in build_prisma(ctx.review(), out_dir, formats):
        click.echo(str(path))


@click.group("checklist")
def checklist() -> None:
    """The reporting checklists' items that only the authors can answer."""


@checklist.command("items")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_review
def checklist_items(ctx: Context, as_json: bool) -> None:
    """List the items no data can answer, with the answers given so far."""
    from ..report.checklists import manual_items

    items = manual_items(ctx.review().protocol())
    if as_json:
        echo_json([item.__dict__ for item in items])
        return
    for item in items:
        click.echo(f"{item.checklist} {item.item} ({item.topic}): {item.answer or '-'}")


@checklist.command("answer")
@click.argument("name")
@click.argument("item")
@click.argument("text", required=False, default="")
@pass_review
def checklist_answer(ctx: Context, name: str, item: str, text: str) -> None:
    """Answer checklist NAME's ITEM with TEXT (no TEXT: remove the answer).

    The answer is kept in protocol.yaml (report: checklist_answers) and shown
    in the checklists of every report built afterwards, here or in the web app.
    """
    from ..report.checklists import set_checklist_answer

    set_checklist_answer(ctx.review(), name, item, text)
    click.echo(f"{'Answered' if text.strip() else 'Cleared'} {name} item {item}.")


COMMANDS = [report, prisma, checklist]
