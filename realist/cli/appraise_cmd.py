"""The appraise and fulltext command groups (see docs/coding.md)."""

from __future__ import annotations

import click

from .. import fulltext as ft
from ..appraise import rigour as rg
from ..appraise import store as ap
from .common import Context, echo_json, echo_table, pass_review

__all__ = ["COMMANDS"]


@click.group("appraise")
def appraise() -> None:
    """Appraise included studies: language (stigmatising vs person-first terms), relevance and rigour."""


@appraise.command("language")
@click.option("--study", default=None, help="One study (id, key or [ref]); default: every study.")
@click.option("--json", "as_json", is_flag=True)
@pass_review
def language_cmd(ctx: Context, study: str | None, as_json: bool) -> None:
    """Appraise each study's abstracts and full texts with the lexicon (protocol: language_lexicon)."""
    results = ap.appraise_language(ctx.review(), study)
    if as_json:
        echo_json([r.to_dict() for r in results])
        return
    echo_table(
        [(r.key, r.classification, r.person_first_count, r.stigmatising_count, r.texts) for r in results],
        ["study", "classification", "person-first", "stigmatising", "texts"],
    )


@appraise.command("record-judgement")
@click.argument("study")
@click.option("--classification", required=True, type=click.Choice(ap.JUDGEMENTS))
@click.option("--note", default=None)
@pass_review
def judgement_cmd(ctx: Context, study: str, classification: str, note: str | None) -> None:
    """Record a person's language judgement on STUDY (it counts over the tool's)."""
    out = ap.record_judgement(ctx.review(), study, classification, note)
    click.echo(f"{out['key']}: {classification} (by {out['by']}).")


@appraise.command("summary")
@click.option("--json", "as_json", is_flag=True)
@pass_review
def summary_cmd(ctx: Context, as_json: bool) -> None:
    """The language classification per study: a person's judgement first, else the tool's."""
    rows = ap.language_summary(ctx.review())
    if as_json:
        echo_json(rows)
        return
    echo_table(
        [
            (
                r["key"],
                r["ref_number"] or "",
                r["classification"] or "-",
                r["source"] or "",
                r["tool_classification"] or "-",
                r["note"] or "",
            )
            for r in rows
        ],
        ["study", "ref", "classification", "by", "tool", "note"],
    )


@appraise.command("rigour")
@click.argument("study")
@click.option(
    "--relevance", required=True, type=click.Choice(rg.LEVELS), help="How far the study speaks to the programme theory."
)
@click.option(
    "--rigour",
    required=True,
    type=click.Choice(rg.LEVELS),
    help="How trustworthy the method that produced the relevant data is.",
)
@click.option("--note", default=None, help="Why: the reasons for the judgement.")
@pass_review
def rigour_cmd(ctx: Context, study: str, relevance: str, rigour: str, note: str | None) -> None:
    """Record a person's relevance-and-rigour judgement on STUDY (the latest counts)."""
    out = rg.record_rigour(ctx.review(), study, relevance, rigour, note)
    click.echo(f"{out['key']}: relevance {relevance}, rigour {rigour} (by {out['by']}).")


@appraise.command("rigour-summary")
@click.option("--json", "as_json", is_flag=True)
@pass_review
def rigour_summary_cmd(ctx: Context, as_json: bool) -> None:
    """Each study's latest relevance-and-rigour judgement, and the protocol's quality_appraisal."""
    review = ctx.review()
    declared = rg.quality_appraisal(review.protocol())
    rows = rg.rigour_summary(review)
    if as_json:
        echo_json({"quality_appraisal": declared.to_dict() if declared else None, "studies": rows})
        return
    if declared is None:
        click.echo("protocol: no quality_appraisal section (say whether a formal appraisal is done, and why not)")
    elif declared.formal:
        click.echo(f"protocol: formal appraisal with {declared.tool}")
    else:
        click.echo(f"protocol: no formal appraisal ({declared.reason})")
    echo_table(
        [(r["key"], r["ref_number"] or "", r["relevance"] or "-", r["rigour"] or "-", r["note"] or "") for r in rows],
        ["study", "ref", "relevance", "rigour", "note"],
    )


@click.group("fulltext")
def fulltext() -> None:
    """Attach full texts (PDF, HTML or text) to records."""


@fulltext.command("add")
@click.argument("record", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_review
def add_cmd(ctx: Context, record: int, file: str) -> None:
    """Attach FILE to RECORD: its text is extracted with page numbers."""
    info = ft.add_fulltext(ctx.review(), record, file)
    pages = f", {info.page_count} pages" if info.page_count else ""
    click.echo(f"Record {record}: {info.file_name} ({info.media_type}{pages}, {info.chars} characters).")
    for w in info.warnings:
        click.echo(f"warning: {w}", err=True)


@fulltext.command("bulk")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True)
@pass_review
def bulk_cmd(ctx: Context, paths: tuple[str, ...], as_json: bool) -> None:
    """Attach many files (or folders of files), matched to records by id, study key or DOI."""
    items = ft.add_fulltexts(ctx.review(), paths)
    if as_json:
        echo_json([i.to_dict() for i in items])
        return
    for i in items:
        to = f"record {i.record_id} (by {i.matched_by})" if i.record_id else ""
        click.echo("  ".join(x for x in (f"{i.status}:", i.file, to, i.message) if x))
    added = sum(i.status == "added" for i in items)
    click.echo(f"{added} of {len(items)} files added.")


@fulltext.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_review
def list_cmd(ctx: Context, as_json: bool) -> None:
    """List the full texts of the review."""
    infos = ft.list_fulltexts(ctx.review())
    if as_json:
        echo_json([i.to_dict() for i in infos])
        return
    echo_table(
        [(i.record_id, i.media_type, i.page_count or "", i.chars, i.file_name) for i in infos],
        ["record", "type", "pages", "chars", "file"],
    )


@fulltext.command("show")
@click.argument("record", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_review
def show_cmd(ctx: Context, record: int, as_json: bool) -> None:
    """Print RECORD's full text (pages separated by form feeds)."""
    from ..errors import NotFound

    info = ft.get_fulltext(ctx.review(), record)
    if info is None:
        raise NotFound(f"record {record} has no full text")
    if as_json:
        echo_json(info.to_dict())
        return
    click.echo(info.text)


@fulltext.command("remove")
@click.argument("record", type=int)
@pass_review
def remove_cmd(ctx: Context, record: int) -> None:
    """Detach RECORD's full text (refused while excerpts quote it)."""
    info = ft.remove_fulltext(ctx.review(), record)
    click.echo(f"Removed {info.file_name} from record {record}.")


COMMANDS = [appraise, fulltext]
