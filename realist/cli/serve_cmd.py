"""``realist serve``: the team web app for the review here (or --review DIR)."""

from __future__ import annotations

import click

from .common import Context, pass_review

__all__ = ["COMMANDS", "serve"]


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for every interface; put TLS in front).",
)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (state lives in the database, so any number works).",
)
@click.option(
    "--forwarded-allow-ips",
    default=None,
    help="Trust X-Forwarded-* headers from these proxy addresses (for https behind a reverse proxy).",
)
@pass_review
def serve(ctx: Context, host: str, port: int, workers: int, forwarded_allow_ips: str | None) -> None:
    """Serve the review in the browser; prints the URL (and a setup link when no account exists)."""
    from .. import accounts
    from ..web.server import run

    review = ctx.review()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    if not accounts.has_users(review.engine):
        token = accounts.create_setup_token(review.engine)
        click.echo(
            f"No account yet. Open this one-time link to create the first owner (valid 24 hours):\n"
            f"  {url}/setup/{token}"
        )
    click.echo(f"Serving {review.title!r} at {url}/  (Ctrl+C to stop)")
    path, database_url = review.path, ctx.database_url
    ctx.close()
    run(
        [path],
        database_url=database_url,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
    )


COMMANDS = [serve]
