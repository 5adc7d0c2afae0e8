"""Commands for identification: import, export, records."""

from __future__ import annotations

import click

from ..errors import RealistError
from ..identify import SOURCE_KINDS, ImportResult, import_file
from ..identify.export import EXPORT_FORMATS
from ..inventory import RECORD_KEYS, RecordRow, export_review, list_records
from .common import Context, Progress, echo_csv, echo_json, echo_table, pass_review
from .errors import error_message

__all__ = ["COMMANDS", "import_", "export", "records"]


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--source", "source", default=None, help="Name of the source, e.g. the database searched (default: the file name)."
)
@click.option(
    "--kind",
    type=click.Choice(SOURCE_KINDS),
    default="database",
    show_default=True,
    help="How the records were found (PRISMA: database vs other methods).",
)
@click.option("--format", "fmt", default=None, help="Read as this format instead of detecting it from the content.")
@click.option("--force", is_flag=True, help="Import a file even if the same file was imported before.")
@pass_review
def import_(ctx: Context, files: tuple[str, ...], source: str | None, kind: str, fmt: str | None, force: bool) -> None:
    """Import search results from FILES (RIS, BibTeX, MEDLINE, XML, CSV, JSON ...).

    The format is detected from the content. Each file imports whole or not
    at all; a file that fails is reported and the others still import.
    """
    review = ctx.review()
    failures = 0
    results: list[ImportResult | RealistError] = []
    with Progress() as bars:
        for done, path in enumerate(files):
            if len(files) > 1:
                bars("Importing", done, len(files))
            try:
                results.append(import_file(review, path, source=source, kind=kind, format=fmt, force=force))
            except RealistError as exc:
                failures += 1
                results.append(exc)
        if len(files) > 1:
            bars("Importing", len(files), len(files))
    for item in results:
        if isinstance(item, RealistError):
            click.secho(f"Error: {error_message(item, import_)}", fg="red", err=True)
            continue
        click.echo(f"{item.file}: {item.records} records ({item.format}) as source {item.source_id}")
        for warning in item.warnings:
            click.echo(f"  warning: {warning}", err=True)
    if failures:
        raise click.exceptions.Exit(1)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True, help="Output format.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file (default: standard output).",
)
@click.option(
    "--duplicates/--no-duplicates",
    default=False,
    show_default=True,
    help="Include records that are duplicates of another.",
)
@click.option("--source", default=None, help="Only records from this source (name or id).")
@pass_review
def export(ctx: Context, fmt: str, output: str | None, duplicates: bool, source: str | None) -> None:
    """Write the review's records as RIS, BibTeX, CSV or CSL-JSON."""
    result = export_review(ctx.review(), fmt, source=source, duplicates=duplicates, path=output)
    if output:
        click.echo(f"Wrote {result.records} records to {output}", err=True)
    else:
        click.echo(result.text, nl=False)


@click.command("records")
@click.option("--source", default=None, help="Only this source (name or id).")
@click.option(
    "--duplicates",
    type=click.Choice(["include", "exclude", "only"]),
    default="include",
    show_default=True,
    help="Keep, drop, or show only records marked as duplicates.",
)
@click.option("--search", default=None, help="Words in the title or abstract.")
@click.option("--year-from", type=int, default=None)
@click.option("--year-to", type=int, default=None)
@click.option("--limit", type=int, default=None)
@click.option(
    "--seed", default=None, help="Only records found by citation chasing from this seed (OpenAlex id or record id)."
)
@click.option("--json", "as_json", is_flag=True, help="A JSON array, one object per record (with its provenance).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row.")
@pass_review
def records(
    ctx: Context,
    source: str | None,
    duplicates: str,
    search: str | None,
    year_from: int | None,
    year_to: int | None,
    limit: int | None,
    seed: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """List records (id, source, source_record_id, normalised fields, duplicate_of).

    With --json each record also carries its provenance: for a record found
    by citation chasing, each seed it was found from (direction, depth, seed
    OpenAlex id, seed record id).
    """
    rows = list_records(
        ctx.review(),
        source=source,
        duplicates=duplicates,
        search=search,
        year_from=year_from,
        year_to=year_to,
        limit=limit,
        seed=seed,
    )
    if as_json:
        echo_json(rows)
    elif as_csv:
        echo_csv([r.to_dict() for r in rows], RECORD_KEYS)
    else:
        echo_table(
            [
                (r.id, r.year or "", _first_author(r.authors), r.duplicate_of or "", r.source, _flagged_title(r))
                for r in rows
            ],
            ["id", "year", "first author", "dup of", "source", "title"],
        )
        retracted = [r.id for r in rows if r.retracted]
        if retracted:
            click.echo(
                f"WARNING: {len(retracted)} record(s) report a RETRACTED article: "
                f"{', '.join(map(str, retracted))} (see `realist records --json`: retracted, notices).",
                err=True,
            )


def _flagged_title(row: RecordRow) -> str:
    """The title, after a loud RETRACTED flag and the notice links in brackets
    (``[erratum notice of 1, 2]`` on a notice, ``[retraction: 3]`` on its article)."""
    marks: dict[str, list[str]] = {}
    for n in row.notices:
        label = f"{n.kind} notice of" if n.role == "article" else f"{n.kind}:"
        marks.setdefault(label, []).append(str(n.record))
    title = row.title or ""
    if marks:
        title = "[" + "; ".join(f"{k} {', '.join(v)}" for k, v in marks.items()) + "] " + title
    return f"*** RETRACTED *** {title}" if row.retracted else title


def _first_author(authors: list[str] | None) -> str:
    if not authors:
        return ""
    name = str(authors[0]).split(",")[0]
    return name[:20] + (" et al." if len(authors) > 1 else "")


COMMANDS = [import_, export, records]
