"""Helpers for the browser tests (imported by name: conftest modules are not)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("REALIST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@dataclass
class Site:
    """A served review: its base URL, the CLI on the same review, and its id and title."""

    url: str
    cli: Any
    review_id: int
    title: str
    database_url: str = ""
    data_dir: Path | None = None

    def cli_for(self, folder: Path) -> Any:
        """The CLI on another review of the same database (one the browser created)."""
        return type(self.cli)(folder, self.database_url)


@dataclass
class Browsing:
    """Browser contexts that record console errors and page errors as they happen."""

    browser: Any
    base_url: str
    errors: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)

    def page(self, viewport: dict[str, int] | None = None, *, javascript: bool = True) -> Any:
        context = self.browser.new_context(
            base_url=self.base_url, viewport=viewport or DESKTOP, java_script_enabled=javascript
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: page error: {exc}"))
        return page

    def _console(self, page: Any, msg: Any) -> None:
        if msg.type == "error":
            self.errors.append(f"{page.url}: console error: {msg.text}")

    def sign_in(self, name: str, viewport: dict[str, int] | None = None, *, javascript: bool = True) -> Any:
        """A new context signed in as ``name`` through the login form (accessible names only)."""
        page = self.page(viewport, javascript=javascript)
        page.goto("/login")
        page.get_by_label("Username").fill(name)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/$"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


SERIOUS = ("serious", "critical")


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is, one line each
    (rule, impact, help and the first three offending elements)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def select_with_mouse(page: Any, region: Any, sentence: str) -> None:
    """Drag the mouse from the sentence's first character (inside ``region``) to just past its last."""
    box = page.evaluate(
        """([id, sentence]) => {
            const root = document.getElementById(id);
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const i = node.data.indexOf(sentence);
                if (i < 0) continue;
                const first = document.createRange();
                first.setStart(node, i); first.setEnd(node, i + 1);
                const last = document.createRange();
                last.setStart(node, i + sentence.length - 1); last.setEnd(node, i + sentence.length);
                first.startContainer.parentElement.scrollIntoView({block: "center"});
                const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
                return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
            }
            return null;
        }""",
        [region.get_attribute("id"), sentence],
    )
    assert box, f"{sentence!r} is not in the text on the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()
