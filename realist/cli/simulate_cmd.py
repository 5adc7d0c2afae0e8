"""``realist simulate``: replay screening on a labelled CSV.

Parses arguments, calls :func:`realist.screen.simulate.simulate`, writes the
order screened and prints the metrics.  User errors are raised as
:class:`realist.errors.RealistError` for the main group to render.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from ..files import write_atomic
from .common import Progress, RuleOption

__all__ = ["simulate"]


def _order_csv(ids: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for record_id in ids:
        writer.writerow([record_id])
    return buf.getvalue()


class _ModelOption(click.Option):
    """``--model``: the names come from the ranking registry, loaded only to show help."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from ..screen.ranking import MODELS

        self.help = f"Ranking model by name ({', '.join(MODELS.names())})."
        return super().get_help_record(ctx)


@click.command("simulate")
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the one random generator (priors, tie breaks, sampling).",
)
@click.option("--model", "model", cls=_ModelOption, default="default", show_default=True, help="Ranking model by name.")
@click.option(
    "--prior-included",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Included records known before screening, chosen at random.",
)
@click.option(
    "--prior-excluded",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Excluded records known before screening, chosen at random.",
)
@click.option(
    "--order-out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Write the ids in ranked order here, one per line, priors first, every record.",
)
@click.option(
    "--criteria",
    default=None,
    help="Eligibility criteria / question text, used to rank before and alongside decisions.",
)
@click.option("--text-only", is_flag=True, help="Ignore referenced_works (text features only).")
@click.option(
    "--target-recall",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="Recall the stopping rule aims for.",
)
@click.option(
    "--stopping-rule",
    cls=RuleOption,
    default=None,
    help="Stopping rule to replay; the default is the one real screening uses",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
def simulate(
    data: Path,
    seed: int,
    model: str,
    prior_included: int,
    prior_excluded: int,
    order_out: Path,
    criteria: str | None,
    text_only: bool,
    target_recall: float,
    stopping_rule: str | None,
    as_json: bool,
) -> None:
    """Replay screening of DATA (a labelled CSV, optionally gzipped) and measure it.

    DATA needs columns title, abstract and label_included (0/1); an optional
    referenced_works column (space-separated OpenAlex ids, with openalex_id
    for each row) adds citation links.

    \b
    Every record is screened in active-learning (ranked) order, to the end;
    the ids are written in that order to ORDER_OUT, priors first (openalex_id,
    else id, else the 0-based row number).  Recall@10%/20%, WSS@95/100,
    records to 95%/100% recall and average time to discovery come from this
    order alone.

    \b
    The stopping rule is replayed alongside on the same run, as prescribed:
    after each ranked decision the rule is checked.  For callaghan, where it
    first says "start sampling", the records then unscreened are drawn in
    random order (same seeded generator) and the hypergeometric test is
    checked after each draw; a one-phase rule (knee, poisson...) stops at its
    first "stop" in ranked order.  Where it stopped, the recall there and the
    work saved are reported; the replay never changes ORDER_OUT or the
    ranking metrics.
    """
    from ..screen.ranking import MODELS
    from ..screen.simulate import load_labelled_csv
    from ..screen.simulate import simulate as run_simulation

    MODELS.get(model)  # unknown name -> InvalidInput before any work
    rows = load_labelled_csv(data)
    with Progress() as bars:
        result = run_simulation(
            rows,
            seed=seed,
            model=model,
            prior_included=prior_included,
            prior_excluded=prior_excluded,
            criteria_text=criteria,
            use_references=not text_only,
            target_recall=target_recall,
            progress=bars.steps("Screening", len(rows)),
            stopping_rule=stopping_rule,
        )
    write_atomic(order_out, _order_csv([result.ids[i] for i in result.order]))
    summary = result.summary()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    m, s = result.metrics, result.stopping
    if stopping_rule is None:
        from realist.screen.stopping import DEFAULT_RULE

        stopping_rule = DEFAULT_RULE
    click.echo(
        f"{data}: {m['N']} records after {len(result.priors)} priors, {m['R']} relevant (model {model}, seed {seed})"
    )
    click.echo(f"recall after 10% / 20% screened: {m['recall_at_10']:.1%} / {m['recall_at_20']:.1%}")
    click.echo(f"WSS@95: {m['wss_95']:.3f}  WSS@100: {m['wss_100']:.3f}")
    click.echo(f"records to 95% / 100% recall: {m['n_to_95']} / {m['n_to_100']}")
    click.echo(f"average time to discovery: {m['atd']:.1%} of records")
    switched = (
        ""
        if stopping_rule != "callaghan"
        else "; never switched to random sampling"
        if s["sampling_started_at"] is None
        else f"; switched to random sampling after {s['sampling_started_at']}"
    )
    click.echo(
        f"stopping rule ({stopping_rule}{switched}) stopped after {s['stop_screened']} records, "
        f"recall {s['stop_recall']:.1%}, work saved {s['stop_work_saved']:.1%}"
    )
    click.echo(f"heuristic ({s['heuristic']}): {s['heuristic_screened']} records, recall {s['heuristic_recall']:.1%}")
    click.echo(f"wall time {result.wall_seconds:.1f} s; order written to {order_out}")
