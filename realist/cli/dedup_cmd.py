"""The dedup command: find, review, confirm, reject and undo duplicate merges."""

from __future__ import annotations

import click

from ..deduplicate.store import confirm_pair, pending_pairs, reject_pair, run_dedup, undo_merge
from .common import Context, Progress, echo_json, pass_review

__all__ = ["COMMANDS", "dedup"]


@click.group("dedup", invoke_without_command=True)
@click.option("--dry-run", is_flag=True, help="Show what would be merged; change nothing.")
@click.option("--pending", is_flag=True, help="List the uncertain pairs that wait for a person.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--verbose", "-v", is_flag=True, help="List every new merge with the fields that matched.")
@click.pass_context
def dedup(cctx: click.Context, dry_run: bool, pending: bool, as_json: bool, verbose: bool) -> None:
    """Group duplicate records within and across sources.

    Nothing is deleted: duplicates point at a canonical record (the most
    complete one). Notices (errata, retractions, expressions of concern,
    comments, replies) are linked to the article they concern, never merged;
    a retracted article is flagged in `realist records` and in the report.
    Certain pairs are merged; uncertain ones wait for
    `realist dedup confirm PAIR` or `realist dedup reject PAIR`; a merge can
    be undone with `realist dedup undo RECORD`.
    """
    if cctx.invoked_subcommand is not None:
        return
    ctx: Context = cctx.obj
    review = ctx.review()
    if pending:
        pairs = pending_pairs(review)
        if as_json:
            echo_json(pairs)
            return
        if not pairs:
            click.echo("No duplicate pairs wait for a person.")
        for p in pairs:
            click.echo(
                f"pair {p.pair}  score {p.score}  matched: {', '.join(p.matched_fields) or '-'}"
                f"  differ: {', '.join(p.differing_fields) or '-'}"
            )
            for r in p.records:
                click.echo(f"   [{r.id}] {r.year or '????'} {r.title or '(no title)'}  {r.journal or ''} {r.doi or ''}")
        return
    with Progress() as bars:
        summary = run_dedup(review, dry_run=dry_run, progress=bars.task("Comparing"))
    if as_json:
        echo_json(summary.to_dict())
        return
    verb = "would merge" if dry_run else "merged"
    click.echo(
        f"{summary.records} records: {summary.groups} duplicate groups, "
        f"{summary.duplicates} records marked as duplicates; "
        f"{verb} {summary.new_merges} new pairs; {summary.pending} pairs wait for a person."
    )
    if summary.notices:
        kinds = sorted({n.kind for n in summary.notices})
        click.echo(
            f"Linked {len(summary.notices)} notices to their articles ({', '.join(kinds)}); notices are never merged."
        )
        for n in summary.notices:
            if n.kind == "retraction":
                click.echo(f"  RETRACTED: record {n.article} (retraction notice: record {n.notice})")
    if verbose:
        for m in summary.merges:
            click.echo(f"  {m.record_id} = {m.other_id}  ({', '.join(m.matched_fields)}) {m.reason}")
        for n in summary.notices:
            click.echo(f"  {n.notice} -> {n.article}  {n.reason}")
    if summary.pending:
        click.echo("See them with `realist dedup --pending`.")


@dedup.command("confirm")
@click.argument("pair", type=int)
@click.option("--note", default=None)
@pass_review
def confirm(ctx: Context, pair: int, note: str | None) -> None:
    """Merge an uncertain PAIR: the two records are one report."""
    out = confirm_pair(ctx.review(), pair, note=note)
    click.echo(f"Merged records {out.records[0]} and {out.records[1]}.")


@dedup.command("reject")
@click.argument("pair", type=int)
@click.option("--note", default=None)
@pass_review
def reject(ctx: Context, pair: int, note: str | None) -> None:
    """Keep an uncertain PAIR apart: the two records differ."""
    out = reject_pair(ctx.review(), pair, note=note)
    click.echo(f"Kept records {out.records[0]} and {out.records[1]} apart.")


@dedup.command("undo")
@click.argument("record", type=int)
@click.option("--note", default=None)
@pass_review
def undo(ctx: Context, record: int, note: str | None) -> None:
    """Take RECORD out of its duplicate group (its pairs are not merged again)."""
    out = undo_merge(ctx.review(), record, note=note)
    click.echo(f"Record {out.record} is no longer merged ({out.undone_pairs} pairs undone).")


COMMANDS = [dedup]
