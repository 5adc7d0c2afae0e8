"""Generate docs/cli.md from the real ``--help`` of every command.

Usage: .venv/bin/python scripts/gen_cli_docs.py           (rewrites docs/cli.md)
       .venv/bin/python scripts/gen_cli_docs.py --check   (exit 1 when out of date)
A test (tests/test_docs.py) fails when docs/cli.md is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from realist.cli import cli

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

HEADER = """# CLI reference

Generated from the commands' own `--help` by `scripts/gen_cli_docs.py`;
`make test` fails when this file is out of date. Global options (`--review`,
`--database-url`, `--as`) go before the command name:
`realist --review DIR --as ana screen ...`.
"""


def _walk(command: click.Command, path: list[str], parent: click.Context | None = None):  # type: ignore[no-untyped-def]
    """(path, command, context) for a command and all its sub-commands, sorted."""
    ctx = click.Context(
        command,
        info_name=path[-1],
        parent=parent,
        terminal_width=88,
        max_content_width=88,
        **(command.context_settings if parent is None else {}),
    )
    yield path, command, ctx
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _walk(sub, [*path, name], ctx)


def render() -> str:
    parts = [HEADER]
    for path, command, ctx in _walk(cli, ["realist"]):
        title = " ".join(path)
        parts.append(f"\n## `{title}`\n\n```text\n{command.get_help(ctx)}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        if DOC.read_text(encoding="utf-8") != render():
            sys.exit("docs/cli.md is out of date: run `.venv/bin/python scripts/gen_cli_docs.py`")
        sys.exit(0)
    DOC.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
