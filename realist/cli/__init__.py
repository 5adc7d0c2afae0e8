"""The ``realist`` command line.

Each command parses its arguments, calls one core function and prints the
result; user errors (:class:`realist.errors.RealistError`) become one line on
stderr and exit code 1 in :class:`RealistGroup` — the single place errors are
rendered.  No review logic lives here.
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.exc import OperationalError

from ..errors import RealistError
from .common import Context
from .errors import HINTS, error_message, hint_for

__all__ = ["HINTS", "cli", "error_message", "hint_for", "main"]


class RealistGroup(click.Group):
    """A click group that turns user errors into a message and exit code.

    The one place the command line renders library errors and adds its
    hints (``--force``, ``--review DIR`` ...) to the library's own words.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RealistError as exc:
            obj = ctx.obj
            command = obj.command if isinstance(obj, Context) else None
            raise click.ClickException(error_message(exc, command)) from None
        except OperationalError as exc:
            raise click.ClickException(f"database error: {exc.orig}") from None
        finally:
            obj = ctx.obj
            if isinstance(obj, Context):
                obj.close()


@click.group(cls=RealistGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--review",
    "review_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Review folder (default: the current folder or the nearest above it).",
)
@click.option(
    "--database-url",
    envvar="REALIST_DATABASE_URL",
    default=None,
    help="Use this database (e.g. postgresql://host/db) instead of the review's SQLite file. "
    "Env: REALIST_DATABASE_URL.",
)
@click.option(
    "--as",
    "actor",
    envvar="REALIST_USER",
    default=None,
    help="Who is acting, for the event log (default: REALIST_USER or the login name).",
)
@click.version_option(package_name="realist")
@click.pass_context
def cli(ctx: click.Context, review_dir: str | None, database_url: str | None, actor: str | None) -> None:
    """realist: a workbench for rapid realist reviews of evidence.

    Import database exports, deduplicate, screen, appraise, code and
    synthesise, and generate the report, all in one review folder.
    """
    ctx.obj = Context(review_dir=review_dir, database_url=database_url, actor=actor)


def _register() -> None:
    from . import (
        account_cmd,
        appraise_cmd,
        code_cmd,
        dedup_cmd,
        identify_cmd,
        network_cmd,
        report_cmd,
        review_cmd,
        screen_cmd,
        serve_cmd,
        synth_cmd,
    )

    for module in (
        review_cmd,
        identify_cmd,
        dedup_cmd,
        screen_cmd,
        network_cmd,
        appraise_cmd,
        code_cmd,
        synth_cmd,
        report_cmd,
        account_cmd,
        serve_cmd,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)
    from .simulate_cmd import simulate

    cli.add_command(simulate)


_register()


def main() -> None:
    cli.main(prog_name="realist")


if __name__ == "__main__":  # pragma: no cover
    main()
