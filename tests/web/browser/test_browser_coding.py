"""Coding in a real browser, on each backend: attach a PDF to a study, select a sentence
with the mouse, code it, and have a second reviewer validate it.

The owner (olu) sets up with the CLI what has no part in this flow (members,
records, a study, the codebook template).  The reviewer rae attaches a
two-page PDF on the study's reader page, selects a sentence on its second
page by dragging the mouse across it, ticks two codes and applies them; the
CLI then sees an excerpt with the sentence's offsets into the extracted text
and page 2, as ``realist code apply --excerpt-start --excerpt-end`` stores
it.  The second reviewer ren agrees with one coding and disputes the other;
the agreement page shows both.  Every coding page passes axe-core (no
serious or critical violations) at desktop and phone width, with
screenshots; any console error fails the test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser_support import DESKTOP, PASSWORD, PHONE, Browsing, Site, select_with_mouse, serious_violations

from support import SAMPLE

PAGE_ONE = "Peer educators met people who inject drugs at the drop-in centre every week."
SENTENCE = "Outreach workers carried naloxone on every shift."
PAGE_TWO = f"Clients said that {SENTENCE} Police presence kept some away."


def _pdf(tmp_path: Path) -> Path:
    from test_fulltext import make_pdf  # the hand-written minimal PDF the full-text tests use

    path = tmp_path / "outreach.pdf"
    path.write_bytes(make_pdf([PAGE_ONE, PAGE_TWO]))
    return path


def test_attach_select_code_and_validate_as_second_coder(
    browsing: Browsing, site: Site, screenshots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    cli = site.cli
    cli.ok("member", "add", "rae", "--role", "reviewer")
    cli.ok("member", "add", "ren", "--role", "reviewer")
    cli.ok("user", "add", "vic", "--password-stdin", input=PASSWORD + "\n")
    cli.ok("member", "add", "vic", "--role", "viewer")
    cli.ok("import", str(SAMPLE / "pubmed_peer.ris"), "--source", "PubMed")
    record = json.loads(cli.ok("records", "--json").output)[0]["id"]
    cli.ok("study", "add", str(record), "--key", "outreach2020")
    cli.ok("codebook", "template", "realist")
    reader = f"/reviews/{site.review_id}/studies/outreach2020/read"

    rae = browsing.sign_in("rae")
    rae.goto(f"/reviews/{site.review_id}/coding")
    rae.get_by_role("row").filter(has_text="outreach2020").get_by_role("link").click()
    assert rae.url.endswith(reader)
    rae.get_by_label("File (PDF, HTML or plain text)").set_input_files(str(_pdf(tmp_path)))
    rae.get_by_role("button", name="Attach the full text").click()
    rae.wait_for_url(re.compile(re.escape(reader)))
    fulltext = rae.get_by_role("region", name=f"Text to code: full text of record {record}")
    expect(fulltext).to_contain_text(SENTENCE)
    expect(fulltext.locator(".pagemark", has_text="Page 2")).to_have_count(1)

    select_with_mouse(rae, fulltext, SENTENCE)
    status = rae.locator("#sel-status")
    expect(status).to_contain_text("Selected characters")
    assert rae.get_by_label("Quote (the passage's exact words)").input_value() == SENTENCE
    rae.locator("input[name=codes][value=harm-reduction-education]").check()
    rae.locator("input[name=codes][value=trust-empathy-commitment]").check()
    rae.get_by_label("Memo (optional)").fill("Naloxone on every shift.")
    rae.get_by_role("button", name="Apply the codes").click()
    rae.wait_for_url(re.compile(r"#coding-\d+$"))
    expect(fulltext.locator("mark.coded")).to_have_text(SENTENCE)

    # What the CLI sees: the sentence's offsets into the extracted text, on page 2.
    codings = json.loads(cli.ok("code", "list", "--study", "outreach2020", "--json").output)
    assert sorted(c["code"] for c in codings) == ["harm-reduction-education", "trust-empathy-commitment"]
    excerpt = codings[0]["excerpt"]
    extracted = json.loads(cli.ok("fulltext", "list", "--json").output)
    assert len(extracted) == 1 and extracted[0]["page_count"] == 2
    assert excerpt["text"] == SENTENCE and excerpt["page"] == 2 and excerpt["source"] == "fulltext"
    assert excerpt["end"] - excerpt["start"] == len(SENTENCE)
    cli_made = json.loads(
        cli.ok(
            "code", "apply", "outreach2020", "community-knowledge", "--coder", "olu",
            "--excerpt-start", str(excerpt["start"]), "--excerpt-end", str(excerpt["end"]), "--in", "fulltext", "--json",
        ).output
    )  # fmt: skip
    assert cli_made["excerpt"]["id"] == excerpt["id"]  # the same span: the excerpt the browser made
    cli.ok("code", "validate", str(cli_made["id"]), "agree", "--coder", "rae")  # keep olu's coding out of ren's way

    # The second coder: not rae's own codings (no form for them), ren's verdicts.
    assert rae.locator(f"#coding-{codings[0]['id']} button", has_text="Agree").count() == 0
    ren = browsing.sign_in("ren")
    ren.goto(reader)
    by_code = {c["code"]: c["id"] for c in codings}
    agree = ren.locator(f"#coding-{by_code['harm-reduction-education']}")
    agree.get_by_role("button", name="Agree", exact=True).click()
    ren.wait_for_url(re.compile(r"#coding-\d+$"))
    dispute = ren.locator(f"#coding-{by_code['trust-empathy-commitment']}")
    dispute.get_by_label(re.compile("^Comment on coding")).fill("Trust is not in this sentence.")
    dispute.get_by_role("button", name="Disagree", exact=True).click()
    ren.wait_for_url(re.compile(r"#coding-\d+$"))
    expect(ren.locator(f"#coding-{by_code['harm-reduction-education']} .status")).to_have_text("agreed")
    expect(ren.locator(f"#coding-{by_code['trust-empathy-commitment']} .status")).to_have_text("disputed")
    status_by_code = {c["code"]: c["status"] for c in json.loads(cli.ok("code", "list", "--json").output)}
    assert status_by_code["harm-reduction-education"] == "agreed"
    assert status_by_code["trust-empathy-commitment"] == "disputed"

    ren.get_by_role("link", name="Agreement and disagreements").click()
    disagreements = ren.locator("#disputed + ul")
    expect(disagreements).to_contain_text("Trust is not in this sentence.")
    expect(disagreements).to_contain_text(SENTENCE)

    # Accessibility and screenshots of every coding page, as a reviewer, the owner and a viewer, at both widths.
    pytest.importorskip("axe_playwright_python")
    found: dict[str, list[str]] = {}
    pages = {
        "coding": f"/reviews/{site.review_id}/coding",
        "reader": reader,
        "codebook": f"/reviews/{site.review_id}/codebook",
        "agreement": f"/reviews/{site.review_id}/coding/agreement",
    }
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for who in ("rae", "olu", "vic"):
            page = browsing.sign_in(who, viewport)
            for name, path in pages.items():
                page.goto(path)
                assert page.get_by_role("heading", level=1).count() == 1, path
                page.screenshot(path=str(screenshots / f"coding-{name}-{who}-{label}.png"), full_page=True)
                found[f"{path} {who} {label}"] = serious_violations(page)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{path} as {who} is {overflow}px wider than a {label} window"
    bad = {k: v for k, v in found.items() if v}
    assert not bad, json.dumps(bad, indent=1)


def test_a_selection_after_astral_characters_and_carriage_returns_keeps_its_offsets(
    browsing: Browsing, site: Site
) -> None:
    """The browser counts UTF-16 units and folds CR LF; the stored offsets count code points of the text as kept."""
    from playwright.sync_api import expect

    from realist.code import add_study, install_template, list_excerpts
    from realist.identify import import_records
    from realist.records import RecordData
    from realist.review import open_review

    sentence = "Peers reached 𝑛 = 40 clients."
    abstract = "Harm reduction 💉🧪 in Hải Phòng.\r\nSecond line.\r\n" + sentence + " Last 😀."
    site.cli.ok("member", "add", "rae", "--role", "reviewer")
    review = open_review(site.cli.path, database_url=site.cli.database_url)
    try:
        import_records(review, [RecordData(title="Astral", abstract=abstract, year=2021)], source="hand", kind="other")
        record = json.loads(site.cli.ok("records", "--json").output)[0]["id"]
        add_study(review, record, key="astral2021")
        install_template(review)
    finally:
        review.close()
    rae = browsing.sign_in("rae")
    rae.goto(f"/reviews/{site.review_id}/studies/astral2021/read")
    box = rae.get_by_role("region", name=f"Text to code: abstract of record {record}")
    select_with_mouse(rae, box, sentence)
    expect(rae.locator("#sel-status")).to_contain_text("Selected characters")
    rae.locator("input[name=codes][value=access-acceptability-quality]").check()
    rae.get_by_role("button", name="Apply the codes").click()
    rae.wait_for_url(re.compile(r"#coding-\d+$"))
    review = open_review(site.cli.path, database_url=site.cli.database_url)
    try:
        (excerpt,) = list_excerpts(review, study="astral2021")
    finally:
        review.close()
    assert excerpt.text == sentence
    assert (excerpt.start, excerpt.end) == (abstract.index(sentence), abstract.index(sentence) + len(sentence))
    expect(box.locator("mark.coded")).to_have_text(sentence)
