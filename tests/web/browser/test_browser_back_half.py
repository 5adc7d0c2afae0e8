"""The back half of a review in a real browser, in English and in French, with no command line.

What comes before (the record found and included by two reviewers) is set up
with the CLI; from there everything happens in the browser, each person in
the language they picked: the owner sets up the codebook from the realist
template and makes the studies; a reviewer attaches the study's PDF, selects
two sentences with the mouse and codes them; a second reviewer agrees with
both codings; the first builds a CMO configuration from the two excerpts,
finds it in the programme theory and sees the excerpts behind its link; the
owner builds the report as a job and finds the configuration in the
downloaded HTML.  The accessible names the test uses are looked up in the
app's own catalogue for the language, so the French run fails when a page
shows an English string the catalogue translates (and when the catalogue
loses one).  Every page in the flow passes axe-core (no serious or critical
violations) and a phone-width screenshot is kept; any console error fails
the test (the ``browsing`` fixture).
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from browser_support import PHONE, Browsing, Site, select_with_mouse, serious_violations

NBSP = "\u00a0"
MECHANISM = "Peer workers were trusted because they had lived the same life."
OUTCOME = "Clients said stigma at the clinic fell once peers came with them."
PAGE_ONE = "Methods. We interviewed forty clients of a drop-in centre in Hai Phong."
PAGE_TWO = f"Results. {MECHANISM} {OUTCOME}"
ACTIONS = (
    "Make studies from the included records",
    "Attach the full text",
    "Apply the codes",
    "Agree",
    "Build a CMO configuration",
    "Save the CMO configuration",
    "Programme theory",
    "Build the report",
)
STATEMENT = "Where peers share clients' lives, trust in them lowers stigma at the clinic."


def _pdf(tmp_path: Path) -> Path:
    from test_fulltext import make_pdf  # the hand-written minimal PDF the full-text tests use

    path = tmp_path / "haiphong.pdf"
    path.write_bytes(make_pdf([PAGE_ONE, PAGE_TWO]))
    return path


def _included_record(site: Site) -> int:
    """One record, included at both stages by two reviewers (CLI: screening is part 1's flow)."""
    from realist.identify import import_records
    from realist.records import RecordData
    from realist.review import open_review

    cli = site.cli
    cli.ok("member", "add", "rae", "--role", "reviewer")
    cli.ok("member", "add", "ren", "--role", "reviewer")
    review = open_review(cli.path, database_url=cli.database_url)
    try:
        import_records(
            review,
            [
                RecordData(
                    title="Peer outreach and stigma at a clinic in Hai Phong",
                    authors=["Tran, T.", "Le, H."],
                    year=2020,
                    journal="Harm Reduction Journal",
                    abstract="Peer workers accompanied people who use drugs to a district clinic.",
                )
            ],
            source="PubMed",
            kind="database",
        )
    finally:
        review.close()
    (record,) = [r["id"] for r in json.loads(cli.ok("records", "--json").output)]
    for stage in ("title_abstract", "full_text"):
        for reviewer in ("rae", "ren"):
            cli.ok("screen", "decide", str(record), "include", "--reviewer", reviewer, "--stage", stage)
    return int(record)


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_a_team_codes_a_full_text_builds_a_cmoc_and_downloads_the_report_in_its_language(
    browsing: Browsing, site: Site, screenshots: Path, tmp_path: Path, locale: str
) -> None:
    pytest.importorskip("axe_playwright_python")
    from playwright.sync_api import expect

    from realist.web.i18n import translations

    catalogue = translations(locale)

    def t(message: str, **variables: Any) -> str:
        """``message`` as the app shows it in ``locale``."""
        text = catalogue.gettext(message)
        return text % variables if variables else text

    if locale != "en":  # the flow's actions really are in another language (cognates such as "Code" aside)
        for action in ACTIONS:
            assert t(action) != action, f"the {locale} catalogue does not translate {action!r}"

    def sign_in(name: str) -> Any:
        page = browsing.sign_in(name)
        if locale != "en":
            page.get_by_label("Language").select_option(locale)
            page.get_by_role("button", name="Change language").click()
            page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == locale
        return page

    record = _included_record(site)
    base = f"/reviews/{site.review_id}"
    seen: dict[str, list[str]] = {}

    def check(page: Any, name: str) -> None:
        """axe-core on the page as it is, and the page again at phone width with a screenshot."""
        seen[name] = serious_violations(page)
        phone = page.context.browser.new_context(
            base_url=site.url, viewport=PHONE, storage_state=page.context.storage_state()
        )
        try:
            small = phone.new_page()
            small.goto(page.url)
            small.screenshot(path=str(screenshots / f"back-half-{locale}-{name}-phone.png"), full_page=True)
            overflow = small.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name} in {locale} is {overflow}px wider than a 390 px window"
        finally:
            phone.close()

    # The owner sets up the codebook and makes a study of the included record.
    olu = sign_in("olu")
    olu.goto(f"{base}/codebook")
    olu.get_by_role("button", name=t("Start from the realist template (the reference review's framework)")).click()
    olu.wait_for_load_state()
    olu.get_by_role("link", name=t("Coding"), exact=True).first.click()
    olu.get_by_role("button", name=t("Make studies from the included records")).click()
    study_row = olu.get_by_role("row").filter(has_text="Tran")
    expect(study_row).to_have_count(1)
    reader = study_row.get_by_role("link").first.get_attribute("href")
    assert reader and reader.endswith("/read")
    check(olu, "coding")

    # A reviewer attaches the PDF and codes two sentences of its second page.
    rae = sign_in("rae")
    rae.goto(reader)
    rae.get_by_label(t("File (PDF, HTML or plain text)")).set_input_files(str(_pdf(tmp_path)))
    rae.get_by_role("button", name=t("Attach the full text")).click()
    rae.wait_for_url(re.compile(re.escape(reader)))
    fulltext = rae.get_by_role(
        "region", name=t("Text to code: %(what)s of record %(n)s", what=t("full text"), n=record)
    )
    expect(fulltext).to_contain_text(OUTCOME)
    expect(fulltext.locator(".pagemark", has_text=t("Page %(n)s", n=2))).to_have_count(1)
    for sentence, code in ((MECHANISM, "trust-empathy-commitment"), (OUTCOME, "stigma-outcome")):
        select_with_mouse(rae, fulltext, sentence)
        expect(rae.get_by_label(t("Quote (the passage's exact words)"))).to_have_value(sentence)
        rae.locator(f"input[name=codes][value={code}]").check()
        rae.get_by_role("button", name=t("Apply the codes")).click()
        rae.wait_for_url(re.compile(r"#coding-\d+$"))
    expect(fulltext.locator("mark.coded")).to_have_count(2)
    check(rae, "reader")
    codings = json.loads(site.cli.ok("code", "list", "--json").output)
    assert {c["excerpt"]["text"]: c["excerpt"]["page"] for c in codings} == {MECHANISM: 2, OUTCOME: 2}

    # The second reviewer agrees with both.
    ren = sign_in("ren")
    ren.goto(reader)
    for coding in codings:
        ren.locator(f"#coding-{coding['id']}").get_by_role("button", name=t("Agree"), exact=True).click()
        ren.wait_for_url(re.compile(r"#coding-\d+$"))
        expect(ren.locator(f"#coding-{coding['id']} .status")).to_have_text(t("agreed"))
    assert {c["status"] for c in json.loads(site.cli.ok("code", "list", "--json").output)} == {"agreed"}

    # The first builds a CMO configuration from the two excerpts ...
    rae.get_by_role("link", name=t("Studies"), exact=True).first.click()
    rae.get_by_role("row").filter(has_text="Tran").get_by_role("link").first.click()
    rae.get_by_role("link", name=t("Build a CMO configuration")).click()
    rae.wait_for_url(re.compile(r"/cmocs/new$"))
    check(rae, "cmoc-builder")

    def part(role: str) -> Any:
        return rae.get_by_role("group", name=re.compile(rf"^{re.escape(t(role))}"))

    part("Intervention").get_by_label(t("Code"), exact=True).select_option(label="Support, counselling and referral")
    part("Mechanism").get_by_label(t("Code"), exact=True).select_option(label="Trust, empathy and commitment")
    part("Mechanism").get_by_label(re.compile(re.escape(MECHANISM))).check()
    part("Outcome").get_by_label(t("Code"), exact=True).select_option(label="Stigma and discrimination")
    part("Outcome").get_by_label(re.compile(re.escape(OUTCOME))).check()
    rae.get_by_label(t("Statement (one or two sentences)")).fill(STATEMENT)
    rae.get_by_role("button", name=t("Save the CMO configuration")).click()
    rae.wait_for_url(re.compile(r"/studies/[^/?]+\?"))
    expect(rae.get_by_text(STATEMENT)).to_be_visible()

    # ... and finds it in the programme theory, with the excerpts behind its link.
    rae.get_by_role("link", name=t("Programme theory"), exact=True).first.click()
    edge = rae.get_by_role(
        "link",
        name=t("%(a)s to %(b)s: %(n)s studies", a="Trust, empathy and commitment", b="Stigma and discrimination", n=1),
    )
    expect(edge).to_have_count(1)
    edge.click()
    rae.wait_for_url(re.compile(r"edge="))
    evidence = rae.locator("#evidence")
    expect(evidence.get_by_text(MECHANISM)).to_be_visible()
    expect(evidence.get_by_text(OUTCOME)).to_be_visible()
    check(rae, "theory")
    cmocs = json.loads(site.cli.ok("cmoc", "list", "--json").output)
    assert [c["statement"] for c in cmocs] == [STATEMENT]

    # The owner builds the report and downloads it: the configuration is in it.
    olu.get_by_role("link", name=t("Report"), exact=True).first.click()
    olu.get_by_role("button", name=t("Build the report")).click()
    olu.get_by_text(t("The report is built.")).wait_for(timeout=180_000)  # the job page refreshes itself
    check(olu, "report-job")
    olu.get_by_role("link", name=t("Report"), exact=True).last.click()
    with olu.expect_download() as download:
        olu.get_by_role("link", name="report.html").first.click()
    html = unescape(Path(download.value.path()).read_text(encoding="utf-8")).replace(NBSP, " ")
    assert STATEMENT in html
    assert re.search(r"[Ss]tudies included in review \(n = 1\)", html), "the PRISMA counts are not in the report"
    check(olu, "report")

    bad = {k: v for k, v in seen.items() if v}
    assert not bad, json.dumps(bad, indent=1)
