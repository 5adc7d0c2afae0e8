"""The report and the network search in a real browser: answer a checklist item,
build the report as a job, download the HTML and find the library's PRISMA
counts in it; axe-core and screenshots at desktop and phone width."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_support import DESKTOP, PHONE, Browsing, Site, serious_violations

from support import SAMPLE

NBSP = "\u00a0"


def _counts(site: Site) -> Any:
    from realist.report import prisma_counts
    from realist.review import open_review

    handle = open_review(site.cli.path, database_url=site.cli.database_url)
    try:
        return prisma_counts(handle)
    finally:
        handle.close()


def test_a_report_built_in_the_browser_downloads_with_the_librarys_prisma_counts(
    browsing: Browsing, site: Site, screenshots: Path
) -> None:
    pytest.importorskip("axe_playwright_python")
    site.cli.ok("import", str(SAMPLE / "pubmed_peer.ris"), "--source", "PubMed")
    site.cli.ok("import", str(SAMPLE / "scopus_peer.csv"), "--source", "Scopus")
    site.cli.ok("dedup")
    base = f"/reviews/{site.review_id}"
    page = browsing.sign_in("olu")
    page.goto(f"{base}/report")
    answer = "Peer workers shape harm reduction; no review yet explains how."
    page.get_by_label("Answer (where the report addresses it)").first.fill(answer)
    page.get_by_role("button", name="Save answer").first.click()
    page.get_by_role("status").filter(has_text="Saved.").wait_for()
    page.get_by_role("button", name="Build the report").click()
    page.get_by_text("The report is built.").wait_for(timeout=180_000)  # the job page refreshes itself
    found = {"job": serious_violations(page)}
    page.get_by_role("link", name="Report", exact=True).last.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="report.html").first.click()
    html = Path(download.value.path()).read_text(encoding="utf-8").replace(NBSP, " ")
    counts = _counts(site)
    assert counts.records_screened > 0
    assert f"Records screened (n = {counts.records_screened:,})" in html
    for name, n in counts.databases.items():
        assert f"{name} (n = {n:,})" in html, name
    assert f"Stated by the authors: {answer}" in html
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        view = browsing.sign_in("olu", viewport)
        for path in ("/report", "/network"):
            view.goto(base + path)
            assert view.get_by_role("heading", level=1).count() == 1
            view.screenshot(path=str(screenshots / f"{path.strip('/')}-olu-{label}.png"), full_page=True)
            found[f"{path} {label}"] = serious_violations(view)
            overflow = view.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a {label} window"
    bad = {k: v for k, v in found.items() if v}
    assert not bad, json.dumps(bad, indent=1)
