"""Browser tests: the real server (uvicorn, in a thread) driven by Debian's Chromium.

Playwright for Python drives ``/usr/bin/chromium`` (never a downloaded
browser); the tests skip with a clear reason when it or Playwright is
missing.  Every page opened through ``Browsing`` fails the test on any
console error or uncaught page error.  Screenshots go to
``$REALIST_SCREENSHOTS`` when set, else to the test's temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, PASSWORD, Browsing, Site


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium for the session (Playwright's sync API)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium package to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def site(cli: Any) -> Iterator[Site]:
    """The real app on a free 127.0.0.1 port, on a fresh review (each backend).

    Accounts are made the way an administrator makes them: ``realist user add
    --password-stdin``; the owner is made a member with ``realist member add``.
    The reviewers are left for the owner to add in the browser.
    """
    from realist.review import open_review
    from realist.web import create_app, open_store
    from realist.web.server import running

    for name in ("olu", "rae", "ren"):
        cli.ok("user", "add", name, "--password-stdin", input=PASSWORD + "\n")
    cli.ok("member", "add", "olu", "--role", "owner")
    handle = open_review(cli.path, database_url=cli.database_url)
    review_id, title = handle.review_id, handle.title
    handle.close()
    store = open_store([cli.path], database_url=cli.database_url)
    try:
        with running(create_app(store)) as url:
            yield Site(url, cli, review_id, title)
    finally:
        store.close()


@pytest.fixture
def server_site(cli: Any, tmp_path: Path) -> Iterator[Site]:
    """The real app serving a whole database, as ``realist serve --database-url URL`` does:
    three accounts (made with ``realist user add``) and no review of theirs yet.  On SQLite
    the database is the CLI review's file, on PostgreSQL the test database; either way the
    owner creates the review in the browser."""
    from realist.web import create_app, open_store
    from realist.web.server import running

    url = cli.database_url or f"sqlite:///{cli.path / '.realist' / 'review.db'}"
    for name in ("olu", "rae", "ren"):
        cli.ok("user", "add", name, "--password-stdin", input=PASSWORD + "\n")
    store = open_store([], database_url=url, data_dir=tmp_path / "data")
    try:
        with running(create_app(store)) as base:
            yield Site(base, cli, 0, "", database_url=url, data_dir=tmp_path / "data")
    finally:
        store.close()


@pytest.fixture
def server_browsing(chromium: Any, server_site: Site) -> Iterator[Browsing]:
    """Pages on the whole-database server; fails on any browser console or page error."""
    b = Browsing(chromium, server_site.url)
    yield b
    b.close()
    assert not b.errors, "browser errors:\n" + "\n".join(b.errors)


@pytest.fixture
def browsing(chromium: Any, site: Site) -> Iterator[Browsing]:
    """Pages on the served review; the test fails on any browser console or page error."""
    b = Browsing(chromium, site.url)
    yield b
    b.close()
    assert not b.errors, "browser errors:\n" + "\n".join(b.errors)


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where screenshots go: $REALIST_SCREENSHOTS (kept) or the test's temporary folder."""
    folder = Path(os.environ.get("REALIST_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
