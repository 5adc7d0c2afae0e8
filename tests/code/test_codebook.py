"""The codebook: validation, the realist template, CSV and REFI-QDA round trips."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from lxml import etree

from realist.code import codebook as cb
from realist.code.qdc import NAMESPACE, code_guid, codebook_from_qdc, codebook_to_qdc
from realist.errors import ImportFormatError, InvalidInput


def test_template_holds_the_reference_review_framework():
    book = cb.template("realist")
    names = {c.kind: [] for c in book}
    for c in book:
        if c.codable and c.parent in ("peer-roles", "mechanisms", "outcomes", "contexts"):
            names[c.kind].append(c.name)
    assert names["intervention"] == [
        "Harm-reduction education",
        "Direct services and commodity distribution",
        "Support, counselling and referral",
        "Management",
        "Advocacy",
    ]
    assert names["mechanism"] == [
        "Trust, empathy and commitment",
        "Community knowledge and experience",
        "Bridging",
        "Role model",
    ]
    assert names["outcome"] == [
        "Health status",
        "Risk behaviours",
        "Access, acceptability and quality",
        "Stigma and discrimination",
    ]
    assert names["context"] == [
        "Criminalisation",
        "Clinic and service delivery environments",
        "Inequitable pay and working conditions",
        "Stigma and discrimination",
    ]
    assert all(c.definition for c in book)
    assert book.rollup("service-costs") == "clinic-environments"


@pytest.mark.parametrize(
    "data, message",
    [
        ([{"id": "a", "name": "A", "kind": "theory"}], "code 'a' has unknown kind 'theory'"),
        (
            [{"id": "a", "name": "A", "kind": "context"}, {"id": "a", "name": "B", "kind": "context"}],
            "code 'a' appears twice",
        ),
        ([{"id": "a", "kind": "context"}], "code 'a' has no name"),
        ([{"id": "a", "name": "A", "kind": "context", "children": [{"name": "B"}]}], "has no id"),
        ([{"id": "Bad Id", "name": "A", "kind": "context"}], "malformed id"),
        ([{"id": "a", "name": "A", "kind": "context", "colour": "red"}], "unknown key(s) colour"),
    ],
)
def test_codebook_validation_names_the_code_and_the_problem(data, message):
    with pytest.raises(InvalidInput, match=None) as err:
        cb.parse_codebook(data)
    assert message in str(err.value)


def test_children_inherit_the_kind_of_their_parent():
    book = cb.parse_codebook([{"id": "m", "name": "M", "kind": "mechanism", "children": [{"id": "t", "name": "T"}]}])
    assert book.require("t").kind == "mechanism"
    assert [a.id for a in book.ancestors("t")] == ["m"]


def test_template_command_writes_the_protocol_and_refuses_to_overwrite(run):
    run.ok("codebook", "template", "realist")
    out = run.ok("codebook", "show").output
    assert "trust-empathy-commitment  [mechanism] Trust, empathy and commitment" in out
    result = run("codebook", "template", "realist")
    assert result.exit_code == 1 and "--replace" in result.output
    run.ok("codebook", "template", "realist", "--replace")


def test_qdc_export_follows_the_refi_qda_codebook_shape(review, tmp_path):
    cb.install_template(review)
    path = tmp_path / "book.qdc"
    cb.export_codebook(review, path)
    root = etree.parse(str(path)).getroot()
    assert root.tag == f"{{{NAMESPACE}}}Codebook"
    codes = root.findall(f"{{{NAMESPACE}}}Codes/{{{NAMESPACE}}}Code")
    assert [c.get("name") for c in codes] == ["Peer roles", "Mechanisms", "Outcomes", "Contexts"]
    trust = root.find(f".//{{{NAMESPACE}}}Code[@name='Trust, empathy and commitment']")
    assert trust.get("isCodable") == "true"
    assert trust.get("guid") == code_guid("trust-empathy-commitment")
    uuid.UUID(trust.get("guid"))
    assert "realist:kind=mechanism" in trust.find(f"{{{NAMESPACE}}}Description").text


def test_qdc_and_csv_round_trips_keep_ids_kinds_and_guids(review, tmp_path):
    book = cb.template()
    again = codebook_from_qdc(codebook_to_qdc(book))
    assert again.to_list() == book.to_list()
    assert codebook_to_qdc(again) == codebook_to_qdc(book)
    assert cb.codebook_from_csv(cb.codebook_to_csv(book)).to_list() == book.to_list()


def test_qdc_from_another_tool_gets_ids_from_names_and_inherited_kinds():
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Codebook xmlns="{NAMESPACE}"><Codes>
  <Code guid="{uuid.uuid4()}" name="Mechanisms" isCodable="false">
    <Description>realist:kind=mechanism</Description>
    <Code guid="{uuid.uuid4()}" name="Trust" isCodable="true"><Description>Clients trust peers.</Description></Code>
  </Code>
  <Code guid="{uuid.uuid4()}" name="Misc" isCodable="true"/>
</Codes></Codebook>""".encode()
    book = codebook_from_qdc(xml)
    assert book.require("trust").kind == "mechanism"
    assert book.require("trust").definition == "Clients trust peers."
    assert book.require("misc").kind == "other"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"<Codebook><Codes>", "not well-formed XML"),
        (b'<Project xmlns="urn:QDA-XML:project:1.0"/>', "not a REFI-QDA codebook"),
        (
            f'<Codebook xmlns="{NAMESPACE}"><Codes><Code name="x" isCodable="true"/></Codes></Codebook>'.encode(),
            "no guid",
        ),
    ],
)
def test_malformed_qdc_is_refused_and_nothing_changes(review, tmp_path, content, message):
    cb.install_template(review)
    before = review.protocol_path.read_text()
    path = tmp_path / "bad.qdc"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError) as err:
        cb.import_codebook(review, path)
    assert message in str(err.value) and "bad.qdc" in str(err.value)
    assert review.protocol_path.read_text() == before


def test_malformed_csv_is_refused_with_the_line_and_nothing_changes(run, tmp_path):
    run.ok("codebook", "template", "realist")
    before = (run.path / "protocol.yaml").read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text("id,parent,name,kind\ntrust,,Trust,mechanism\nempathy,trust,Empathy,feeling\n")
    result = run("codebook", "import", str(bad))
    assert result.exit_code == 1
    assert "code 'empathy' has unknown kind 'feeling'" in result.output
    orphan = tmp_path / "orphan.csv"
    orphan.write_text("id,parent,name,kind\ntrust,nowhere,Trust,mechanism\n")
    assert "parent 'nowhere'" in run("codebook", "import", str(orphan)).output
    extra = tmp_path / "extra.csv"
    extra.write_text("id,name,kind\na,A,context,surplus\n")
    assert "line 2" in run("codebook", "import", str(extra)).output
    assert (run.path / "protocol.yaml").read_text() == before


def test_csv_import_and_export_through_the_cli(run, tmp_path):
    good = tmp_path / "book.csv"
    good.write_text(
        "id,parent,name,kind,definition,aliases\n"
        "ctx,,Contexts,context,,\npolice,ctx,Policing,,Police presence,police; arrest\n"
    )
    run.ok("codebook", "import", str(good))
    run.ok("codebook", "export", "--format", "qdc", "-o", str(tmp_path / "out.qdc"))
    book = codebook_from_qdc((tmp_path / "out.qdc").read_bytes())
    assert book.require("police").aliases == ["police", "arrest"]
    assert book.require("police").kind == "context"


def test_removing_a_code_in_use_is_refused(coded, tmp_path):
    from realist.code.coding import apply_code

    apply_code(coded, "[40]", "bridging", coder="ana")
    small = tmp_path / "small.csv"
    small.write_text("id,name,kind\ntrust,Trust,mechanism\n")
    with pytest.raises(InvalidInput, match="bridging"):
        cb.import_codebook(coded, small)
    assert "bridging" in cb.load_codebook(coded)


_names = hs.text(hs.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(
    lambda s: s.strip() == s and s
)


@settings(max_examples=40, deadline=None)
@given(hs.lists(hs.tuples(_names, hs.sampled_from(cb.KINDS), _names), min_size=1, max_size=6))
def test_qdc_round_trip_property(items):
    data = [{"id": f"c{i}", "name": n, "kind": k, "definition": d} for i, (n, k, d) in enumerate(items)]
    book = cb.parse_codebook(data)
    assert codebook_from_qdc(codebook_to_qdc(book)).to_list() == book.to_list()
    assert cb.codebook_from_csv(cb.codebook_to_csv(book)).to_list() == book.to_list()
