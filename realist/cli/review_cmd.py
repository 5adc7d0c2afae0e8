"""Commands that create and describe a review: init, status, log, migrate."""

from __future__ import annotations

from typing import Any

import click

from ..inventory import review_status
from ..review import init_review, migrate_review
from ..store.events import events
from .common import Context, echo_json, echo_table, pass_review

__all__ = ["COMMANDS", "init", "status", "log", "migrate"]


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--title", required=True, help="The review's title.")
@pass_review
def init(ctx: Context, directory: str, title: str) -> None:
    """Create a review in DIRECTORY: its store and an editable protocol.yaml."""
    review = init_review(directory, title, database_url=ctx.database_url, actor=ctx.actor)
    where = review.engine.url.render_as_string(hide_password=True)
    review.close()
    click.echo(f"Created review {title!r} in {review.path}")
    click.echo(f"  store:    {where}")
    click.echo(f"  protocol: {review.protocol_path} (edit it: question, criteria, codebook)")
    click.echo(f"Next: cd {directory} && realist import EXPORT.ris --source PubMed")


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_review
def status(ctx: Context, as_json: bool) -> None:
    """Counts per source and stage: what is in the review."""
    st = review_status(ctx.review())
    if as_json:
        echo_json(st.to_dict())
        return
    click.echo(f"Review: {st.title}")
    click.echo(
        f"Records: {st.records} imported, {st.unique} unique, {st.duplicates} duplicates"
        + (f", {st.pending_duplicate_pairs} duplicate pairs waiting for a person" if st.pending_duplicate_pairs else "")
    )
    if st.retracted:
        click.echo(
            f"WARNING: {len(st.retracted)} record(s) report a RETRACTED article: "
            + "; ".join(f"{rid} ({why})" for rid, why in sorted(st.retracted.items()))
        )
    outside = sum(s.identified_outside for s in st.sources)
    if outside:
        click.echo(
            f"Also {outside} records identified and counted outside realist "
            "(recorded on their source; the PRISMA diagram marks them †)."
        )
    if st.sources:
        click.echo("")
        echo_table(
            [(s.id, s.kind, s.format, s.records, s.duplicates, s.name) for s in st.sources],
            ["id", "kind", "format", "records", "duplicates", "source"],
        )
    else:
        click.echo("No sources yet: `realist import FILE --source NAME`.")
    for stage, counts in st.stages.items():
        click.echo("")
        click.echo(f"{stage}: " + ", ".join(f"{k} {v}" for k, v in counts.to_dict().items()))


@click.command("log")
@click.option("--action", default=None, help="Only events of this action (e.g. source.imported).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_review
def log(ctx: Context, action: str | None, as_json: bool) -> None:
    """The review's append-only event log: who did what, when."""
    review = ctx.review()
    with review.session() as session:
        rows: list[dict[str, Any]] = [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "payload": e.payload,
            }
            for e in events(session, review.review_id, action=action)
        ]
    if as_json:
        echo_json(rows)
        return
    echo_table(
        [(r["id"], r["at"][:19], r["actor"], r["action"], _summary(r["payload"])) for r in rows],
        ["id", "at", "actor", "action", "details"],
    )


def _summary(payload: dict[str, Any]) -> str:
    parts = []
    for key, value in payload.items():
        if key in ("protocol", "merged_pairs"):
            continue
        parts.append(f"{key}={value}")
    return " ".join(parts)


@click.command("migrate")
@pass_review
def migrate(ctx: Context) -> None:
    """Upgrade a server database to this realist's schema (SQLite upgrades itself)."""
    before, after = migrate_review(ctx.review_dir, database_url=ctx.database_url)
    if before == after:
        click.echo(f"Already at schema {after}.")
    else:
        click.echo(f"Upgraded the schema from {before or 'empty'} to {after}.")


COMMANDS = [init, status, log, migrate]
