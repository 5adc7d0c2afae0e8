"""In a real browser: the account page (API tokens, password), the review's navigation in
pipeline order, and a failed import's job page followed with JavaScript on."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from browser_support import DESKTOP, PHONE, Browsing, Site, serious_violations
from playwright.sync_api import expect

PIPELINE = [
    "Dashboard",
    "Import",
    "Duplicates",
    "Network search",
    "Screen",
    "Conflicts",
    "Assignments",
    "Records",
    "Studies",
    "Coding",
    "Synthesis",
    "Programme theory",
    "Report",
    "Protocol",
    "Activity",
    "Members",
]


def test_failed_import_shows_its_error_on_the_job_page_without_console_errors(
    browsing: Browsing, site: Site, tmp_path: Path, screenshots: Path
) -> None:
    """The job page polls itself with fetch while the job runs; a failed job's page answers
    200 (the page was found; the job failed), so the browser logs no error."""
    owner = browsing.sign_in("olu")
    owner.goto(f"/reviews/{site.review_id}/import")
    bad = tmp_path / "broken.bib"
    bad.write_text("@article{a, title={Fine}}\n\n@article{b, title={Unclosed}\n")
    owner.get_by_label(re.compile(r"^Export files")).set_input_files(str(bad))
    owner.get_by_label("Source name").fill("Broken export")
    owner.get_by_role("button", name="Import", exact=True).click()
    owner.wait_for_url(re.compile(r"/jobs/"))
    alert = owner.get_by_role("alert")
    expect(alert).to_contain_text("broken.bib", timeout=120_000)
    expect(owner.get_by_role("status")).to_contain_text("Nothing was imported.")
    expect(owner.get_by_role("status")).not_to_contain_text("refreshes by itself")
    owner.wait_for_timeout(2500)  # any poll still in flight has answered
    owner.screenshot(path=str(screenshots / "job-failed-import-desktop.png"), full_page=True)
    # A reload of the finished page is a plain 200 too.
    response = owner.reload()
    assert response is not None and response.status == 200
    expect(owner.get_by_role("alert")).to_contain_text("broken.bib")


def test_a_person_makes_copies_and_revokes_an_api_token_in_the_browser(
    browsing: Browsing, site: Site, screenshots: Path
) -> None:
    pytest.importorskip("axe_playwright_python")
    page = browsing.sign_in("olu")
    page.get_by_role("link", name="Your account: olu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    assert serious_violations(page) == []
    page.get_by_label("Name (what the token is for)").fill("screening script")
    page.get_by_role("button", name="Make token").click()
    field = page.get_by_label("Token", exact=True)
    token = field.input_value()
    assert token.startswith("rlt_")
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("document.activeElement.id") == "new-token"
    assert page.evaluate("window.getSelection().toString() || document.activeElement.selectionEnd") not in ("", 0)
    page.screenshot(path=str(screenshots / "account-new-token-desktop.png"), full_page=True)
    assert serious_violations(page) == []

    request = urllib.request.Request(f"{site.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as answer:
        assert json.load(answer)["name"] == "olu"

    page.goto("/account")
    assert token not in page.content()
    row = page.get_by_role("row").filter(has_text="screening script")
    expect(row).not_to_contain_text("never")  # used just now
    row.get_by_role("button", name="Revoke screening script").click()
    expect(page.get_by_role("status")).to_contain_text("The token is revoked")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 401

    phone = browsing.sign_in("olu", PHONE)
    phone.goto("/account")
    phone.screenshot(path=str(screenshots / "account-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert serious_violations(phone) == []


def test_review_navigation_runs_in_pipeline_order_and_fits_a_phone(
    browsing: Browsing, site: Site, screenshots: Path
) -> None:
    site.cli.ok("member", "add", "rae", "--role", "reviewer")
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        owner = browsing.sign_in("olu", viewport)
        owner.goto(f"/reviews/{site.review_id}")
        nav = owner.get_by_role("navigation", name="Review")
        names = [link.inner_text().strip() for link in nav.get_by_role("link").all()]
        assert names == PIPELINE
        assert all(link.is_visible() for link in nav.get_by_role("link").all())
        current = nav.locator("[aria-current=page]")
        expect(current).to_have_text("Dashboard")
        owner.screenshot(path=str(screenshots / f"nav-dashboard-olu-{label}.png"), full_page=True)
        assert owner.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    # A reviewer has no assignment page in the list; the screening page is there.
    rae = browsing.sign_in("rae", PHONE)
    rae.goto(f"/reviews/{site.review_id}/records")
    nav = rae.get_by_role("navigation", name="Review")
    names = [link.inner_text().strip() for link in nav.get_by_role("link").all()]
    assert names == [n for n in PIPELINE if n != "Assignments"]
    expect(nav.locator("[aria-current=page]")).to_have_text("Records")
    # From the keyboard: Tab from the brand link reaches the links in the same order.
    rae.get_by_role("link", name="realist").focus()
    reached = []
    for _ in range(len(names)):
        rae.keyboard.press("Tab")
        reached.append(rae.evaluate("document.activeElement.textContent.trim()"))
    assert reached == names
