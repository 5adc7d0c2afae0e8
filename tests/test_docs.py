"""Docs that are tested: the CLI reference matches the real --help."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from support import REPO


def _generator():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", REPO / "scripts" / "gen_cli_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_generated_from_the_current_help():
    # A fresh interpreter: click caches each command's help option on first
    # use, so commands invoked directly by other tests would render differently.
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_cli_docs.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_every_command_has_help_text():
    gen = _generator()
    from realist.cli import cli

    for path, command, _ in gen._walk(cli, ["realist"]):
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"


def _code_lines(text: str) -> list[str]:
    """The lines of fenced code blocks, continuation lines joined, comments dropped."""
    lines: list[str] = []
    inside = False
    pending = ""
    for raw in text.splitlines():
        if raw.strip().startswith("```"):
            inside = not inside
            continue
        if not inside:
            continue
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        lines.append(line)
    return lines


def _resolve(argv: list[str]) -> tuple[list[str], list[str]]:
    """The command path an argv reaches (``realist`` first) and the option names it uses."""
    import click

    from realist.cli import cli

    command: click.Command = cli
    path = ["realist"]
    options: list[str] = []
    args = list(argv)
    while args:
        token = args.pop(0)
        if token.startswith("-"):
            options.append(token.split("=")[0])
            param = next((p for p in command.params if token.split("=")[0] in getattr(p, "opts", [])), None)
            if param is not None and not getattr(param, "is_flag", False) and "=" not in token and args:
                args.pop(0)  # the option's value
            continue
        if isinstance(command, click.Group) and token in command.commands:
            command = command.commands[token]
            path.append(token)
            continue
        if isinstance(command, click.Group) and not path[1:]:
            raise AssertionError(f"no command {token!r}")
    known = {opt for p in command.params for opt in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])}
    known |= {opt for p in cli.params for opt in getattr(p, "opts", [])}
    return path, [o for o in options if o not in known and o != "--help"]


def test_every_realist_command_the_readme_shows_exists_with_its_options():
    import shlex

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = [line for line in _code_lines(readme) if line.startswith("realist ")]
    assert len(shown) >= 10, "the README's quick start shows the commands"
    for line in shown:
        argv = shlex.split(line.split("  #")[0], comments=True)[1:]
        path, unknown = _resolve(argv)
        assert len(path) > 1, f"README: {line!r} names no command"
        assert not unknown, f"README: {line!r}: {' '.join(path)} has no option(s) {unknown}"


def test_readme_make_targets_exist_in_the_makefile():
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.M))
    shown = {line.split()[1] for line in _code_lines(readme) if line.startswith("make ")}
    assert {"demo", "test"} <= shown, "the README shows the two commands"
    assert shown <= targets, f"README shows make targets the Makefile lacks: {sorted(shown - targets)}"
