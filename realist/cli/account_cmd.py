"""Accounts and membership of the web app: ``realist user ...``, ``realist member ...``.

Users belong to the review's store (its SQLite file, or the server database);
members are users with a role in the review of the current folder.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Engine

from .. import accounts
from .common import Context, echo_table, pass_review

__all__ = ["COMMANDS", "user", "member"]


@contextmanager
def _engine(ctx: Context) -> Iterator[Engine]:
    """The store's engine: the review's, or a server database's when no review folder is here
    (``realist --database-url URL user add NAME`` before any review exists)."""
    from ..errors import ReviewNotFound
    from ..review import open_database

    try:
        engine = ctx.review().engine
    except ReviewNotFound:
        if ctx.database_url is None or ctx.review_dir is not None:
            raise
    else:
        yield engine
        return
    engine = open_database(ctx.database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _read_password(from_stdin: bool, prompt: str = "Password") -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return value


@click.group("user")
def user() -> None:
    """People who sign in to the web app (per store: a review file or a server database)."""


@user.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@pass_review
def user_add(ctx: Context, name: str, password_stdin: bool) -> None:
    """Create the account NAME (asks for its password)."""
    password = _read_password(password_stdin)
    with _engine(ctx) as engine:
        accounts.add_user(engine, name, password)
    click.echo(f"Added user {name}. Give them a role: realist member add {name} --role reviewer")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of standard input.")
@pass_review
def user_passwd(ctx: Context, name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (signs them out everywhere)."""
    password = _read_password(password_stdin, "New password")
    with _engine(ctx) as engine:
        accounts.set_password(engine, name, password)
    click.echo(f"Changed the password of {name}; their sessions and API tokens have ended.")


@user.command("remove")
@click.argument("name")
@pass_review
def user_remove(ctx: Context, name: str) -> None:
    """Delete the account NAME (the event log keeps what they did)."""
    with _engine(ctx) as engine:
        accounts.remove_user(engine, name)
    click.echo(f"Removed user {name}.")


@user.command("list")
@pass_review
def user_list(ctx: Context) -> None:
    """The accounts of this store."""
    with _engine(ctx) as engine:
        names = accounts.list_users(engine)
    for name in names:
        click.echo(name)


@user.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for.")
@pass_review
def user_token(ctx: Context, name: str, label: str) -> None:
    """Create a personal API token for NAME (printed once; send it as `Authorization: Bearer TOKEN`)."""
    with _engine(ctx) as engine:
        click.echo(accounts.create_api_token(engine, name, label))


@click.group("member")
def member() -> None:
    """Who takes part in this review, and their role (owner, reviewer, viewer)."""


@member.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True, help="What they may do.")
@click.option("--resolver", is_flag=True, help="They may resolve conflicts (owners always may).")
@pass_review
def member_add(ctx: Context, name: str, role: str, resolver: bool) -> None:
    """Give user NAME a role in this review (or change it)."""
    m = accounts.add_member(ctx.review(), name, role, resolver=resolver)
    click.echo(
        f"{m.name} is now {m.role.value}" + (" and resolver" if m.resolver else "") + f" of {ctx.review().title!r}."
    )


@member.command("remove")
@click.argument("name")
@pass_review
def member_remove(ctx: Context, name: str) -> None:
    """End NAME's membership of this review."""
    accounts.remove_member(ctx.review(), name)
    click.echo(f"{name} is no longer a member.")


@member.command("list")
@pass_review
def member_list(ctx: Context) -> None:
    """The members of this review and their roles."""
    rows = [(m.name, m.role.value, "yes" if m.can_resolve else "") for m in accounts.members(ctx.review())]
    echo_table(rows, ["name", "role", "resolves"])


COMMANDS = [user, member]
