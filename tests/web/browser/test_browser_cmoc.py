"""A CMO configuration built in a real browser from two coded excerpts, then found in the programme theory.

The excerpts are made through the library in setup (coding in the browser is
the reader's own test); the browser picks the codes and excerpts, saves the
configuration, follows the programme theory's link for it and sees the
excerpts behind it.  axe-core on each page, screenshots at desktop and
390 px, and no console errors (the ``browsing`` fixture).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import PHONE, Browsing, Site, serious_violations

FULL_TEXT = (
    b"Results. Peer educators were trusted because they had lived the same life, "
    b"and clients said stigma at the clinic fell once peers came with them."
)


def _setup(site: Site) -> dict[str, Any]:
    """A record with a full text, the realist codebook, a study and two coded excerpts (library calls)."""
    from realist.code.codebook import install_template
    from realist.code.coding import apply_code
    from realist.code.studies import add_study
    from realist.fulltext import add_fulltext_bytes
    from realist.identify import import_records
    from realist.records import RecordData
    from realist.review import open_review

    review = open_review(site.cli.path, database_url=site.cli.database_url)
    try:
        import_records(
            review,
            [RecordData(title="Peer navigation in Hanoi", authors=["Nguyen, T."], year=2019)],
            source="PubMed",
            kind="database",
        )
        from realist.inventory import list_records

        record = list_records(review)[0].id
        add_fulltext_bytes(review, record, "nguyen.txt", FULL_TEXT)
        install_template(review)
        study = add_study(review, record)
        trust = apply_code(
            review, study.id, "trust-empathy-commitment", coder="olu", quote="Peer educators were trusted"
        )
        stigma = apply_code(review, study.id, "stigma-outcome", coder="olu", quote="stigma at the clinic fell")
        assert trust.excerpt and stigma.excerpt
        return {"study": study.id, "label": study.label, "review": site.review_id}
    finally:
        review.close()


def test_build_a_cmoc_from_two_excerpts_and_see_it_in_the_programme_theory(
    browsing: Browsing, site: Site, screenshots: Path
) -> None:
    pytest.importorskip("axe_playwright_python")
    made = _setup(site)
    rid = made["review"]
    page = browsing.sign_in("olu")
    page.goto(f"/reviews/{rid}")
    page.get_by_role("link", name="Studies", exact=True).first.click()
    page.get_by_role("link", name=made["label"]).click()
    page.get_by_role("link", name="Build a CMO configuration").click()
    page.wait_for_url(re.compile(r"/cmocs/new$"))
    found: dict[str, list[str]] = {"builder": serious_violations(page)}
    page.screenshot(path=str(screenshots / "cmoc-builder-desktop.png"), full_page=True)

    def role(name: str) -> Any:
        return page.get_by_role("group", name=re.compile(rf"^{name}"))

    role("Intervention").get_by_label("Code").select_option(label="Support, counselling and referral")
    role("Context").get_by_label("Code").select_option(label="Clinic and service delivery environments")
    role("Mechanism").get_by_label("Code").select_option(label="Trust, empathy and commitment")
    role("Mechanism").get_by_label(re.compile("Peer educators were trusted")).check()
    role("Outcome").get_by_label("Code").select_option(label="Stigma and discrimination")
    role("Outcome").get_by_label(re.compile("stigma at the clinic fell")).check()
    page.get_by_label("Statement (one or two sentences)").fill("Peers who are trusted lower stigma at the clinic.")
    page.get_by_role("button", name="Save the CMO configuration").click()
    page.wait_for_url(re.compile(rf"/studies/{made['study']}\?"))
    assert page.get_by_role("status").get_by_text("CMO configuration saved").is_visible()
    assert page.get_by_text("Peers who are trusted lower stigma at the clinic.").is_visible()
    found["study"] = serious_violations(page)
    page.screenshot(path=str(screenshots / "study-desktop.png"), full_page=True)

    page.get_by_role("link", name="Programme theory", exact=True).first.click()
    edge = page.get_by_role("link", name="Trust, empathy and commitment to Stigma and discrimination: 1 studies")
    assert edge.count() == 1
    found["theory"] = serious_violations(page)
    page.screenshot(path=str(screenshots / "theory-desktop.png"), full_page=True)
    edge.click()
    page.wait_for_url(re.compile(r"edge="))
    evidence = page.locator("#evidence")
    assert evidence.get_by_text("Peer educators were trusted").is_visible()
    assert evidence.get_by_text("stigma at the clinic fell").is_visible()
    assert evidence.get_by_role("link", name=made["label"]).is_visible()
    found["theory evidence"] = serious_violations(page)

    phone = browsing.sign_in("olu", PHONE)
    for name, path in (
        ("studies", f"/reviews/{rid}/studies"),
        ("study", f"/reviews/{rid}/studies/{made['study']}"),
        ("cmoc-builder", f"/reviews/{rid}/studies/{made['study']}/cmocs/new"),
        ("theory", f"/reviews/{rid}/theory?edge=mechanism:trust-empathy-commitment,outcome:stigma-outcome"),
    ):
        phone.goto(path)
        phone.screenshot(path=str(screenshots / f"{name}-phone.png"), full_page=True)
        found[f"{name} phone"] = serious_violations(phone)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than a 390 px window"
    bad = {k: v for k, v in found.items() if v}
    assert not bad, json.dumps(bad, indent=1)
