"""Accounts, membership and roles in the core (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from realist import accounts
from realist.errors import InvalidInput, NotFound
from realist.review import ReviewHandle
from realist.store.models import Account, ApiToken, WebSession


def test_password_is_stored_as_an_argon2_hash_not_in_clear(store: ReviewHandle) -> None:
    accounts.add_user(store.engine, "ana", "correct horse")
    with store.session() as session:
        stored = session.scalar(select(Account.password_hash).where(Account.name == "ana"))
    assert stored is not None and stored.startswith("$argon2") and "correct horse" not in stored


def test_authenticate_accepts_right_password_and_refuses_wrong_one(store: ReviewHandle) -> None:
    accounts.add_user(store.engine, "ana", "correct horse")
    assert accounts.authenticate(store.engine, "ana", "correct horse").name == "ana"
    with pytest.raises(InvalidInput, match="wrong user name or password"):
        accounts.authenticate(store.engine, "ana", "wrong horse")
    with pytest.raises(InvalidInput, match="wrong user name or password"):
        accounts.authenticate(store.engine, "nobody", "correct horse")


def test_add_user_refuses_duplicate_name_and_short_password(store: ReviewHandle) -> None:
    accounts.add_user(store.engine, "ana", "correct horse")
    with pytest.raises(InvalidInput, match="already exists"):
        accounts.add_user(store.engine, "ana", "another password")
    with pytest.raises(InvalidInput, match="at least 8"):
        accounts.add_user(store.engine, "ben", "short")
    with pytest.raises(InvalidInput, match="one word"):
        accounts.add_user(store.engine, "ben smith", "long enough")
    assert accounts.list_users(store.engine) == ["ana"]


def test_login_is_throttled_after_repeated_failures_even_with_right_password(store: ReviewHandle) -> None:
    accounts.add_user(store.engine, "ana", "correct horse")
    for _ in range(accounts.THROTTLE_LIMIT):
        with pytest.raises(InvalidInput):
            accounts.authenticate(store.engine, "ana", "wrong", client="10.0.0.1")
    with pytest.raises(accounts.LoginThrottled, match="too many failed sign-ins"):
        accounts.authenticate(store.engine, "ana", "correct horse", client="10.0.0.2")


def test_throttling_by_client_covers_guessing_many_names(store: ReviewHandle) -> None:
    accounts.add_user(store.engine, "ana", "correct horse")
    for i in range(accounts.THROTTLE_LIMIT):
        with pytest.raises(InvalidInput):
            accounts.authenticate(store.engine, f"guess{i}", "wrong", client="10.0.0.9")
    with pytest.raises(accounts.LoginThrottled):
        accounts.authenticate(store.engine, "ana", "correct horse", client="10.0.0.9")
    assert accounts.authenticate(store.engine, "ana", "correct horse", client="10.0.0.3").name == "ana"


def test_roles_allow_what_the_issue_says() -> None:
    owner, reviewer, viewer = accounts.Role.owner, accounts.Role.reviewer, accounts.Role.viewer
    assert owner.can_manage_members and owner.can_edit_protocol and owner.can_unblind
    assert reviewer.can_screen and reviewer.can_import and not reviewer.can_manage_members
    assert not reviewer.can_edit_protocol and not reviewer.can_unblind
    assert not any([viewer.can_write, viewer.can_screen, viewer.can_import, viewer.can_deduplicate])
    assert accounts.Member(1, "a", owner, False).can_resolve
    assert not accounts.Member(1, "a", reviewer, False).can_resolve
    assert accounts.Member(1, "a", reviewer, True).can_resolve
    assert not accounts.Member(1, "a", viewer, True).can_resolve


def test_non_member_cannot_tell_a_review_from_a_missing_one(store: ReviewHandle) -> None:
    ana = accounts.add_user(store.engine, "ana", "correct horse")
    with pytest.raises(NotFound) as not_member:
        accounts.open_review_for(store.engine, store.path, store.review_id, ana.id)
    with pytest.raises(NotFound) as missing:
        accounts.open_review_for(store.engine, store.path, 10_000_000, ana.id)
    assert str(not_member.value).replace(str(store.review_id), "N") == str(missing.value).replace("10000000", "N")


def test_member_acts_under_their_own_name_in_the_event_log(store: ReviewHandle) -> None:
    ana = accounts.add_user(store.engine, "ana", "correct horse")
    accounts.add_member(store, "ana", "reviewer")
    handle, member = accounts.open_review_for(store.engine, store.path, store.review_id, ana.id)
    assert handle.actor == "ana" and member.role is accounts.Role.reviewer
    from realist.store.events import events

    with handle.session() as session:
        handle.log(session, "test.touched")
        assert events(session, store.review_id, action="test.touched")[-1].actor == "ana"


def test_add_member_changes_role_and_last_owner_cannot_leave(store: ReviewHandle) -> None:
    accounts.add_user(store.engine, "ana", "correct horse")
    accounts.add_user(store.engine, "ben", "correct horse")
    accounts.add_member(store, "ana", "owner")
    accounts.add_member(store, "ben", "viewer")
    accounts.add_member(store, "ben", "reviewer", resolver=True)
    assert [(m.name, m.role.value, m.resolver) for m in accounts.members(store)] == [
        ("ana", "owner", False),
        ("ben", "reviewer", True),
    ]
    with pytest.raises(InvalidInput, match="only owner"):
        accounts.remove_member(store, "ana")
    accounts.remove_member(store, "ben")
    assert [m.name for m in accounts.members(store)] == ["ana"]
    with pytest.raises(InvalidInput, match="unknown role"):
        accounts.add_member(store, "ben", "admin")
    with pytest.raises(NotFound, match="no user"):
        accounts.add_member(store, "zed", "viewer")


def test_sessions_keep_only_a_hash_and_end_on_logout_and_password_change(store: ReviewHandle) -> None:
    ana = accounts.add_user(store.engine, "ana", "correct horse")
    raw, csrf = accounts.create_session(store.engine, ana.id)
    with store.session() as session:
        hashes = list(session.scalars(select(WebSession.token_hash)))
    assert raw not in hashes and len(hashes) == 1
    found = accounts.session_account(store.engine, raw)
    assert found is not None and found[0].name == "ana" and found[1] == csrf
    accounts.end_session(store.engine, raw)
    assert accounts.session_account(store.engine, raw) is None
    raw2, _ = accounts.create_session(store.engine, ana.id)
    token = accounts.create_api_token(store.engine, "ana", "script")
    assert accounts.token_account(store.engine, token) == ana
    accounts.set_password(store.engine, "ana", "a new password")
    assert accounts.session_account(store.engine, raw2) is None
    assert accounts.token_account(store.engine, token) is None


def test_api_token_is_stored_hashed(store: ReviewHandle) -> None:
    accounts.add_user(store.engine, "ana", "correct horse")
    token = accounts.create_api_token(store.engine, "ana")
    with store.session() as session:
        assert token not in list(session.scalars(select(ApiToken.token_hash)))


def test_setup_link_creates_first_owner_once(store: ReviewHandle) -> None:
    raw = accounts.create_setup_token(store.engine)
    with pytest.raises(NotFound):
        accounts.setup_first_owner(store.engine, raw + "x", "ana", "correct horse")
    ana = accounts.setup_first_owner(store.engine, raw, "ana", "correct horse")
    assert accounts.membership(store.engine, store.review_id, ana.id).role is accounts.Role.owner
    with pytest.raises((NotFound, InvalidInput)):
        accounts.setup_first_owner(store.engine, raw, "eve", "correct horse")
    with pytest.raises(InvalidInput, match="already has users"):
        accounts.create_setup_token(store.engine)
    assert accounts.list_users(store.engine) == ["ana"]


def test_remove_user_ends_membership_and_sessions(store: ReviewHandle) -> None:
    ana = accounts.add_user(store.engine, "ana", "correct horse")
    accounts.add_member(store, "ana", "reviewer")
    raw, _ = accounts.create_session(store.engine, ana.id)
    accounts.remove_user(store.engine, "ana")
    assert accounts.session_account(store.engine, raw) is None
    assert accounts.members(store) == []
    assert accounts.list_users(store.engine) == []
