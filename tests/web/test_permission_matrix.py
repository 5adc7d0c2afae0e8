"""Role x route x member / non-member / logged out, for every route of the app.

The matrix below must name every route: adding a route without deciding who
may use it fails ``test_every_route_has_an_entry``.  "allowed" means the
role passed the permission check (the answer is neither 401, 403, 404 nor a
redirect to the sign-in page); the behaviour itself is tested elsewhere.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route
from web_support import PASSWORD, TEAM, Client, Team, coding_setup

ROLES = ("owner", "reviewer", "viewer", "outsider", None)  # None: logged out
MEMBERS = ("owner", "reviewer", "viewer")
WRITERS = ("owner", "reviewer")
OWNERS = ("owner",)
PUBLIC = "public"

# (method, path) -> who passes the permission check: PUBLIC, or a tuple of roles.
MATRIX: dict[tuple[str, str], Any] = {
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): ("owner", "reviewer", "viewer", "outsider"),
    ("POST", "/language"): PUBLIC,
    ("GET", "/setup/{token}"): PUBLIC,
    ("POST", "/setup/{token}"): PUBLIC,
    ("GET", "/"): ("owner", "reviewer", "viewer", "outsider"),
    ("GET", "/reviews/{review_id}"): MEMBERS,
    ("POST", "/reviews"): ("owner", "reviewer", "viewer", "outsider"),
    # one's own account: API tokens and password (realist/web/pages_account.py)
    ("GET", "/account"): ("owner", "reviewer", "viewer", "outsider"),
    ("POST", "/account/tokens"): ("owner", "reviewer", "viewer", "outsider"),
    ("POST", "/account/tokens/{token_id}/revoke"): ("owner", "reviewer", "viewer", "outsider"),
    ("POST", "/account/password"): ("owner", "reviewer", "viewer", "outsider"),
    ("GET", "/reviews/{review_id}/assign"): MEMBERS,
    ("POST", "/reviews/{review_id}/assign"): OWNERS,
    ("POST", "/reviews/{review_id}/screen/highlights"): WRITERS,
    ("GET", "/reviews/{review_id}/screen"): WRITERS,
    ("POST", "/reviews/{review_id}/screen/decide"): WRITERS,
    ("POST", "/reviews/{review_id}/screen/undo"): WRITERS,
    ("GET", "/reviews/{review_id}/conflicts"): MEMBERS,
    ("POST", "/reviews/{review_id}/conflicts/{record_id}/resolve"): OWNERS,
    ("POST", "/reviews/{review_id}/blinding"): OWNERS,
    ("GET", "/reviews/{review_id}/records"): MEMBERS,
    ("GET", "/reviews/{review_id}/records/export"): MEMBERS,
    ("GET", "/reviews/{review_id}/records/{record_id}/fulltext"): MEMBERS,
    ("POST", "/reviews/{review_id}/records/{record_id}/fulltext"): WRITERS,
    ("GET", "/reviews/{review_id}/protocol"): MEMBERS,
    ("POST", "/reviews/{review_id}/protocol"): OWNERS,
    ("GET", "/reviews/{review_id}/activity"): MEMBERS,
    ("GET", "/reviews/{review_id}/members"): MEMBERS,
    ("POST", "/reviews/{review_id}/members"): OWNERS,
    ("POST", "/reviews/{review_id}/members/remove"): OWNERS,
    ("GET", "/reviews/{review_id}/import"): MEMBERS,
    ("POST", "/reviews/{review_id}/import"): WRITERS,
    ("GET", "/reviews/{review_id}/dedup"): MEMBERS,
    ("GET", "/reviews/{review_id}/jobs/{job_id}"): MEMBERS,
    ("POST", "/reviews/{review_id}/dedup/run"): WRITERS,
    ("POST", "/reviews/{review_id}/dedup/{pair_id}/{verdict}"): WRITERS,
    ("POST", "/reviews/{review_id}/dedup-undo"): WRITERS,
    ("GET", "/reviews/{review_id}/studies"): MEMBERS,
    ("POST", "/reviews/{review_id}/studies/from-included"): OWNERS,
    ("GET", "/reviews/{review_id}/studies/{study}"): MEMBERS,
    ("POST", "/reviews/{review_id}/studies/{study}"): WRITERS,
    ("POST", "/reviews/{review_id}/studies/{study}/link"): WRITERS,
    ("POST", "/reviews/{review_id}/studies/{study}/language"): WRITERS,
    ("POST", "/reviews/{review_id}/studies/{study}/language/judgement"): WRITERS,
    ("POST", "/reviews/{review_id}/studies/{study}/rigour"): WRITERS,
    ("GET", "/reviews/{review_id}/studies/{study}/cmocs/new"): WRITERS,
    ("POST", "/reviews/{review_id}/studies/{study}/cmocs"): WRITERS,
    ("GET", "/reviews/{review_id}/cmocs"): MEMBERS,
    ("POST", "/reviews/{review_id}/cmocs"): WRITERS,
    ("GET", "/reviews/{review_id}/cmocs/{cmoc_id}"): MEMBERS,
    ("POST", "/reviews/{review_id}/cmocs/{cmoc_id}"): WRITERS,
    ("GET", "/reviews/{review_id}/theory"): MEMBERS,
    ("GET", "/reviews/{review_id}/report"): MEMBERS,
    ("POST", "/reviews/{review_id}/report/build"): WRITERS,
    ("POST", "/reviews/{review_id}/report/checklist"): OWNERS,
    ("GET", "/reviews/{review_id}/report/builds/{build_id}/{name:path}"): MEMBERS,
    ("GET", "/reviews/{review_id}/network"): MEMBERS,
    ("POST", "/reviews/{review_id}/network/chase"): WRITERS,
    ("POST", "/reviews/{review_id}/network/handsearch"): WRITERS,
    ("GET", "/reviews/{review_id}/synthesis"): MEMBERS,
    ("GET", "/reviews/{review_id}/synthesis/evidence"): MEMBERS,
    ("GET", "/reviews/{review_id}/synthesis/map.svg"): MEMBERS,
    ("GET", "/reviews/{review_id}/synthesis/claims"): MEMBERS,
    ("POST", "/reviews/{review_id}/synthesis/claims"): WRITERS,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/me"): ("owner", "reviewer", "viewer", "outsider"),
    ("GET", "/api/v1/reviews"): ("owner", "reviewer", "viewer", "outsider"),
    ("GET", "/api/v1/reviews/{review_id}/progress"): MEMBERS,
    ("GET", "/api/v1/reviews/{review_id}/agreement"): MEMBERS,
    ("GET", "/api/v1/reviews/{review_id}/next"): WRITERS,
    ("POST", "/api/v1/reviews/{review_id}/decisions"): WRITERS,
    ("GET", "/api/v1/reviews/{review_id}/decisions/{record_id}"): MEMBERS,
    ("GET", "/api/v1/reviews/{review_id}/conflicts"): MEMBERS,
    ("POST", "/api/v1/reviews/{review_id}/conflicts/{record_id}/resolve"): OWNERS,
    ("GET", "/api/v1/reviews/{review_id}/records"): MEMBERS,
    ("POST", "/api/v1/reviews/{review_id}/decisions/{record_id}/undo"): WRITERS,
    ("GET", "/api/v1/reviews/{review_id}/members"): MEMBERS,
    ("GET", "/api/v1/reviews/{review_id}/activity"): MEMBERS,
    ("GET", "/api/v1/reviews/{review_id}/duplicates"): MEMBERS,
    ("POST", "/api/v1/reviews/{review_id}/duplicates/run"): WRITERS,
    ("GET", "/api/v1/reviews/{review_id}/jobs/{job_id}"): MEMBERS,
    ("POST", "/api/v1/reviews"): ("owner", "reviewer", "viewer", "outsider"),
    ("POST", "/api/v1/reviews/{review_id}/members"): OWNERS,
    ("DELETE", "/api/v1/reviews/{review_id}/members/{name}"): OWNERS,
    ("POST", "/api/v1/reviews/{review_id}/assign"): OWNERS,
    ("POST", "/api/v1/reviews/{review_id}/blinding"): OWNERS,
    ("POST", "/api/v1/reviews/{review_id}/duplicates/{pair_id}/{verdict}"): WRITERS,
    ("POST", "/api/v1/reviews/{review_id}/imports"): WRITERS,
    ("GET", "/api/v1/reviews/{review_id}/highlights"): MEMBERS,
    ("PUT", "/api/v1/reviews/{review_id}/highlights"): WRITERS,
    # coding (realist/web/pages_coding.py, api_coding.py)
    ("GET", "/reviews/{review_id}/coding"): MEMBERS,
    ("POST", "/reviews/{review_id}/coding/studies"): WRITERS,
    ("GET", "/reviews/{review_id}/coding/agreement"): MEMBERS,
    ("GET", "/reviews/{review_id}/studies/{study}/read"): MEMBERS,
    ("POST", "/reviews/{review_id}/studies/{study}/codings"): WRITERS,
    ("POST", "/reviews/{review_id}/studies/{study}/memo"): WRITERS,
    ("POST", "/reviews/{review_id}/studies/{study}/fulltext"): WRITERS,
    ("POST", "/reviews/{review_id}/codings/{coding_id}/validate"): WRITERS,
    ("POST", "/reviews/{review_id}/codings/{coding_id}/memo"): WRITERS,
    ("GET", "/reviews/{review_id}/codebook"): MEMBERS,
    ("GET", "/reviews/{review_id}/codebook/export"): MEMBERS,
    ("POST", "/reviews/{review_id}/codebook/add"): OWNERS,
    ("POST", "/reviews/{review_id}/codebook/template"): OWNERS,
    ("POST", "/reviews/{review_id}/codebook/import"): OWNERS,
    ("POST", "/reviews/{review_id}/codebook/codes/{code_id}"): OWNERS,
    ("POST", "/reviews/{review_id}/codebook/codes/{code_id}/delete"): OWNERS,
    ("GET", "/api/v1/reviews/{review_id}/studies/{study}/texts"): MEMBERS,
    ("GET", "/api/v1/reviews/{review_id}/studies/{study}/codings"): MEMBERS,
    ("POST", "/api/v1/reviews/{review_id}/studies/{study}/codings"): WRITERS,
    ("POST", "/api/v1/reviews/{review_id}/codings/{coding_id}/validations"): WRITERS,
    ("GET", "/api/v1/reviews/{review_id}/coding/agreement"): MEMBERS,
}
NOT_ROUTES = {"/static"}  # files, the same for everyone


def _routes(app: Any, prefix: str = "") -> set[tuple[str, str]]:
    """Every (method, path) the app answers, through mounts and included routers."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, Mount):
            if route.path in NOT_ROUTES:
                continue
            assert isinstance(route.app, FastAPI), route.path
            found |= _routes(route.app, prefix + route.path)
        elif hasattr(route, "original_router"):  # a router added with include_router (no prefix used)
            found |= _routes(route.original_router, prefix)
        elif isinstance(route, (APIRoute, Route)):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                found.add((method, prefix + route.path))
    return found


def test_every_route_has_an_entry(team: Team) -> None:
    routes = _routes(team.app)
    assert routes - set(MATRIX) == set(), "routes without a permission entry"
    assert set(MATRIX) - routes == set(), "entries for routes that no longer exist"


def _first_cmoc(team: Team) -> int:
    from realist.code.cmoc import add_cmoc, list_cmocs

    made = list_cmocs(team.review)
    if made:
        return made[0].id
    study = coding_setup(team).study  # the study the coding routes use, with the realist codebook
    return add_cmoc(
        team.review,
        study,
        intervention="harm-reduction-education",
        mechanism="trust-empathy-commitment",
        outcome="access-acceptability-quality",
        statement="Peer educators are trusted, so more people use the service.",
    ).id


def _request(client: Client, team: Team, method: str, path: str) -> Any:
    rid = team.review.review_id
    record = team.record_ids[0]
    coding = coding_setup(team)
    url = (
        path.replace("{review_id}", str(rid))
        .replace("{study}", coding.study)
        .replace("{coding_id}", str(coding.coding_id))
        .replace("{code_id}", coding.code)
        .replace("{record_id}", str(record))
        .replace("{token}", "no-such-token")
        .replace("{pair_id}", str(team.pair_id))
        .replace("{job_id}", team.job_id)
        .replace("{verdict}", "reject")
        .replace("{cmoc_id}", str(_first_cmoc(team)))
        .replace("{name}", "vic")
    )
    if "{token_id}" in url:  # each person revokes a token of their own
        url = url.replace("{token_id}", str(_own_token(team, client)))
    if "{build_id}" in url:
        url = url.replace("{build_id}", _report_build(team)).replace("{name:path}", "report.md")
    if url.startswith("/api/"):
        body: dict[str, Any] | None = None
        if url.endswith("/decisions"):
            body = {"record_id": team.record_ids[1], "decision": "exclude"}
        elif url.endswith("/resolve"):
            body = {"decision": "include"}
        elif url.endswith("/reviews") and method == "POST":
            body = {"title": "A review made by a script"}
        elif url.endswith("/members") and method == "POST":
            body = {"name": "ren", "role": "reviewer"}
        elif url.endswith("/assign"):
            body = {"reviewers": ["rae", "ren"]}
        elif url.endswith("/blinding"):
            body = {"blinded": True}
        elif url.endswith("/reject"):
            body = {}
        elif url.endswith("/highlights") and method == "PUT":
            body = {"include": ["peer"], "exclude": []}
        elif url.endswith("/imports"):
            files = [("files", ("api.ris", io.BytesIO(b"TY  - JOUR\nTI  - Sent by a script\nER  - \n"), "text/plain"))]
            headers = {"X-CSRF-Token": client.csrf} if client.csrf else {}
            return client.http.post(url, files=files, headers=headers, follow_redirects=False)
        elif url.endswith("/codings"):
            body = {"codes": [coding.code], "quote": "Kyiv"}
        elif url.endswith("/validations"):
            body = {"verdict": "agree"}
        return client.api(method, url, json=body)
    if method == "GET":
        return client.get(url)
    data: dict[str, Any] = {"record_id": str(record), "decision": "include", "stage": "title_abstract"}
    files = None
    if url.endswith("/protocol"):
        data.update(include="peer: peer involvement", exclude="wrong-population: not people who use drugs")
    elif url.endswith("/blinding"):
        data.update(blinded="yes")
    elif url.endswith("/assign"):
        data.update(reviewers=["rae", "ren"], mode="balanced", per_record="2")
    elif url.endswith("/highlights"):
        data.update(include="peer\nnaloxone", exclude="maize")
    elif url == "/reviews":
        data = {"title": "A review made in the browser"}
    elif url.endswith("/members") or url.endswith("/members/remove"):
        data.update(name="ren", role="reviewer")
    elif url.endswith("/fulltext"):
        files = [("file", ("second.txt", io.BytesIO(b"Another full text of twenty characters or more."), "text/plain"))]
    elif url.endswith("/report/build"):
        data.update(formats="md")
    elif url.endswith("/report/checklist"):
        data.update(checklist="rameses", item="3", answer="Why this review is needed.")
    elif url.endswith("/codebook/import"):
        files = [("file", ("book.csv", io.BytesIO(b"id,parent,name,kind\nbridging,,Bridging,mechanism\n"), "text/csv"))]
    elif "/codebook/" in url:
        data.update(name="Bridging", parent="", kind="mechanism")
    elif url.endswith("/codings"):
        data.update(codes=coding.code, quote="Kyiv")
    elif url.endswith("/validate"):
        data.update(verdict="agree")
    elif url.endswith("/memo"):
        data.update(memo="A memo.")
    elif url.endswith("/synthesis/claims"):
        files = [("manuscript", ("draft.md", io.BytesIO(b"Two studies did this [1, 2].\n"), "text/markdown"))]
    elif url.endswith("/import"):
        files = [("files", ("one.ris", io.BytesIO(b"TY  - JOUR\nTI  - An imported title\nER  - \n"), "text/plain"))]
    elif url == "/account/tokens":
        data = {"label": "made by the matrix"}
    elif url == "/account/password":  # refused (too short), so every session lives on
        data = {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"}
    elif url == "/login":
        data = {"username": "nobody", "password": "x", "login_csrf": "x"}
    return client.post(url, data, files=files)


def _own_token(team: Team, client: Client) -> int:
    """The id of a new API token of the client's account (of the owner's for a logged-out client)."""
    from realist import accounts

    name = client.name or TEAM["owner"]
    account = accounts.authenticate(team.review.engine, name, PASSWORD)
    accounts.create_api_token(team.review.engine, name, "to revoke")
    return accounts.list_api_tokens(team.review.engine, account.id)[0].id


_BUILDS: dict[str, str] = {}


def _report_build(team: Team) -> str:
    """A finished report build of the team's review (Markdown only), built once per review."""
    key = str(team.review.path)
    if key not in _BUILDS:
        from realist import accounts

        owner = accounts.authenticate(team.review.engine, TEAM["owner"], PASSWORD)
        _BUILDS[key] = team.app.state.jobs.submit_report(team.review.review_id, owner.id, ["md"], "vancouver")
    return _BUILDS[key]


def _passed(response: Any) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    return not (response.status_code in (302, 303, 307) and response.headers.get("location", "").startswith("/login?"))


def test_each_role_passes_exactly_the_routes_it_may_use(team: Team) -> None:
    clients = {role: team.client(role) for role in ROLES}
    failures = []
    # Least privileged first, so that nothing they do could make a later check pass.
    for role in (None, "outsider", "viewer", "reviewer", "owner"):
        for (method, path), allowed in sorted(MATRIX.items()):
            if allowed == PUBLIC or path in ("/logout",):
                continue
            response = _request(clients[role], team, method, path)
            expected = role in allowed
            if _passed(response) != expected:
                failures.append(f"{role or 'logged out'} {method} {path}: {response.status_code}")
            if role is None and path.startswith("/api/") and response.status_code != 401:
                failures.append(f"logged out {method} {path}: {response.status_code}, not 401")
            if role == "outsider" and "{review_id}" in path and response.status_code != 404:
                failures.append(f"non-member {method} {path}: {response.status_code}, not 404")
            if role == "viewer" and method == "POST" and not expected and response.status_code != 403:
                failures.append(f"viewer {method} {path}: {response.status_code}, not 403")
    assert not failures, "\n".join(failures)


def test_public_routes_answer_everyone(team: Team) -> None:
    anonymous = team.client(None)
    assert anonymous.get("/login").status_code == 200
    assert anonymous.get("/api/v1/openapi.json").status_code == 200
    # A store that has accounts has no valid setup link.
    assert anonymous.get("/setup/anything").status_code == 404
    assert anonymous.post("/setup/anything", {"username": "x", "password": "long enough"}).status_code == 404
