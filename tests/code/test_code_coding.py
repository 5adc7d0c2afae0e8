"""Coding studies and excerpts, second-coder validation and agreement per code."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from realist.code import coding as cd
from realist.errors import InvalidInput, NotFound
from realist.store.models import Coding, Event, Excerpt


def _count(review, model):
    with review.session() as s:
        return s.scalar(select(func.count(model.id)).where(model.review_id == review.review_id))


def test_code_a_whole_study_and_an_excerpt_found_by_quote(coded):
    whole = cd.apply_code(coded, "[40]", "support-counselling-referral", coder="ana", memo="peer educators")
    assert whole.excerpt is None and whole.status == "unvalidated" and whole.study_key == "ayon2017"
    quoted = cd.apply_code(
        coded, "ayon2017", "trust-empathy-commitment", coder="ana", quote="trust between peers\n and clients"
    )
    e = quoted.excerpt
    assert e.source == "abstract" and e.text == "Trust between peers and clients"
    with coded.session() as s:
        from realist.store.models import Record

        abstract = s.get(Record, e.record_id).abstract
    assert abstract[e.start : e.end] == "Trust between peers and clients"


def test_excerpt_by_offsets_and_reuse_of_the_same_span(coded):
    a = cd.apply_code(coded, "[49]", "bridging", coder="ana", start=0, end=22, source="abstract")
    assert a.excerpt.text == "Drug user-led networks"
    b = cd.apply_code(coded, "[49]", "user-led-networks", coder="ana", start=0, end=22, source="abstract")
    assert b.excerpt.id == a.excerpt.id
    assert _count(coded, Excerpt) == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"start": 10, "end": 100000, "source": "abstract"}, "outside the abstract of record"),
        ({"start": 50, "end": 40, "source": "abstract"}, "outside"),
        ({"start": -1, "end": 5, "source": "abstract"}, "outside"),
        ({"quote": "words that are nowhere"}, "is not in"),
        ({"start": 0, "end": 5, "source": "fulltext"}, "there is no fulltext of study ayon2017"),
    ],
)
def test_bad_excerpts_are_refused_and_nothing_is_stored(coded, kwargs, message):
    events_before = _count(coded, Event)
    with pytest.raises(InvalidInput) as err:
        cd.apply_code(coded, "[40]", "bridging", coder="ana", **kwargs)
    assert message in str(err.value)
    assert _count(coded, Coding) == 0 and _count(coded, Excerpt) == 0
    assert _count(coded, Event) == events_before


def test_unknown_and_grouping_codes_are_refused(coded):
    with pytest.raises(InvalidInput, match="unknown code 'trustworthiness'"):
        cd.apply_code(coded, "[40]", "trustworthiness", coder="ana")
    with pytest.raises(InvalidInput, match="not codable"):
        cd.apply_code(coded, "[40]", "mechanisms", coder="ana")
    with pytest.raises(NotFound, match="no study \\[41\\]"):
        cd.apply_code(coded, "[41]", "bridging", coder="ana")
    assert _count(coded, Coding) == 0


def test_the_same_coding_twice_by_one_coder_is_refused(coded):
    cd.apply_code(coded, "[40]", "bridging", coder="ana")
    with pytest.raises(InvalidInput, match="already coded"):
        cd.apply_code(coded, "[40]", "bridging", coder="ana")
    cd.apply_code(coded, "[40]", "bridging", coder="ben")


def test_second_coder_validates_and_agreement_per_code(coded):
    c1 = cd.apply_code(coded, "[40]", "bridging", coder="ana")
    c2 = cd.apply_code(coded, "[49]", "bridging", coder="ana")
    c3 = cd.apply_code(coded, "[42]", "bridging", coder="ana")
    c4 = cd.apply_code(coded, "[42]", "peer-overdose-response", coder="ana")
    with pytest.raises(InvalidInput, match="second coder"):
        cd.validate_coding(coded, c1.id, validator="ana", verdict="agree")
    cd.validate_coding(coded, c1.id, validator="ben", verdict="agree")
    cd.validate_coding(coded, c2.id, validator="ben", verdict="dispute", note="networks, not bridging")
    cd.validate_coding(coded, c3.id, validator="ben", verdict="dispute")
    assert cd.validate_coding(coded, c3.id, validator="ben", verdict="agree").status == "agreed"
    rows = {r.code: r for r in cd.coding_agreement(coded)}
    assert (rows["bridging"].agreed, rows["bridging"].disputed, rows["bridging"].unvalidated) == (2, 1, 0)
    assert rows["bridging"].proportion_agreement == pytest.approx(2 / 3, abs=1e-4)
    assert rows["peer-overdose-response"].proportion_agreement is None
    assert [c.id for c in cd.list_codings(coded, code="bridging")] == [c1.id, c2.id, c3.id]
    assert [c.id for c in cd.list_codings(coded, study="[42]")] == [c3.id, c4.id]
    assert [c.code for c in cd.list_codings(coded, code="direct-services", include_descendants=True)] == [
        "peer-overdose-response"
    ]


def test_every_change_is_logged(coded):
    c = cd.apply_code(coded, "[40]", "bridging", coder="ana", quote="bridging")
    cd.validate_coding(coded, c.id, validator="ben", verdict="agree")
    with coded.session() as s:
        actions = [e.action for e in s.scalars(select(Event).where(Event.review_id == coded.review_id))]
    assert actions[-3:] == ["excerpt.created", "coding.applied", "coding.validated"]


def test_code_commands(run):
    run.ok("codebook", "template", "realist")
    run.ok("import", str(_ris(run.path.parent)), "--source", "s")
    first = str(json.loads(run.ok("records", "--json").output)[0]["id"])
    run.ok("study", "add", first, "--key", "ayon2017", "--ref", "40", "--countries", "KEN")
    out = run.ok("code", "apply", "ayon2017", "bridging", "--coder", "ana", "--quote", "bridge").output
    assert "ayon2017" in out and "bridging" in out
    [coding] = json.loads(run.ok("code", "list", "--json").output)
    assert (coding["study_key"], coding["code"], coding["kind"], coding["coder"]) == (
        "ayon2017",
        "bridging",
        "mechanism",
        "ana",
    )
    excerpt = coding["excerpt"]
    assert (excerpt["source"], excerpt["text"]) == ("abstract", "bridge")
    assert ABSTRACT[excerpt["start"] : excerpt["end"]] == "bridge"
    result = run("code", "apply", "ayon2017", "nonsense", "--coder", "ana")
    assert result.exit_code == 1 and "unknown code 'nonsense'" in result.output
    result = run(
        "code",
        "apply",
        "[40]",
        "bridging",
        "--coder",
        "ana",
        "--excerpt-start",
        "0",
        "--excerpt-end",
        "99999",
        "--in",
        "abstract",
    )
    assert result.exit_code == 1 and "outside the abstract" in result.output
    run.ok("code", "validate", str(coding["id"]), "agree", "--coder", "ben")
    rows = json.loads(run.ok("code", "agreement", "--json").output)
    assert rows == [
        {
            "code": "bridging",
            "name": "Bridging",
            "kind": "mechanism",
            "codings": 1,
            "agreed": 1,
            "disputed": 0,
            "unvalidated": 0,
            "proportion_agreement": 1.0,
        }
    ]
    assert "bridging" in run.ok("code", "agreement").output
    assert "bridge" in run.ok("code", "excerpts").output


ABSTRACT = "Peer educators act as a bridge between clients and clinics."


def _ris(folder):
    path = folder / "one.ris"
    path.write_text(f"TY  - JOUR\nTI  - Peer outreach in Kenya\nAU  - Ayon, S.\nPY  - 2017\nAB  - {ABSTRACT}\nER  - \n")
    return path
