"""Shared CLI plumbing: the lazily opened review and output helpers."""

from __future__ import annotations

import csv
import functools
import io
import json
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

import click

from ..results import plain
from ..review import ReviewHandle, open_review

__all__ = ["Context", "Progress", "RuleOption", "pass_review", "echo_json", "echo_table", "echo_csv"]

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Context:
    review_dir: str | None = None
    database_url: str | None = None
    actor: str | None = None
    #: the (sub)command running, so errors can name its options
    command: click.Command | None = field(default=None, repr=False)
    _review: ReviewHandle | None = field(default=None, repr=False)

    def review(self) -> ReviewHandle:
        self.note_command()
        if self._review is None:
            self._review = open_review(self.review_dir, database_url=self.database_url, actor=self.actor)
        return self._review

    def note_command(self) -> None:
        """Remember the innermost command running now (for error hints)."""
        current = click.get_current_context(silent=True)
        if current is not None:
            self.command = current.command

    def close(self) -> None:
        if self._review is not None:
            self._review.close()
            self._review = None


def pass_review(func: Callable[Concatenate[Context, P], R]) -> Callable[P, R]:
    """Pass the command's :class:`Context` first (and note the command for error hints)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx = click.get_current_context().find_object(Context)
        if ctx is None:  # pragma: no cover - every command runs under the realist group
            raise RuntimeError("a realist command ran outside the realist group")
        ctx.note_command()
        return func(ctx, *args, **kwargs)

    return wrapper


class Progress:
    """The one progress adapter of the command line: a bar per label, on stderr, on a terminal only.

    The library reports progress as ``progress(label, done, total)``
    (:data:`realist.network.works.Progress`) or, for one task, as
    ``progress(done, total)`` (:meth:`task`) or ``progress(steps)``
    (:meth:`steps`).  Use it as a context manager: the bars close on leaving,
    error or not.
    """

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        bar = self._bar(label, total)
        bar.length = max(total, 1)
        bar.update(max(0, done - bar.pos))

    def task(self, label: str) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback drawing the bar ``label``."""
        return lambda done, total: self(label, done, total)

    def steps(self, label: str, total: int) -> Callable[[int], None]:
        """A ``progress(steps)`` callback that advances the bar ``label`` by ``steps`` of ``total``."""
        bar = self._bar(label, total)
        return lambda steps: bar.update(steps)

    def _bar(self, label: str, total: int) -> Any:
        bar = self.bars.get(label)
        if bar is None:
            stderr = sys.stderr
            bar = click.progressbar(length=max(total, 1), label=label, file=stderr, hidden=not stderr.isatty())
            bar.__enter__()
            self.bars[label] = bar
        return bar

    def close(self) -> None:
        for bar in self.bars.values():
            bar.__exit__(None, None, None)
        self.bars.clear()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON; typed results print as their ``to_dict()``."""
    click.echo(json.dumps(plain(data), indent=2, ensure_ascii=False, default=str))


def echo_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    click.echo(buf.getvalue(), nl=False)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def echo_table(rows: Iterable[Sequence[Any]], headers: Sequence[str], *, wrap_last: bool = True) -> None:
    """A plain-text table sized to the terminal; the last column is truncated."""
    rows = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths[i], len(cell))
    total = shutil.get_terminal_size((120, 20)).columns
    last = max(20, total - sum(widths[:-1]) - 2 * (len(headers) - 1))
    widths[-1] = last

    def fmt(row: Sequence[str]) -> str:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths)]
        tail = row[-1]
        if wrap_last and len(tail) > last:
            tail = tail[: last - 1] + "…"
        return "  ".join([*cells, tail]).rstrip()

    click.echo(fmt(list(headers)))
    click.echo("  ".join("-" * w for w in widths[:-1]) + "  " + "-" * min(last, 40))
    for row in rows:
        click.echo(fmt(row))


class RuleOption(click.Option):
    """A stopping-rule option: names and default come from the registry, loaded only to show help.

    Importing :mod:`realist.screen.stopping` pulls in SciPy, so it is not
    imported when the CLI starts; an unknown name is refused by the library.
    """

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from ..screen.stopping import DEFAULT_RULE, RULES

        self.help = f"{self.help or 'Stopping rule'} ({', '.join(sorted(RULES))}; default {DEFAULT_RULE})."
        return super().get_help_record(ctx)
