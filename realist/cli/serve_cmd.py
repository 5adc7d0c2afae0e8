"""``realist serve``: the team web app for the review here (or --review DIR);
``realist worker``: a job consumer on its own (another machine, or more of them)."""

from __future__ import annotations

import click

from .common import Context, pass_review

__all__ = ["COMMANDS", "serve", "worker"]


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
    "--job-workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 16),
    help="Job consumer processes (imports, deduplication, ranking refits); 0 when `realist worker` runs them.",
)
@click.option(
    "--forwarded-allow-ips",
    default=None,
    help="Trust X-Forwarded-* headers from these proxy addresses (for https behind a reverse proxy).",
)
@pass_review
def serve(ctx: Context, host: str, port: int, workers: int, job_workers: int, forwarded_allow_ips: str | None) -> None:
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
        job_workers=job_workers,
    )


@click.command("worker")
@pass_review
def worker(ctx: Context) -> None:
    """Run the web app's background jobs for the review (until Ctrl+C).

    For `realist serve --job-workers 0`, or for more consumers: on a
    PostgreSQL store (--database-url) the queue is in that database, so a
    worker may run on another machine.
    """
    from ..web.jobs import run_consumer

    review = ctx.review()
    path, database_url = review.path, ctx.database_url
    click.echo(f"Running jobs for {review.title!r}  (Ctrl+C to stop)")
    ctx.close()
    run_consumer([path], database_url=database_url)


COMMANDS = [serve, worker]
