"""The terminal screening loop: one record at a time, one key per decision.

On a terminal each answer is one key press (no Enter).  Driven through
standard input (a pipe, a script, the test runner) it reads one line per
answer instead, so ``printf 'i\ne\nq\n' | realist screen --reviewer ana``
works; the end of the input quits.  It only calls the core:
:func:`realist.screen.next_records`, :func:`realist.screen.decide`,
:func:`realist.screen.retract` and :func:`realist.screen.stopping_estimate`.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from typing import Any

import click

from ..errors import RealistError
from ..inventory import RecordRow, list_records
from ..review import ReviewHandle
from ..screen import decisions as d
from ..screen.queue import next_records, stopping_estimate
from .errors import error_message

__all__ = ["screening_loop", "read_key"]

KEYS = {"i": "include", "e": "exclude", "m": "maybe"}
HELP = "[i]nclude  [e]xclude  [m]aybe  [r]eason+exclude  [u]ndo  [s]topping  [q]uit"


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def read_key(prompt: str) -> str:
    """One answer, lower-cased: a key press on a terminal, else the first letter of a line.

    Ctrl-C, Ctrl-D and the end of piped input answer ``q``.
    """
    if _stdin_is_terminal():
        click.echo(f"{prompt} ", nl=False)
        try:
            key = click.getchar()
        except (KeyboardInterrupt, EOFError, click.Abort):
            key = "q"
        click.echo(key if key.isprintable() else "")
        return "q" if key in ("\x03", "\x04") else key.lower()[:1]
    try:
        line = click.prompt(prompt, default="", show_default=False)
    except click.Abort:  # end of input
        click.echo("")
        return "q"
    return str(line).strip().lower()[:1]


def _show(record: RecordRow, done: int, total: int) -> None:
    width = min(100, shutil.get_terminal_size((100, 20)).columns)
    click.echo("")
    click.echo("─" * width)
    click.echo(f"[{done}/{total} screened]  record {record.id}")
    click.secho(textwrap.fill(record.title or "(no title)", width), bold=True)
    meta = " · ".join(str(x) for x in (record.year, record.journal) if x)
    if record.authors:
        meta = f"{record.authors[0]}{' et al.' if len(record.authors) > 1 else ''} · {meta}"
    click.echo(meta)
    click.echo("")
    click.echo(textwrap.fill(record.abstract or "(no abstract)", width))
    if record.keywords:
        click.echo("")
        click.echo("Keywords: " + "; ".join(record.keywords))
    click.echo("")


def _stopping_line(review: ReviewHandle, stage: str) -> str:
    try:
        est = stopping_estimate(review, stage)
    except RealistError as exc:
        return str(exc)
    return f"Stopping rule: {est.recommendation}. {est.explanation}"


def screening_loop(review: ReviewHandle, reviewer: str, *, stage: str = "title_abstract", seed: int = 0) -> None:
    """Run the loop until the reviewer quits or has nothing left to screen."""
    criteria = d.exclusion_criteria(review, stage)
    cache: dict[str, Any] = {}
    history: list[int] = []
    click.echo(f"Screening {stage} as {reviewer}. {HELP}")
    while True:
        ids = next_records(review, reviewer, stage=stage, limit=1, seed=seed, ranker_cache=cache)
        counts = d.progress(review, stage)
        mine = counts.reviewers.get(reviewer, d.ReviewerProgress(assigned=counts.eligible, decided=0))
        if not ids:
            click.echo(f"Nothing left for {reviewer} at {stage}.")
            click.echo(_stopping_line(review, stage))
            return
        record = list_records(review, ids=ids)[0]
        _show(record, mine.decided, mine.assigned or counts.eligible)
        while True:
            key = read_key(HELP)
            if key == "q":
                click.echo(f"Stopped. {mine.decided} decided so far.")
                return
            if key == "s":
                click.echo(_stopping_line(review, stage))
                continue
            if key == "u":
                if not history:
                    click.echo("Nothing to undo.")
                    continue
                last = history.pop()
                d.retract(review, last, reviewer=reviewer, stage=stage)
                click.echo(f"Undid your decision on record {last}.")
                break
            if key in KEYS or key == "r":
                decision = KEYS.get(key, "exclude")
                reason = None
                if key == "r":
                    reason = _ask_reason(criteria)
                    if reason is None:
                        continue
                try:
                    out = d.decide(review, record.id, decision, reviewer=reviewer, stage=stage, reason=reason)
                except RealistError as exc:
                    click.secho(f"Error: {error_message(exc)}", fg="red")
                    continue
                history.append(record.id)
                click.echo(f"{decision}{f' ({reason})' if reason else ''} — record is {out.status}.")
                break
            click.echo(f"Unknown key {key!r}. {HELP}")


def _ask_reason(criteria: dict[str, str]) -> str | None:
    if not criteria:
        text = click.prompt("Reason (free text, empty to cancel)", default="", show_default=False).strip()
        return text or None
    keys = list(criteria)
    for n, key in enumerate(keys, 1):
        click.echo(f"  {n}. {criteria[key]} [{key}]")
    if len(keys) <= 9 and _stdin_is_terminal():
        answer = read_key("Reason number (Enter to cancel)").strip()
    else:
        answer = click.prompt("Reason number (empty to cancel)", default="", show_default=False).strip()
    if not answer:
        return None
    if answer.isdigit() and 1 <= int(answer) <= len(keys):
        return keys[int(answer) - 1]
    if answer in criteria:
        return answer
    click.echo("Not one of the criteria.")
    return None
