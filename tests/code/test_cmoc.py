"""CMO configurations: the reference review's three, its overall theme, and the programme theory."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from realist.code import cmoc as cm
from realist.code.coding import add_excerpt
from realist.code.studies import add_study
from realist.errors import InvalidInput, NotFound
from realist.store.models import Cmoc, CmocElement, Event

AYON_CMOC = dict(
    intervention=["support-counselling-referral", "direct-services"],
    context=["clinic-environments", "stigma-context"],
    mechanism=["trust-empathy-commitment", "bridging", "community-knowledge"],
    outcome=["stigma-outcome", "access-acceptability-quality"],
    statement="Peer educators provide peer support and counselling, deliver services and make referrals (I) "
    "which function through trust, bridging and peer's community knowledge (M) that offset difficult "
    "clinic and service delivery environments, including experiences of stigma and discrimination (C), "
    "resulting in reduced stigma and discrimination and increased access and quality of health "
    "services (O).",
)
BARTLETT_CMOC = dict(
    intervention=["peer-overdose-response"],
    context=["criminalisation", "clinic-environments", "stigma-context", "service-costs"],
    mechanism=["trust-empathy-commitment", "community-knowledge", "bridging"],
    outcome=["access-acceptability-quality"],
    statement="Trust, commitment and empathy, community knowledge and experience, and 'bridge' mechanisms (M) "
    "enabled peer outreach workers (I) to overcome criminalisation, clinic and service delivery "
    "environments, stigma and discrimination and high costs (C), increasing access and quality of "
    "services (O).",
)
LE_CMOC = dict(
    intervention=["user-led-networks"],
    context=["police-mistrust", "health-system-mistrust"],
    mechanism=["community-knowledge", "bridging"],
    outcome=["stigma-outcome", "access-acceptability-quality"],
    statement="Drug user-led networks (I) overcame mistrust between peers and law enforcement and peer "
    "mistrust of the health system (C) through community knowledge and experience and bridging (M), "
    "leading to decreased stigma and increased access, acceptability and quality of services (O).",
)
THEME = dict(
    intervention=["harm-reduction-education", "direct-services", "support-counselling-referral"],
    context=["criminalisation", "stigma-context", "clinic-environments", "service-costs"],
    mechanism=["trust-empathy-commitment", "community-knowledge", "bridging"],
    outcome=["stigma-outcome", "access-acceptability-quality"],
    statement="Peer educators and outreach workers, by acting as educators, service delivery and referral "
    "agents (I) mitigate the effects of contextual barriers of criminalisation and fear of arrest, "
    "stigma and discrimination, as well as clinic and service delivery barriers such as fees, "
    "distance and lack of confidentiality (C), through mechanisms of trust, empathy and commitment; "
    "community knowledge and expertise and their role as 'bridges' between health clinics and peers "
    "(M). This enhances and contributes towards outcomes of reduced stigma and discrimination as well "
    "as heightened access and quality of harm reduction services (O).",
)


@pytest.fixture
def configured(coded):
    ids = [
        cm.add_cmoc(coded, ref, **spec).id
        for ref, spec in (("[40]", AYON_CMOC), ("[42]", BARTLETT_CMOC), ("[49]", LE_CMOC))
    ]
    cm.add_cmoc(coded, None, based_on=ids, **THEME)
    return coded


def test_the_reference_review_configurations_are_stored_exactly(configured):
    infos = cm.list_cmocs(configured)
    assert [(i.study_key, i.ref_number) for i in infos] == [
        ("ayon2017", 40),
        ("bartlett2011", 42),
        ("le2016", 49),
        (None, None),
    ]
    for info, spec in zip(infos, (AYON_CMOC, BARTLETT_CMOC, LE_CMOC, THEME)):
        assert info.statement == spec["statement"]
        for role in cm.ROLES:
            assert info.codes(role) == spec[role]
    assert infos[3].based_on == [infos[0].id, infos[1].id, infos[2].id]
    assert [i.id for i in cm.list_cmocs(configured, level="review")] == [infos[3].id]
    assert [i.id for i in cm.list_cmocs(configured, study="[42]")] == [infos[1].id]


def test_programme_theory_groups_recurring_chains(configured):
    theory = cm.programme_theory(configured)
    assert max(g.n_supporting for g in theory.groups) == 1  # the three name different peer roles
    mo = cm.programme_theory(configured, by=["mechanism", "outcome"])
    assert [(g.key["mechanism"], g.n_supporting) for g in mo.groups[:2]] == [
        ("community-knowledge", 3),
        ("bridging", 3),
    ]
    assert mo.groups[0].key["outcome"] == "access-acceptability-quality"
    roles = {c["code"] for c in mo.groups[0].other_elements["intervention"]}
    assert roles == {"support-counselling-referral", "direct-services", "peer-overdose-response", "user-led-networks"}
    rolled = cm.programme_theory(configured, rollup=True)
    group = next(
        g
        for g in rolled.groups
        if g.key
        == {"intervention": "direct-services", "mechanism": "bridging", "outcome": "access-acceptability-quality"}
    )
    assert [(s["ref_number"], s["design"]) for s in group.supporting] == [(40, "Qualitative"), (42, "Mixed methods")]
    contexts = {c["code"]: c["studies"] for c in group.other_elements["context"]}
    assert contexts["clinic-environments"] == ["ayon2017", "bartlett2011"]
    theme = theory.statements[0]
    assert [s["ref_number"] for s in theme["supporting_studies"]] == [40, 42]
    support = {e["code"]: e["studies"] for e in theme["element_support"]["context"]}
    assert support["criminalisation"] == ["bartlett2011", "le2016"]  # police-mistrust is beneath it


def test_a_contradicting_study_is_listed_against_the_group(configured):
    add_study(configured, configured.record_ids[3], key="other2018", design="RCT")
    cm.add_cmoc(
        configured,
        "other2018",
        intervention="user-led-networks",
        mechanism="bridging",
        outcome="access-acceptability-quality",
        contradicts=["access-acceptability-quality"],
        statement="Networks bridged, but access did not improve.",
    )
    theory = cm.programme_theory(configured)
    group = next(
        g
        for g in theory.groups
        if g.key
        == {"intervention": "user-led-networks", "mechanism": "bridging", "outcome": "access-acceptability-quality"}
    )
    assert [s["key"] for s in group.supporting] == ["le2016"]
    assert [s["key"] for s in group.contradicting] == ["other2018"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"outcome": []}, "needs at least one outcome"),
        ({"intervention": [], "mechanism": []}, "needs at least one intervention and one mechanism"),
        ({"context": ["bridging"]}, "is a mechanism code and cannot fill the context"),
        ({"mechanism": ["charisma"]}, "unknown code 'charisma'"),
        ({"statement": " "}, "needs a short statement"),
        ({"excerpts": {"bridging": [999999]}}, "no excerpt 999999"),
        ({"excerpts": {"role-model": [1]}}, "not an element"),
        ({"contradicts": ["health-status"]}, "not an element"),
    ],
)
def test_bad_configurations_are_refused_and_nothing_is_stored(coded, change, message):
    with coded.session() as s:
        events = s.scalar(select(func.count(Event.id)).where(Event.review_id == coded.review_id))
    with pytest.raises((InvalidInput, NotFound)) as err:
        cm.add_cmoc(coded, "[40]", **{**AYON_CMOC, **change})
    assert message in str(err.value)
    with coded.session() as s:
        assert s.scalar(select(func.count(Cmoc.id)).where(Cmoc.review_id == coded.review_id)) == 0
        assert s.scalar(select(func.count(CmocElement.id)).where(CmocElement.review_id == coded.review_id)) == 0
        assert s.scalar(select(func.count(Event.id)).where(Event.review_id == coded.review_id)) == events


def test_elements_are_backed_by_excerpts_of_the_same_study(coded):
    ex = add_excerpt(coded, "[40]", quote="bridging")
    other = add_excerpt(coded, "[49]", quote="bridging")
    info = cm.add_cmoc(coded, "[40]", **AYON_CMOC, excerpts={"bridging": [ex.id]})
    bridging = next(e for e in info.elements["mechanism"] if e["code"] == "bridging")
    assert bridging["excerpt_ids"] == [ex.id]
    with pytest.raises(InvalidInput, match="another study"):
        cm.add_cmoc(coded, "[40]", **AYON_CMOC, excerpts=[f"bridging={other.id}"])


def test_cmoc_commands(run, tmp_path):
    run.ok("codebook", "template", "realist")
    ris = tmp_path / "one.ris"
    ris.write_text("TY  - JOUR\nTI  - Peer outreach\nAU  - Ayon, S.\nPY  - 2017\nAB  - Peers bridge.\nER  - \n")
    run.ok("import", str(ris), "--source", "s")
    first = str(json.loads(run.ok("records", "--json").output)[0]["id"])
    run.ok("study", "add", first, "--ref", "40")
    result = run(
        "cmoc",
        "add",
        "[40]",
        "--intervention",
        "direct-services",
        "--mechanism",
        "bridging",
        "--statement",
        "no outcome",
    )
    assert result.exit_code == 1 and "needs at least one outcome" in result.output
    run.ok(
        "cmoc",
        "add",
        "[40]",
        "--intervention",
        "direct-services",
        "--mechanism",
        "bridging",
        "--outcome",
        "access-acceptability-quality",
        "--context",
        "stigma-context",
        "--statement",
        "S",
    )
    run.ok(
        "cmoc",
        "add",
        "review",
        "--intervention",
        "direct-services",
        "--mechanism",
        "bridging",
        "--outcome",
        "access-acceptability-quality",
        "--statement",
        "Theme",
        "--based-on",
        str(json.loads(run.ok("cmoc", "list", "--json").output)[0]["id"]),
    )
    listed = json.loads(run.ok("cmoc", "list", "--json").output)
    assert [c["study_key"] for c in listed] == ["ayon2017", None]
    assert "Theme" in run.ok("cmoc", "list").output
    theory = json.loads(run.ok("cmoc", "theory", "--json").output)
    assert theory["groups"][0]["n_supporting"] == 1
    assert "supported in full by: ayon2017" in run.ok("cmoc", "theory").output


def test_update_changes_statement_memo_and_stance_and_refuses_bad_values(configured):
    first = cm.list_cmocs(configured)[0]
    changed = cm.update_cmoc(configured, first.id, statement=" New words. ", memo="", stance="contradicts")
    assert (changed.statement, changed.memo, changed.stance) == ("New words.", None, "contradicts")
    assert changed.elements == first.elements  # elements are left as they were
    for bad, message in (({"statement": "  "}, "short statement"), ({"stance": "maybe"}, "stance must be one of")):
        with pytest.raises(InvalidInput, match=message):
            cm.update_cmoc(configured, first.id, **bad)
    assert cm.get_cmoc(configured, first.id) == changed  # nothing changed
    with pytest.raises(NotFound):
        cm.update_cmoc(configured, 10_000, statement="x")


def test_theory_evidence_names_the_cmocs_behind_a_node_or_edge_with_their_excerpts(coded):
    ex = add_excerpt(coded, "[40]", quote="bridging")
    ayon = cm.add_cmoc(coded, "[40]", **AYON_CMOC, excerpts={"bridging": [ex.id]})
    le = cm.add_cmoc(coded, "[49]", **LE_CMOC)
    both = [c.id for c in (ayon, le) if "bridging" in c.codes("mechanism")]
    node = cm.theory_evidence(coded, [("mechanism", "bridging")])
    assert [x["cmoc"].id for x in node] == both
    assert [x["study"]["key"] for x in node] == [c.study_key for c in (ayon, le) if c.id in both]
    assert [e["excerpt"].text for e in node[0]["excerpts"]] == ["bridging"]
    outcome = "stigma-outcome"
    edge = cm.theory_evidence(coded, [("mechanism", "bridging"), ("outcome", outcome)])
    assert [x["cmoc"].id for x in edge] == [c.id for c in (ayon, le) if c.id in both and outcome in c.codes("outcome")]
    with pytest.raises(InvalidInput, match="name a node or edge"):
        cm.theory_evidence(coded, [("colour", "blue")])
