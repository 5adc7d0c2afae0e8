"""Every main page in a real browser: accessibility (axe-core), screenshots, keyboard screening."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser_support import DESKTOP, PHONE, Browsing, Site, serious_violations

from support import SAMPLE

MAIN_PAGES = [
    "",
    "/screen",
    "/conflicts",
    "/records",
    "/import",
    "/dedup",
    "/protocol",
    "/activity",
    "/members",
    "/assign",
]


def _populate(site: Site) -> None:
    """The sample exports imported, deduplicated, and a reviewer with a decision (CLI, as an admin would)."""
    site.cli.ok("import", str(SAMPLE / "pubmed_peer.ris"), "--source", "PubMed")
    site.cli.ok("import", str(SAMPLE / "scopus_peer.csv"), "--source", "Scopus")
    site.cli.ok("dedup")
    site.cli.ok("member", "add", "rae", "--role", "reviewer")
    site.cli.ok("member", "add", "ren", "--role", "reviewer")


def test_main_pages_have_no_serious_accessibility_violations_at_desktop_and_phone_width(
    browsing: Browsing, site: Site, screenshots: Path
) -> None:
    pytest.importorskip("axe_playwright_python")
    _populate(site)
    found: dict[str, list[str]] = {}
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        anonymous = browsing.page(viewport)
        anonymous.goto("/login")
        anonymous.screenshot(path=str(screenshots / f"login-{label}.png"), full_page=True)
        found[f"/login {label}"] = serious_violations(anonymous)
        for who in ("olu", "rae"):
            page = browsing.sign_in(who, viewport)
            page.screenshot(path=str(screenshots / f"reviews-{who}-{label}.png"), full_page=True)
            found[f"/ {who} {label}"] = serious_violations(page)
            for path in MAIN_PAGES:
                page.goto(f"/reviews/{site.review_id}{path}")
                assert page.get_by_role("heading", level=1).count() >= 1, path
                name = path.strip("/") or "dashboard"
                page.screenshot(path=str(screenshots / f"{name}-{who}-{label}.png"), full_page=True)
                found[f"{path or '/'} {who} {label}"] = serious_violations(page)
                # Nothing wider than the window at phone width (the page scrolls only vertically).
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{path} as {who} is {overflow}px wider than a {label} window"
    bad = {k: v for k, v in found.items() if v}
    assert not bad, json.dumps(bad, indent=1)


def test_screening_works_from_the_keyboard_alone(browsing: Browsing, site: Site) -> None:
    _populate(site)
    page = browsing.sign_in("rae")
    page.goto(f"/reviews/{site.review_id}/screen")

    def current() -> int:
        return int(page.locator("#decide-form input[name=record_id]").input_value())

    decided: list[tuple[int, str]] = []
    for key, decision in (("i", "include"), ("e", "exclude"), ("m", "maybe")):
        rid = current()
        page.keyboard.press(key)
        page.wait_for_url(re.compile(rf"last={rid}"))
        decided.append((rid, decision))
    assert current() not in {r for r, _ in decided}

    # Keys typed into the note are text, not decisions.
    before = current()
    page.get_by_label("Note", exact=True).focus()
    page.keyboard.type("mixed methods; include?")
    assert current() == before
    page.keyboard.press("Escape")  # leaves the field; the next key is a shortcut again
    page.keyboard.press("i")
    page.wait_for_url(re.compile(rf"last={before}"))
    decided.append((before, "include"))

    # U undoes the last decision and shows that record again.
    page.keyboard.press("u")
    page.wait_for_url(re.compile(rf"record={before}"))
    assert current() == before
    decided.pop()

    progress = json.loads(site.cli.ok("screen", "progress", "--json").output)
    assert progress["reviewers"]["rae"]["decided"] == len(decided)
    assert progress["excluded"] == 1, progress  # E excluded one record; I and M moved two on
    waiting = json.loads(site.cli.ok("screen", "next", "--reviewer", "rae", "--json", "--limit", "100").output)
    assert before in [r["id"] for r in waiting]


def test_a_person_picks_french_without_javascript_and_the_pages_stay_accessible(
    browsing: Browsing, site: Site, screenshots: Path
) -> None:
    pytest.importorskip("axe_playwright_python")
    _populate(site)
    page = browsing.sign_in("olu", PHONE)
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Vos revues"
    assert page.get_by_role("note").count() == 1  # the machine-drafted banner
    found: dict[str, list[str]] = {"/": serious_violations(page)}
    for path in ("", "/records", "/screen"):
        page.goto(f"/reviews/{site.review_id}{path}")
        page.screenshot(path=str(screenshots / f"fr-{path.strip('/') or 'dashboard'}-phone.png"), full_page=True)
        found[path or "dashboard"] = serious_violations(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} in French is {overflow}px wider than a phone"
    assert page.get_by_role("link", name="Tableau de bord").count() == 1
    bad = {k: v for k, v in found.items() if v}
    assert not bad, json.dumps(bad, indent=1)


def test_screening_highlights_and_jobs_work_without_javascript(browsing: Browsing, site: Site, tmp_path: Path) -> None:
    """With JavaScript off every form is a plain post and a full page: a decision loads the next
    record, personal highlight terms save, and a job's page reloads itself until it is over."""
    from playwright.sync_api import expect

    _populate(site)
    page = browsing.sign_in("rae", javascript=False)
    page.goto(f"/reviews/{site.review_id}/screen")

    def current() -> int:
        return int(page.locator("#decide-form input[name=record_id]").input_value())

    first = current()
    page.get_by_label("Note", exact=True).fill("decided with no script")
    page.get_by_role("button", name="Exclude", exact=True).click()
    page.wait_for_url(re.compile(rf"last={first}"))
    assert current() != first
    decided = json.loads(site.cli.ok("screen", "conflicts", "--json").output)
    assert decided == []  # one reviewer: no conflict, but the decision is there:
    progress = json.loads(site.cli.ok("screen", "progress", "--json").output)
    assert progress["reviewers"]["rae"]["decided"] == 1

    # A word of this record's title, as rae's own inclusion term, is marked after saving.
    title = page.get_by_role("heading", level=1).inner_text()
    word = max(re.findall(r"[A-Za-z]{5,}", title), key=len)
    page.get_by_text("Your highlight terms").click()
    page.get_by_label("Highlight for inclusion (one term a line)").fill(word)
    page.get_by_role("button", name="Save my highlights").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).locator("mark.inc").first.inner_text().lower() == word.lower()

    owner = browsing.sign_in("olu", javascript=False)
    owner.goto(f"/reviews/{site.review_id}/import")
    export = tmp_path / "hand_search.ris"
    export.write_text("TY  - JOUR\nTI  - Peer navigators in opioid treatment\nPY  - 2021\nER  - \n")
    owner.get_by_label(re.compile(r"^Export files")).set_input_files(str(export))
    owner.get_by_label("Source name").fill("Hand search")
    owner.get_by_role("button", name="Import", exact=True).click()
    expect(owner.get_by_role("status")).not_to_contain_text("refreshes by itself", timeout=120_000)
    assert "hand_search.ris: 1 record (ris)" in owner.get_by_role("status").inner_text()
