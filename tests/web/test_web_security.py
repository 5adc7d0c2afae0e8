"""Security of the web app, in-process over HTTP (both backends)."""

from __future__ import annotations

import re
import threading

from sqlalchemy import func, select
from web_support import PASSWORD, Client, Team

from realist import accounts
from realist.identify import import_records
from realist.records import RecordData
from realist.screen import decisions as d
from realist.store.models import Decision, Event


def _decisions(team: Team) -> int:
    with team.review.session() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Decision).where(Decision.review_id == team.review.review_id)
            )
            or 0
        )


def test_post_without_csrf_token_is_refused_and_changes_nothing(team: Team) -> None:
    rae = team.client("reviewer")
    rid = team.record_ids[0]
    before = _decisions(team)
    refused = rae.post(
        f"/reviews/{team.review.review_id}/screen/decide", {"record_id": rid, "decision": "include"}, csrf=False
    )
    assert refused.status_code == 403
    wrong = rae.post(
        f"/reviews/{team.review.review_id}/screen/decide",
        {"record_id": rid, "decision": "include", "csrf_token": "forged"},
    )
    assert wrong.status_code == 403
    api = rae.api(
        "POST",
        f"/api/v1/reviews/{team.review.review_id}/decisions",
        {"record_id": rid, "decision": "include"},
        csrf=False,
    )
    assert api.status_code == 403
    assert _decisions(team) == before
    olu = team.client("owner")
    assert (
        olu.post(f"/reviews/{team.review.review_id}/members", {"name": "eve", "role": "owner"}, csrf=False).status_code
        == 403
    )
    assert "eve" not in [m.name for m in accounts.members(team.review)]


def test_logout_is_a_post_with_csrf_and_ends_the_session(team: Team) -> None:
    rae = team.client("reviewer")
    assert rae.get("/logout").status_code == 405
    assert rae.post("/logout", csrf=False).status_code == 403
    assert rae.get("/").status_code == 200
    assert rae.post("/logout").status_code == 303
    assert rae.get("/").status_code == 303


def test_session_id_changes_at_login_and_old_id_is_dead(team: Team) -> None:
    client = Client(team.app)
    client.login("rae")
    first = client.http.cookies.get("realist_session")
    client.login("rae")
    second = client.http.cookies.get("realist_session")
    assert first and second and first != second
    stale = Client(team.app)
    stale.http.cookies.set("realist_session", first)
    assert stale.get("/").status_code == 303  # to the sign-in page


def test_session_cookie_is_httponly_samesite_lax_and_secure_over_https(team: Team) -> None:
    client = Client(team.app)
    response = client.login("rae")
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("realist_session="))
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # plain http on 127.0.0.1
    from fastapi.testclient import TestClient

    https = TestClient(team.app, base_url="https://testserver")
    form = https.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = https.post(
        "/login", data={"username": "rae", "password": PASSWORD, "login_csrf": token}, follow_redirects=False
    )
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("realist_session="))
    assert "secure" in cookie.lower()


def test_login_is_throttled_after_repeated_failures(team: Team) -> None:
    client = Client(team.app)
    for _ in range(accounts.THROTTLE_LIMIT):
        assert client.login("rae", "wrong password").status_code == 400
    refused = client.login("rae", PASSWORD)
    assert refused.status_code == 429 and "too many failed sign-ins" in refused.text
    assert "realist_session" not in client.http.cookies


def test_viewer_cannot_change_anything(team: Team) -> None:
    vic = team.client("viewer")
    rid, review = team.record_ids[0], team.review.review_id
    attempts = [
        vic.post(f"/reviews/{review}/screen/decide", {"record_id": rid, "decision": "include"}),
        vic.post(f"/reviews/{review}/protocol", {"stage": "title_abstract", "include": "a: b"}),
        vic.post(f"/reviews/{review}/dedup/run"),
        vic.post(f"/reviews/{review}/members", {"name": "vic", "role": "owner"}),
        vic.post(f"/reviews/{review}/blinding", {"stage": "title_abstract", "blinded": "no"}),
        vic.api("POST", f"/api/v1/reviews/{review}/decisions", {"record_id": rid, "decision": "include"}),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert _decisions(team) == 0
    assert {m.name: m.role.value for m in accounts.members(team.review)}["vic"] == "viewer"


def test_non_member_gets_404_for_pages_and_api_like_a_missing_review(team: Team) -> None:
    eve = team.client("outsider")
    review = team.review.review_id
    mine = eve.get(f"/reviews/{review}")
    missing = eve.get("/reviews/999999")
    assert mine.status_code == missing.status_code == 404
    assert eve.api("GET", f"/api/v1/reviews/{review}/progress").status_code == 404
    assert team.review.title not in mine.text


def test_logged_out_api_answers_401(team: Team) -> None:
    anonymous = team.client(None)
    assert anonymous.api("GET", "/api/v1/me").status_code == 401
    assert anonymous.api("GET", f"/api/v1/reviews/{team.review.review_id}/records").status_code == 401


def test_api_token_works_without_cookie_or_csrf(team: Team) -> None:
    token = accounts.create_api_token(team.review.engine, "rae", "script")
    from fastapi.testclient import TestClient

    script = TestClient(team.app)
    headers = {"Authorization": f"Bearer {token}"}
    assert script.get("/api/v1/me", headers=headers).json()["name"] == "rae"
    response = script.post(
        f"/api/v1/reviews/{team.review.review_id}/decisions",
        headers=headers,
        json={"record_id": team.record_ids[0], "decision": "include"},
    )
    assert response.status_code == 200, response.text
    assert script.get("/api/v1/me", headers={"Authorization": "Bearer rlt_wrong"}).status_code == 401


def test_script_in_title_and_abstract_is_rendered_as_text(team: Team) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    import_records(
        team.review,
        [RecordData(title=f"Peer {evil} title", abstract=f"peer abstract {evil}", authors=[evil])],
        source=f"src {evil}",
        kind="database",
    )
    new_id = max(d.statuses(team.review, "title_abstract"))
    olu = team.client("owner")
    review = team.review.review_id
    pages = [
        olu.get(f"/reviews/{review}/screen?record={new_id}"),
        olu.get(f"/reviews/{review}/records?q=peer"),
        olu.get(f"/reviews/{review}/import"),
        olu.get(f"/reviews/{review}"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in pages[0].text
    assert "content-security-policy" in {k.lower() for k in pages[0].headers}


def test_double_post_of_one_decision_form_stores_one_decision(team: Team) -> None:
    rae = team.client("reviewer")
    review = team.review.review_id
    page = rae.get(f"/reviews/{review}/screen")
    rid = re.search(r'name="record_id" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"record_id": rid, "decision": "include", "key": key, "stage": "title_abstract"}
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(rae.post(f"/reviews/{review}/screen/decide", form).status_code))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [303] * 4
    assert _decisions(team) == 1


def test_two_reviewers_deciding_one_record_at_once_lose_nothing(team: Team) -> None:
    rae, ren = team.client("reviewer"), team.client("reviewer2")
    review, rid = team.review.review_id, team.record_ids[0]
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def post(client: Client, decision: str) -> None:
        barrier.wait()
        codes.append(
            client.post(
                f"/reviews/{review}/screen/decide", {"record_id": rid, "decision": decision, "key": f"k-{client.name}"}
            ).status_code
        )

    threads = [
        threading.Thread(target=post, args=(rae, "include")),
        threading.Thread(target=post, args=(ren, "exclude")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [303, 303]
    state = d.statuses(team.review, "title_abstract")[rid]
    assert {k: v["decision"] for k, v in state.decisions.items()} == {"rae": "include", "ren": "exclude"}


def test_decisions_in_the_log_carry_the_signed_in_person(team: Team) -> None:
    rae = team.client("reviewer")
    rae.post(
        f"/reviews/{team.review.review_id}/screen/decide",
        {"record_id": team.record_ids[0], "decision": "exclude", "reason": "wrong-topic"},
    )
    with team.review.session() as session:
        actors = list(
            session.scalars(
                select(Event.actor).where(Event.review_id == team.review.review_id, Event.action == "screen.decided")
            )
        )
    assert actors == ["rae"]
