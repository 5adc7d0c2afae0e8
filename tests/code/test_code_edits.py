"""Several codes on one span at once, coding memos, and editing the codebook one code at a time."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from realist.code import (
    add_code,
    apply_code,
    apply_codes,
    edit_code,
    list_codings,
    list_excerpts,
    load_codebook,
    remove_code,
    set_coding_memo,
)
from realist.errors import InvalidInput
from realist.store.models import Event


def _actions(review) -> list[str]:
    with review.session() as s:
        return list(s.scalars(select(Event.action).where(Event.review_id == review.review_id).order_by(Event.id)))


def test_several_codes_on_one_span_share_one_excerpt(coded):
    made = apply_codes(coded, "[40]", ["bridging", "community-knowledge", "bridging"], coder="ana", quote="bridging")
    assert [c.code for c in made] == ["bridging", "community-knowledge"]
    (excerpt,) = list_excerpts(coded, study="[40]")
    assert {c.excerpt.id for c in made if c.excerpt} == {excerpt.id}
    assert excerpt.text == "bridging" and excerpt.end - excerpt.start == len("bridging")


def test_several_codes_are_all_stored_or_none(coded):
    apply_code(coded, "[40]", "bridging", coder="ana", quote="bridging")
    with pytest.raises(InvalidInput, match="already coded"):
        apply_codes(coded, "[40]", ["community-knowledge", "bridging"], coder="ana", quote="bridging")
    assert [c.code for c in list_codings(coded, study="[40]")] == ["bridging"]
    with pytest.raises(InvalidInput, match="choose at least one code"):
        apply_codes(coded, "[40]", [" "], coder="ana", quote="Trust")
    assert len(list_excerpts(coded, study="[40]")) == 1


def test_only_the_coder_changes_a_coding_memo_and_the_change_is_logged(coded):
    coding = apply_code(coded, "[42]", "police-mistrust", coder="ana", quote="fear of police", memo="first")
    with pytest.raises(InvalidInput, match="only its coder"):
        set_coding_memo(coded, coding.id, "not mine", by="ben")
    assert set_coding_memo(coded, coding.id, "  second  ", by="ana").memo == "second"
    assert set_coding_memo(coded, coding.id, "", by="ana").memo is None
    assert _actions(coded).count("coding.memo") == 2


def test_add_rename_move_and_remove_codes(coded):
    code = add_code(coded, "Peer navigation", parent="mechanisms", definition="Guiding people through services.")
    assert (code.id, code.kind, code.parent) == ("peer-navigation", "mechanism", "mechanisms")
    with pytest.raises(InvalidInput, match="is taken"):
        add_code(coded, "Peer navigation", parent="mechanisms")
    with pytest.raises(InvalidInput, match="unknown parent"):
        add_code(coded, "Orphan", parent="no-such-code", kind="other")
    moved = edit_code(coded, "bridging", name="Bridging to services", parent="peer-navigation")
    assert (moved.name, moved.parent, moved.kind) == ("Bridging to services", "peer-navigation", "mechanism")
    top = edit_code(coded, "peer-navigation", parent="")
    assert top.parent is None
    with pytest.raises(InvalidInput, match="under itself"):
        edit_code(coded, "peer-navigation", parent="bridging")
    apply_code(coded, "[40]", "bridging", coder="ana", quote="bridging")
    before = load_codebook(coded).to_list()
    with pytest.raises(InvalidInput, match="in use by 1 coding"):
        remove_code(coded, "bridging")
    with pytest.raises(InvalidInput, match="child code"):
        remove_code(coded, "peer-navigation")
    assert load_codebook(coded).to_list() == before
    remove_code(coded, "advocacy")
    assert "advocacy" not in load_codebook(coded)
    actions = _actions(coded)
    assert actions.count("codebook.code_added") == 1
    assert actions.count("codebook.code_changed") == 2
    assert actions.count("codebook.code_removed") == 1
