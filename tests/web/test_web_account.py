"""The account page: personal API tokens made, listed and revoked in the browser, and a
person's own password change; each test tries to break in as well."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_support import PASSWORD, Client, Team

from realist import accounts
from realist.errors import NotFound
from realist.store.db import session_scope
from realist.store.models import Account, ApiToken

TOKEN = re.compile(r'id="new-token"[^>]*value="(rlt_[^"]+)"')


def _make_token(client: Client, label: str = "screening script") -> str:
    page = client.post("/account/tokens", {"label": label})
    assert page.status_code == 200, page.text
    found = TOKEN.search(page.text)
    assert found, page.text
    return found.group(1)


def _script(team: Team, token: str, url: str = "/api/v1/me") -> object:
    return TestClient(team.app).get(url, headers={"Authorization": f"Bearer {token}"})


def _token_id(team: Team, name: str, label: str) -> int:
    account = accounts.authenticate(team.review.engine, name, PASSWORD)
    return next(t.id for t in accounts.list_api_tokens(team.review.engine, account.id) if t.label == label)


def test_header_links_the_signed_in_person_to_their_account_page(team: Team) -> None:
    rae = team.client("reviewer")
    home = rae.get("/").text
    assert 'href="/account"' in home and "rae" in home
    page = rae.get("/account")
    assert page.status_code == 200
    assert "Personal API tokens" in page.text and "Change your password" in page.text
    assert "You have no API tokens." in page.text


def test_new_token_is_shown_once_works_and_only_its_hash_is_stored(team: Team) -> None:
    rae = team.client("reviewer")
    made = rae.post("/account/tokens", {"label": "screening script"})
    assert made.headers["cache-control"] == "no-store"
    token = TOKEN.search(made.text).group(1)  # type: ignore[union-attr]
    assert "it will not be shown again" in made.text
    response = _script(team, token)
    assert response.status_code == 200 and response.json()["name"] == "rae"  # type: ignore[attr-defined]
    again = rae.get("/account").text
    assert token not in again and "screening script" in again
    with session_scope(team.review.engine) as session:
        stored = session.scalars(select(ApiToken)).all()
        assert [t.label for t in stored] == ["screening script"]
        assert all(token not in (t.token_hash, t.label) for t in stored)
    # The listing says when it was last used (just now), never the secret.
    listed = accounts.list_api_tokens(team.review.engine, accounts.authenticate(team.review.engine, "rae", PASSWORD).id)
    assert listed[0].last_used_at is not None
    assert dt.datetime.now(dt.UTC) - listed[0].last_used_at < dt.timedelta(minutes=1)
    assert "token" not in listed[0].to_dict() and token not in str(listed[0].to_dict())


def test_revoked_token_is_refused_with_401(team: Team) -> None:
    rae = team.client("reviewer")
    token = _make_token(rae, "laptop")
    assert _script(team, token).status_code == 200  # type: ignore[attr-defined]
    revoked = rae.post(f"/account/tokens/{_token_id(team, 'rae', 'laptop')}/revoke")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/account?done=revoked"
    assert _script(team, token).status_code == 401  # type: ignore[attr-defined]
    review = team.review.review_id
    assert _script(team, token, f"/api/v1/reviews/{review}/progress").status_code == 401  # type: ignore[attr-defined]
    assert "You have no API tokens." in rae.get("/account?done=revoked").text


def test_another_person_s_token_cannot_be_revoked(team: Team) -> None:
    rae, olu = team.client("reviewer"), team.client("owner")
    token = _make_token(rae, "rae's script")
    theirs = _token_id(team, "rae", "rae's script")
    # Not even by an owner of the review they share: it answers as for a token that does not exist.
    refused = olu.post(f"/account/tokens/{theirs}/revoke")
    assert refused.status_code == 404
    assert olu.post("/account/tokens/999999/revoke").status_code == 404
    assert _script(team, token).status_code == 200  # type: ignore[attr-defined]
    assert "rae&#39;s script" not in olu.get("/account").text and "rae's script" not in olu.get("/account").text
    # The library refuses it the same way.
    owner = accounts.authenticate(team.review.engine, "olu", PASSWORD)
    with pytest.raises(NotFound):
        accounts.revoke_api_token(team.review.engine, owner.id, theirs)
    assert _script(team, token).status_code == 200  # type: ignore[attr-defined]


def test_token_forms_without_csrf_token_change_nothing(team: Team) -> None:
    rae = team.client("reviewer")
    token = _make_token(rae, "kept")
    tid = _token_id(team, "rae", "kept")
    assert rae.post("/account/tokens", {"label": "forged"}, csrf=False).status_code == 403
    assert rae.post(f"/account/tokens/{tid}/revoke", csrf=False).status_code == 403
    assert rae.post(f"/account/tokens/{tid}/revoke", {"csrf_token": "wrong"}, csrf=False).status_code == 403
    names = [t.label for t in accounts.list_api_tokens(team.review.engine, _account_id(team, "rae"))]
    assert names == ["kept"]
    assert _script(team, token).status_code == 200  # type: ignore[attr-defined]


def test_an_api_token_cannot_make_tokens_or_change_the_password(team: Team) -> None:
    """A token needs no CSRF token, so these pages refuse tokens altogether."""
    rae = team.client("reviewer")
    token = _make_token(rae, "script")
    script = TestClient(team.app)
    headers = {"Authorization": f"Bearer {token}"}
    assert script.get("/account", headers=headers).status_code == 403
    assert script.post("/account/tokens", headers=headers, data={"label": "minted"}).status_code == 403
    tid = _token_id(team, "rae", "script")
    assert script.post(f"/account/tokens/{tid}/revoke", headers=headers).status_code == 403
    changed = script.post(
        "/account/password",
        headers=headers,
        data={"current_password": PASSWORD, "new_password": "x" * 12, "confirm_password": "x" * 12},
    )
    assert changed.status_code == 403
    assert [t.label for t in accounts.list_api_tokens(team.review.engine, _account_id(team, "rae"))] == ["script"]
    assert accounts.authenticate(team.review.engine, "rae", PASSWORD).name == "rae"


def _account_id(team: Team, name: str) -> int:
    return accounts.authenticate(team.review.engine, name, PASSWORD).id


def test_token_needs_a_name_of_reasonable_length(team: Team) -> None:
    rae = team.client("reviewer")
    empty = rae.post("/account/tokens", {"label": "   "})
    assert empty.status_code == 400 and "give the token a name" in empty.text
    long = rae.post("/account/tokens", {"label": "x" * 101})
    assert long.status_code == 400 and "at most 100 characters" in long.text
    assert TOKEN.search(empty.text) is None and TOKEN.search(long.text) is None
    assert accounts.list_api_tokens(team.review.engine, _account_id(team, "rae")) == []


def test_password_change_needs_the_current_password(team: Team) -> None:
    rae = team.client("reviewer")
    new = "a new long passphrase"
    wrong = rae.post("/account/password", {"current_password": "not it", "new_password": new, "confirm_password": new})
    assert wrong.status_code == 400 and "the current password is wrong" in html.unescape(wrong.text)
    differ = rae.post(
        "/account/password", {"current_password": PASSWORD, "new_password": new, "confirm_password": new + "!"}
    )
    assert differ.status_code == 400 and "the two new passwords differ" in differ.text
    short = rae.post(
        "/account/password", {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"}
    )
    assert short.status_code == 400 and "at least 8 characters" in short.text
    no_csrf = rae.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": new},
        csrf=False,
    )
    assert no_csrf.status_code == 403
    assert accounts.authenticate(team.review.engine, "rae", PASSWORD).name == "rae"  # unchanged


def test_password_change_keeps_this_browser_and_ends_other_sessions_and_tokens(team: Team) -> None:
    rae, elsewhere = team.client("reviewer"), team.client("reviewer")
    token = _make_token(rae, "old script")
    new = "a new long passphrase"
    changed = rae.post(
        "/account/password", {"current_password": PASSWORD, "new_password": new, "confirm_password": new}
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/account?done=password"
    page = rae.get("/account?done=password")
    assert page.status_code == 200 and "Your password is changed." in page.text
    assert elsewhere.get("/account").status_code == 303  # to the sign-in page
    assert _script(team, token).status_code == 401  # type: ignore[attr-defined]
    assert Client(team.app).login("rae", PASSWORD).status_code == 400
    assert Client(team.app).login("rae", new).status_code == 303


def test_wrong_current_passwords_count_towards_sign_in_throttling(team: Team) -> None:
    rae = team.client("reviewer")
    for _ in range(accounts.THROTTLE_LIMIT):
        rae.post(
            "/account/password", {"current_password": "guess", "new_password": "x" * 9, "confirm_password": "x" * 9}
        )
    throttled = rae.post(
        "/account/password", {"current_password": PASSWORD, "new_password": "x" * 9, "confirm_password": "x" * 9}
    )
    assert throttled.status_code == 429 and "too many wrong passwords" in throttled.text
    with session_scope(team.review.engine) as session:  # the password itself is unchanged
        stored = session.scalars(select(Account.password_hash).where(Account.name == "rae")).one()
    assert PasswordHasher().verify(stored, PASSWORD)
