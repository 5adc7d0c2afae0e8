"""The synthesis of the reference review in a real browser: a count clicks through to its evidence.

The review is the bundled example (``realist example peer-harm-reduction``);
the expected studies are the library's synthesis of it, computed here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import DESKTOP, PASSWORD, PHONE, Browsing, serious_violations

from realist.synthesise import synthesis


@pytest.fixture
def example_site(
    tmp_path: Path, database_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """The example review served on a free port, with an owner (olu) and a viewer (vic)."""
    from sqlalchemy import delete

    from realist import accounts
    from realist.example import build_example
    from realist.store.models import Account, ApiToken, LoginAttempt, Membership, RequestKey, SetupToken, WebSession
    from realist.web import create_app, open_store
    from realist.web.server import running

    monkeypatch.delenv("REALIST_DATABASE_URL", raising=False)
    review = build_example(tmp_path / "peer", database_url=database_url)
    try:
        with review.session() as session:  # the PostgreSQL test store is shared
            for table in (Membership, WebSession, ApiToken, SetupToken, LoginAttempt, RequestKey):
                session.execute(delete(table))
            session.execute(delete(Account))
        for name, role in (("olu", "owner"), ("vic", "viewer")):
            accounts.add_user(review.engine, name, PASSWORD)
            accounts.add_member(review, name, role)
        expected, review_id = synthesis(review), review.review_id
    finally:
        review.close()
    store = open_store([tmp_path / "peer"], database_url=database_url)
    try:
        with running(create_app(store)) as url:
            yield url, review_id, expected
    finally:
        store.close()


@pytest.fixture
def example_browsing(chromium: Any, example_site: tuple[str, int, dict[str, Any]]) -> Iterator[Browsing]:
    b = Browsing(chromium, example_site[0])
    yield b
    b.close()
    assert not b.errors, "browser errors:\n" + "\n".join(b.errors)


def test_a_count_clicks_through_to_its_evidence_at_desktop_and_phone_width(
    example_browsing: Browsing, example_site: tuple[str, int, dict[str, Any]], screenshots: Path
) -> None:
    pytest.importorskip("axe_playwright_python")
    _, review_id, expected = example_site
    direct = next(c for c in expected["codes"] if c["id"] == "direct-services")
    found: dict[str, list[str]] = {}
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = example_browsing.sign_in("vic", viewport)
        page.goto(f"/reviews/{review_id}")
        page.get_by_role("navigation", name="Review").get_by_role("link", name="Synthesis").click()
        page.wait_for_url(re.compile(rf"/reviews/{review_id}/synthesis$"))
        assert page.get_by_role("heading", level=1, name="Synthesis").is_visible()
        # the map is an image that loaded (the SVG, under its own policy)
        assert page.evaluate("document.querySelector('figure.map img').naturalWidth") > 0
        page.screenshot(path=str(screenshots / f"synthesis-{label}.png"), full_page=True)
        found[f"synthesis {label}"] = serious_violations(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the synthesis page is {overflow}px wider than a {label} window"

        link = page.locator("#code-direct-services a.num")
        assert link.inner_text().split()[0] == str(direct["n"])
        link.click()
        page.wait_for_url(re.compile(r"/synthesis/evidence\?code=direct-services"))
        keys = [
            k.removeprefix("study-") for k in page.locator("ol.evidence > li").evaluate_all("e => e.map(x => x.id)")
        ]
        assert keys == direct["studies"]
        assert page.get_by_text(direct["citation"]).first.is_visible()
        page.screenshot(path=str(screenshots / f"synthesis-evidence-{label}.png"), full_page=True)
        found[f"evidence {label}"] = serious_violations(page)

        # a heatmap cell, chosen from the form, leads to the studies with both
        page.get_by_role("link", name="Back to the synthesis").click()
        page.get_by_label("Rows").select_option("mechanism")
        page.get_by_label("Columns").select_option("outcome")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(re.compile(r"rows=mechanism&columns=outcome"))
        found[f"crosstab {label}"] = serious_violations(page)
        cell = page.locator("table.heatmap td a.num").first
        cell.click()
        page.wait_for_url(re.compile(r"/synthesis/evidence\?rows=mechanism"))
        assert page.locator("ol.evidence > li").count() >= 1
    bad = {k: v for k, v in found.items() if v}
    assert not bad, json.dumps(bad, indent=1)


def test_the_claims_check_shows_a_finding_beside_its_line(
    example_browsing: Browsing, example_site: tuple[str, int, dict[str, Any]], tmp_path: Path, screenshots: Path
) -> None:
    pytest.importorskip("axe_playwright_python")
    _, review_id, _ = example_site
    draft = tmp_path / "draft.md"
    draft.write_text(
        "# Results\n\nOnly seven studies reported on peer management [44, 46, 49, 51, 53, 54].\n", encoding="utf-8"
    )
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = example_browsing.sign_in("olu", viewport)
        page.goto(f"/reviews/{review_id}/synthesis/claims")
        page.get_by_label(re.compile("^Manuscript")).set_input_files(str(draft))
        page.get_by_label("Its citation numbers are").select_option("review")
        page.get_by_role("button", name="Check").click()
        flagged = page.locator("#line-3.flagged")
        assert flagged.is_visible()
        assert "Only seven studies" in flagged.inner_text()
        page.screenshot(path=str(screenshots / f"claims-{label}.png"), full_page=True)
        assert serious_violations(page) == []
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the claims page is {overflow}px wider than a {label} window"
