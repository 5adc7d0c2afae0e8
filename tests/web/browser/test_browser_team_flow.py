"""The whole team flow in a real browser, on each backend.

On a server that serves a whole database (``realist serve --database-url``),
the owner signs in, creates the review, adds two reviewers, imports the two
sample exports and runs deduplication, assigns every record to both
reviewers (double screening) and blinds title/abstract screening; two
reviewers (two browser contexts) screen every record without seeing each
other's decisions and disagree on two; the owner unblinds, resolves one
conflict and sees agreement on the dashboard; the CLI sees the same
decisions.  Screening runs with JavaScript on: each decision swaps in the
next record without a page load (one reviewer uses the keyboard shortcuts),
focus goes to the new title and a live region says what was done.  Locators
are accessible names (labels, roles), so the test also checks the labels
that scripts and assistive technology rely on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from browser_support import Browsing, Site

from support import SAMPLE


def _nav(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Review").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def _add_member(page: Any, name: str, role: str) -> None:
    _nav(page, "Members")
    page.get_by_label("User").select_option(name)
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Save member").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))
    assert row.get_by_role("cell", name=role, exact=True).count() == 1


def _finished(page: Any) -> Any:
    """The status of a background job once it is over (its page refreshes itself until then)."""
    from playwright.sync_api import expect

    status = page.get_by_role("status")
    expect(status).not_to_contain_text("refreshes by itself", timeout=120_000)
    return status


def _import(page: Any, file_name: str, source: str) -> None:
    _nav(page, "Import")
    page.get_by_label(re.compile(r"^Export files")).set_input_files(str(SAMPLE / file_name))
    page.get_by_label("Source name").fill(source)
    page.get_by_role("button", name="Import", exact=True).click()
    status = _finished(page)
    assert re.search(rf"{re.escape(file_name)}: \d+ records", status.inner_text()), status.inner_text()


def _decided(page: Any, rid: int) -> None:
    """Wait until the decision on ``rid`` is made and the next record (or the end) swapped in."""
    page.wait_for_function(
        """rid => { const input = document.querySelector('#decide-form input[name=record_id]');
                    return !input || input.value !== String(rid); }""",
        arg=rid,
    )


def _current_record(page: Any) -> int | None:
    """The record on the screening page (None when nothing is left)."""
    if page.get_by_role("heading", name="Nothing left to screen").count():
        return None
    return int(page.locator("#decide-form input[name=record_id]").input_value())


def _screen_all(page: Any, choose: Any, note: Any = lambda rid: None, *, keys: bool = False) -> dict[int, str]:
    """Decide every record the reviewer is served (buttons, or the I/E/M keys); returns
    record -> decision.  No page is loaded after the first: each record is swapped in."""
    page.get_by_role("link", name=re.compile("Screen")).first.click()
    page.wait_for_load_state()
    page.evaluate("window.stillTheSamePage = true")
    made: dict[int, str] = {}
    while (rid := _current_record(page)) is not None:
        assert rid not in made, f"record {rid} served again after a decision"
        assert page.get_by_role("heading", level=1).inner_text().strip()
        decision = choose(rid)
        text = note(rid)
        if text:
            page.get_by_label("Note", exact=True).fill(text)
        if keys:
            page.keyboard.press("Escape")  # out of the note: the next key is a shortcut
            page.keyboard.press(decision[0])
        else:
            page.get_by_role("button", name=decision.capitalize(), exact=True).click()
        _decided(page, rid)
        made[rid] = decision
        if _current_record(page) is not None:
            # Focus is on the new record's title, and the live region said what happened.
            assert page.evaluate("document.activeElement.id") == "record-title"
            from playwright.sync_api import expect

            expect(page.locator("#announce")).to_contain_text(decision.capitalize()[:5])
        assert len(made) < 200, "screening does not end"
    assert page.evaluate("window.stillTheSamePage") is True, "a decision reloaded the page"
    return made


def test_team_screens_blinded_resolves_a_conflict_and_sees_agreement(
    server_browsing: Browsing, server_site: Site
) -> None:
    browsing, site = server_browsing, server_site
    owner = browsing.sign_in("olu")
    # The owner creates the review in the browser.
    owner.get_by_label("Title of the review").fill("Peer support review")
    owner.get_by_role("button", name="Create review").click()
    owner.wait_for_load_state()
    assert owner.get_by_role("heading", level=1).inner_text() == "Members"
    assert site.data_dir is not None
    (folder,) = [p for p in site.data_dir.iterdir() if p.is_dir()]
    site.cli = site.cli_for(folder)
    _nav(owner, "Dashboard")
    assert owner.get_by_role("heading", level=1).inner_text() == "Peer support review"

    _add_member(owner, "rae", "reviewer")
    _add_member(owner, "ren", "reviewer")

    _import(owner, "pubmed_peer.ris", "PubMed")
    _import(owner, "scopus_peer.csv", "Scopus")

    _nav(owner, "Duplicates")
    owner.get_by_role("button", name="Find duplicates").click()
    assert _finished(owner).inner_text().strip()
    _nav(owner, "Duplicates")
    while owner.get_by_role("button", name="Same work: merge").count():
        owner.get_by_role("button", name="Same work: merge").first.click()
        owner.wait_for_load_state()
    records = json.loads(site.cli.ok("records", "--json").output)
    merged = [r for r in records if r["duplicate_of"] is not None]
    assert merged, "deduplication in the browser marked no duplicate the CLI can see"
    unique = {r["id"] for r in records if r["duplicate_of"] is None}

    # Double screening, assigned in the browser: both reviewers get every record.
    _nav(owner, "Assignments")
    assert owner.get_by_label(re.compile(r"^\s*rae \(")).is_checked()
    assert owner.get_by_label(re.compile(r"^\s*ren \(")).is_checked()
    assert not owner.get_by_label(re.compile(r"^\s*olu \(")).is_checked()
    owner.get_by_label(re.compile(r"^\s*Double screening")).check()
    owner.get_by_label("Reviewers per record (double screening)").fill("2")
    owner.get_by_role("button", name="Assign records").click()
    owner.wait_for_load_state()
    assert "Assignment saved." in owner.get_by_role("main").inner_text()
    assigned = json.loads(site.cli.ok("screen", "progress", "--json").output)["reviewers"]
    assert {name: r["assigned"] for name, r in assigned.items()} == {"rae": len(unique), "ren": len(unique)}
    _nav(owner, "Conflicts")
    owner.get_by_role("button", name=re.compile(r"^Blind ")).click()
    assert owner.get_by_role("button", name=re.compile(r"^Unblind ")).count() == 1

    # Two reviewers, two browser contexts.  rae goes first and writes notes.
    rae = browsing.sign_in("rae")
    rae_made = _screen_all(rae, lambda rid: "include", note=lambda rid: f"rae's note on {rid}", keys=True)
    assert set(rae_made) == unique
    disagree = sorted(rae_made)[:2]

    ren = browsing.sign_in("ren")

    def ren_choice(rid: int) -> str:
        # Blinded: nothing of rae's decision, reason or note is on ren's page.
        main = ren.get_by_role("main").inner_text()
        assert "rae" not in main, main
        assert ren.get_by_role("heading", name="Decisions you can see").count() == 0
        return "exclude" if rid in disagree else "include"

    ren_made = _screen_all(ren, ren_choice)
    assert set(ren_made) == unique

    _nav(ren, "Dashboard")
    title_abstract = ren.get_by_role("region", name=re.compile(r"^Title and abstract screening"))
    assert "Screening is blinded" in title_abstract.inner_text()
    assert title_abstract.get_by_role("heading", name="Agreement").count() == 0
    _nav(ren, "Conflicts")
    assert "rae" not in ren.get_by_role("main").inner_text()
    _nav(ren, "Records")
    assert "rae" not in ren.get_by_role("main").inner_text()

    # The owner sees the two conflicts; the decisions only once unblinded.
    owner.reload()
    conflicts = owner.get_by_role("main").get_by_role("listitem")
    assert conflicts.count() == 2
    assert "rae's note" not in owner.get_by_role("main").inner_text()
    owner.get_by_role("button", name=re.compile(r"^Unblind ")).click()
    assert owner.get_by_role("main").get_by_text("rae's note on").count() == 2
    first = owner.get_by_role("main").get_by_role("listitem").first
    resolved = int(re.search(r"record (\d+)", first.inner_text()).group(1))  # type: ignore[union-attr]
    first.get_by_label("Resolution note").fill("talked it through: peers deliver the service")
    first.get_by_role("button", name="Resolve as include").click()
    owner.wait_for_load_state()
    assert owner.get_by_role("main").get_by_role("listitem").count() == 1

    _nav(owner, "Dashboard")
    title_abstract = owner.get_by_role("region", name=re.compile(r"^Title and abstract screening"))
    assert title_abstract.get_by_role("heading", name="Agreement").count() == 1
    n = len(unique)
    agreement = title_abstract.get_by_role("row").filter(has_text="Percent agreement").inner_text()
    assert f"{100 * (n - 2) / n:.0f}%" in agreement, agreement
    assert (
        title_abstract.get_by_role("row")
        .filter(has_text=re.compile(r"Cohen's kappa, (rae and ren|ren and rae)"))
        .count()
        == 1
    )

    # The CLI sees the decisions made in the browser.
    progress = json.loads(site.cli.ok("screen", "progress", "--json").output)
    assert progress["reviewers"]["rae"]["decided"] == n
    assert progress["reviewers"]["ren"]["decided"] == n
    assert progress["conflict"] == 1 and progress["resolved"] == 1
    assert progress["included"] == n - 1
    left = json.loads(site.cli.ok("screen", "conflicts", "--json").output)
    assert [c["record"] for c in left] == [r for r in disagree if r != resolved]
    remaining = left[0]
    assert remaining["decisions"]["rae"]["decision"] == "include"
    assert remaining["decisions"]["rae"]["note"] == f"rae's note on {remaining['record']}"
    assert remaining["decisions"]["ren"]["decision"] == "exclude"
