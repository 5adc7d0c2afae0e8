"""``realist serve``: the team web app for the review here (or --review DIR), or for every
review in a server database (``--database-url`` without ``--review``); ``realist worker``: a job
consumer on its own (another machine, or more of them)."""

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
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="With --database-url and no --review: where the served reviews' folders (protocol, "
    "full texts) live, one per review [default: ./realist-data].",
)
@pass_review
def serve(
    ctx: Context,
    host: str,
    port: int,
    workers: int,
    job_workers: int,
    forwarded_allow_ips: str | None,
    data_dir: str | None,
) -> None:
    """Serve the review in the browser; prints the URL (and a setup link when no account exists).

    With --database-url and no --review, serves every review in that server
    database, and signed-in people can create new reviews in the browser.
    """
    from .. import accounts
    from ..web.server import run
    from ..web.store import open_store

    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    every = ctx.database_url is not None and ctx.review_dir is None
    if every:
        # A review folder here keeps serving from its own folder; every other review of the
        # database gets one under the data directory.
        from ..errors import ReviewNotFound
        from ..review import find_review_dir

        try:
            here = [find_review_dir()]
        except ReviewNotFound:
            here = []
        try:
            store = open_store(here, database_url=ctx.database_url, data_dir=data_dir or "realist-data")
        except ReviewNotFound:  # the folder here is a review of another store
            store = open_store([], database_url=ctx.database_url, data_dir=data_dir or "realist-data")
        engine, what, paths = store.engine, f"every review in {store.url}", list(store.reviews.values())
        data_dir = str(store.data_dir)
    else:
        if data_dir is not None:
            raise click.UsageError("--data-dir goes with --database-url and no --review (serving a whole database)")
        review = ctx.review()
        engine, what, paths = review.engine, repr(review.title), [review.path]
    if not accounts.has_users(engine):
        token = accounts.create_setup_token(engine)
        click.echo(
            f"No account yet. Open this one-time link to create the first owner (valid 24 hours):\n"
            f"  {url}/setup/{token}"
        )
    click.echo(f"Serving {what} at {url}/  (Ctrl+C to stop)")
    database_url = ctx.database_url
    if every:
        engine.dispose()
    ctx.close()
    run(
        paths,
        database_url=database_url,
        data_dir=data_dir,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        job_workers=job_workers,
    )


@click.command("worker")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="With --database-url and no --review: the folder `realist serve --data-dir` uses [default: ./realist-data].",
)
@pass_review
def worker(ctx: Context, data_dir: str | None) -> None:
    """Run the web app's background jobs for the review (until Ctrl+C).

    For `realist serve --job-workers 0`, or for more consumers: on a
    PostgreSQL store (--database-url) the queue is in that database, so a
    worker may run on another machine. With --database-url and no --review it
    runs the jobs of every review in that database, as `realist serve` does.
    """
    from ..web.jobs import run_consumer

    if ctx.database_url is not None and ctx.review_dir is None:
        server_url: str = ctx.database_url
        click.echo("Running jobs for every review in the database  (Ctrl+C to stop)")
        ctx.close()
        run_consumer([], database_url=server_url, data_dir=data_dir or "realist-data")
        return
    if data_dir is not None:
        raise click.UsageError("--data-dir goes with --database-url and no --review (a whole database)")
    review = ctx.review()
    path, database_url = review.path, ctx.database_url
    click.echo(f"Running jobs for {review.title!r}  (Ctrl+C to stop)")
    ctx.close()
    run_consumer([path], database_url=database_url)


COMMANDS = [serve, worker]
