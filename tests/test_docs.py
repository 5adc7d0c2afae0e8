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
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_cli_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_command_has_help_text():
    gen = _generator()
    from realist.cli import cli

    for path, command, _ in gen._walk(cli, ["realist"]):
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"


def test_readme_shows_the_two_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
