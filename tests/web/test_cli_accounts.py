"""`realist user ...` and `realist member ...` through the CLI runner (both backends)."""

from __future__ import annotations

from typing import Any

from realist import accounts
from realist.review import open_review


def test_user_add_reads_password_from_stdin_and_member_add_gives_a_role(cli: Any) -> None:
    cli.ok("user", "add", "ana", "--password-stdin", input="correct horse\n")
    out = cli.ok("member", "add", "ana", "--role", "reviewer", "--resolver").output
    assert "ana is now reviewer and resolver" in out
    listing = cli.ok("member", "list").output
    assert "ana" in listing and "reviewer" in listing
    handle = open_review(cli.path, database_url=cli.database_url)
    try:
        assert accounts.authenticate(handle.engine, "ana", "correct horse").name == "ana"
    finally:
        handle.close()


def test_user_add_refuses_a_short_password_with_a_message(cli: Any) -> None:
    result = cli("user", "add", "ana", "--password-stdin", input="short\n")
    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert "Traceback" not in result.output
    assert cli.ok("user", "list").output.strip() == ""


def test_member_add_names_an_unknown_user_and_an_unknown_role(cli: Any) -> None:
    result = cli("member", "add", "zed", "--role", "viewer")
    assert result.exit_code == 1 and "no user 'zed'" in result.output
    cli.ok("user", "add", "ana", "--password-stdin", input="correct horse\n")
    result = cli("member", "add", "ana", "--role", "admin")
    assert result.exit_code == 2 and "admin" in result.output


def test_user_passwd_and_remove(cli: Any) -> None:
    cli.ok("user", "add", "ana", "--password-stdin", input="correct horse\n")
    cli.ok("user", "passwd", "ana", "--password-stdin", input="battery staple\n")
    handle = open_review(cli.path, database_url=cli.database_url)
    try:
        assert accounts.authenticate(handle.engine, "ana", "battery staple").name == "ana"
    finally:
        handle.close()
    cli.ok("member", "add", "ana", "--role", "owner")
    cli.ok("user", "add", "ben", "--password-stdin", input="correct horse\n")
    cli.ok("member", "add", "ben", "--role", "viewer")
    cli.ok("member", "remove", "ben")
    cli.ok("user", "remove", "ben")
    assert cli.ok("user", "list").output.split() == ["ana"]
