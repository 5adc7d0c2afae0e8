"""The screen command group: assignment, decisions, conflicts, agreement, and the loop."""

from __future__ import annotations

from typing import Any

import click

from ..inventory import list_records
from ..protocol import STAGES
from ..screen import decisions as d
from ..screen.queue import next_records, start_sampling, stopping_estimate
from .common import Context, RuleOption, echo_json, echo_table, pass_review

__all__ = ["COMMANDS", "screen", "format_agreement"]

STAGE = click.option("--stage", type=click.Choice(STAGES), default="title_abstract", show_default=True)


@click.group("screen", invoke_without_command=True)
@click.option("--reviewer", default=None, help="Screen as this reviewer (starts the screening loop).")
@STAGE
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for ranking ties and sampling.")
@click.pass_context
def screen(cctx: click.Context, reviewer: str | None, stage: str, seed: int) -> None:
    """Screen records: `realist screen --reviewer NAME` starts the loop.

    The loop shows the next record in active-learning order; answer with a
    key: i include, e exclude, m maybe, r exclude with a reason, u undo the
    last decision, s show the stopping estimate, q quit.
    """
    if cctx.invoked_subcommand is not None:
        return
    if not reviewer:
        click.echo(cctx.get_help())
        return
    from .screen_loop import screening_loop

    screening_loop(cctx.obj.review(), reviewer, stage=stage, seed=seed)


@screen.command("assign")
@STAGE
@click.option("--reviewers", required=True, help="Comma-separated names, e.g. ana,ben,chi.")
@click.option("--per-record", type=int, default=2, show_default=True, help="Reviewers per record (balanced mode).")
@click.option(
    "--mode",
    type=click.Choice(d.ASSIGN_MODES),
    default="balanced",
    show_default=True,
    help="balanced: PER-RECORD reviewers each; all: everyone everything; "
    "single: one each plus a random FRACTION double-screened.",
)
@click.option("--fraction", type=float, default=0.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@pass_review
def assign_cmd(
    ctx: Context, stage: str, reviewers: str, per_record: int, mode: str, fraction: float, seed: int
) -> None:
    """Split the unassigned records of a stage among reviewers."""
    counts = d.assign(
        ctx.review(), stage, reviewers.split(","), per_record=per_record, mode=mode, fraction=fraction, seed=seed
    )
    for name, n in counts.items():
        click.echo(f"{name}: {n} records")


@screen.command("decide")
@click.argument("record", type=int)
@click.argument("decision", type=click.Choice(d.DECISIONS))
@click.option("--reviewer", required=True)
@STAGE
@click.option("--reason", default=None, help="Exclusion reason: a criterion of the protocol.")
@click.option("--note", default=None)
@pass_review
def decide_cmd(
    ctx: Context, record: int, decision: str, reviewer: str, stage: str, reason: str | None, note: str | None
) -> None:
    """Record REVIEWER's DECISION on RECORD (the latest decision counts)."""
    out = d.decide(ctx.review(), record, decision, reviewer=reviewer, stage=stage, reason=reason, note=note)
    click.echo(f"Record {record}: {reviewer} {decision}s ({stage}); record is {out.status}.")


@screen.command("undo")
@click.argument("record", type=int)
@click.option("--reviewer", required=True)
@STAGE
@pass_review
def undo_cmd(ctx: Context, record: int, reviewer: str, stage: str) -> None:
    """Withdraw REVIEWER's decision on RECORD."""
    d.retract(ctx.review(), record, reviewer=reviewer, stage=stage)
    click.echo(f"Withdrew {reviewer}'s decision on record {record}.")


@screen.command("conflicts")
@STAGE
@click.option("--json", "as_json", is_flag=True)
@pass_review
def conflicts_cmd(ctx: Context, stage: str, as_json: bool) -> None:
    """Records whose reviewers disagree, with each decision and reason."""
    found = d.conflicts(ctx.review(), stage)
    if as_json:
        echo_json([{"record": c.record_id, "decisions": c.decisions} for c in found])
        return
    if not found:
        click.echo(f"No conflicts at {stage}.")
    for c in found:
        votes = "; ".join(
            f"{who}: {v['decision']}" + (f" ({v['reason']})" if v["reason"] else "") for who, v in c.decisions.items()
        )
        click.echo(f"record {c.record_id}: {votes}")


@screen.command("resolve")
@click.argument("record", type=int)
@click.argument("decision", type=click.Choice(["include", "exclude"]))
@STAGE
@click.option("--reason", default=None)
@click.option("--note", default=None)
@pass_review
def resolve_cmd(ctx: Context, record: int, decision: str, stage: str, reason: str | None, note: str | None) -> None:
    """Settle a conflict on RECORD (as the acting user, --as NAME)."""
    out = d.resolve(ctx.review(), record, decision, stage=stage, reason=reason, note=note)
    click.echo(f"Record {record} is {out.status} at {stage}.")


@screen.command("progress")
@STAGE
@click.option("--rule", cls=RuleOption, default=None, help="Stopping rule to apply")
@click.option("--json", "as_json", is_flag=True)
@pass_review
def progress_cmd(ctx: Context, stage: str, rule: str | None, as_json: bool) -> None:
    """Counts by status and per reviewer, and the stopping estimate.

    The estimate says in plain words how many more records to screen and why.
    """
    review = ctx.review()
    counts = d.progress(review, stage)
    estimate = stopping_estimate(review, stage, rule=rule) if counts.eligible else None
    if as_json:
        echo_json({**counts.to_dict(), "stopping": None if estimate is None else estimate.to_dict()})
        return
    click.echo(
        f"{stage}: {counts.eligible} records — {counts.included} included, "
        f"{counts.excluded} excluded, {counts.conflict} in conflict, "
        f"{counts.pending} pending ({counts.resolved} resolved)"
    )
    if counts.reviewers:
        echo_table(
            [(n, v.assigned, v.decided) for n, v in counts.reviewers.items()], ["reviewer", "assigned", "decided"]
        )
    if counts.exclusion_reasons:
        click.echo("Exclusion reasons: " + ", ".join(f"{k} {v}" for k, v in counts.exclusion_reasons.items()))
    if estimate is not None:
        click.echo(f"Stopping ({estimate.rule}): {estimate.recommendation} — {estimate.explanation}")


@screen.command("next")
@click.option("--reviewer", required=True)
@STAGE
@click.option("--limit", type=int, default=10, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_review
def next_cmd(ctx: Context, reviewer: str, stage: str, limit: int, seed: int, as_json: bool) -> None:
    """The records REVIEWER should screen next, most likely relevant first."""
    review = ctx.review()
    ids = next_records(review, reviewer, stage=stage, limit=limit, seed=seed)
    rows = list_records(review, ids=ids) if ids else []
    by_id = {r.id: r for r in rows}
    ordered = [by_id[i] for i in ids]
    if as_json:
        echo_json(ordered)
        return
    echo_table([(r.id, r.year or "", r.title or "") for r in ordered], ["id", "year", "title"])


@screen.command("sample")
@STAGE
@click.option("--seed", type=int, default=0, show_default=True)
@pass_review
def sample_cmd(ctx: Context, stage: str, seed: int) -> None:
    """Switch to random sampling of the rest, to test whether recall has reached the target."""
    out = start_sampling(ctx.review(), stage, seed=seed)
    click.echo(f"{stage}: random sampling of the {out.remaining} unscreened records starts now.")


@screen.command("agreement")
@STAGE
@click.option("--json", "as_json", is_flag=True)
@pass_review
def agreement_cmd(ctx: Context, stage: str, as_json: bool) -> None:
    """Percent agreement, Cohen's kappa per pair, Fleiss' kappa and Gwet's AC1."""
    from ..screen.agreement_store import review_agreement

    report = review_agreement(ctx.review(), stage)
    data = report.to_dict()
    if as_json:
        echo_json(data)
        return
    click.echo(format_agreement(data))


def format_agreement(data: dict[str, Any]) -> str:
    def stat(s: dict[str, Any] | None) -> str:
        if not s or s.get("value") is None:
            return "n/a" + (f" ({s.get('reason')})" if s and s.get("reason") else "")
        ci = ""
        if s.get("ci_low") is not None:
            ci = f" (95% CI {s['ci_low']:.2f} to {s['ci_high']:.2f})"
        return f"{s['value']:.3f}{ci}, n={s.get('n')}"

    lines = [
        f"Records rated by two or more reviewers: {data.get('n_compared')} of {data.get('n_records')} decided",
        f"Percent agreement: {stat(data.get('percent_agreement'))}",
        f"Fleiss' kappa: {stat(data.get('fleiss_kappa'))}",
        f"Gwet's AC1: {stat(data.get('gwet_ac1'))}",
    ]
    for pair in data.get("pairs", []):
        lines.append(f"Cohen's kappa {pair['a']} / {pair['b']}: {stat(pair['cohen_kappa'])}")
    return "\n".join(lines)


COMMANDS = [screen]
