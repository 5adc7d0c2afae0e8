"""Helpers for the in-process web tests: a signed-in client and the test team.

(A module of its own: ``conftest`` is not importable by name once several
test folders have one.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from realist.review import ReviewHandle

PASSWORD = "correct horse battery"
TEAM = {"owner": "olu", "reviewer": "rae", "reviewer2": "ren", "viewer": "vic", "outsider": "eve"}


class Client:
    """An in-process browser: a TestClient that signs in through the real login form."""

    def __init__(self, app: Any, name: str | None = None) -> None:
        from fastapi.testclient import TestClient

        self.http = TestClient(app, base_url="http://testserver")
        self.name = name
        self.csrf = ""
        if name is not None:
            self.login(name)

    def login(self, name: str, password: str = PASSWORD) -> Any:
        form = self.http.get("/login")
        token = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
        assert token, form.text
        response = self.http.post(
            "/login",
            data={"username": name, "password": password, "login_csrf": token.group(1), "next": "/"},
            follow_redirects=False,
        )
        if response.status_code == 303:
            page = self.http.get("/")
            found = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
            self.csrf = found.group(1) if found else ""
        return response

    def get(self, url: str, **kw: Any) -> Any:
        return self.http.get(url, follow_redirects=False, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any) -> Any:
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf)
        return self.http.post(url, data=data, follow_redirects=False, **kw)

    def api(self, method: str, url: str, json: Any = None, *, csrf: bool = True) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if csrf and self.csrf else {}
        return self.http.request(method, url, json=json, headers=headers, follow_redirects=False)


@dataclass
class Team:
    review: ReviewHandle
    app: Any
    record_ids: list[int]
    pair_id: int
    job_id: str

    def client(self, role: str | None) -> Client:
        return Client(self.app, TEAM[role] if role else None)


TOPICS = [
    ("Peer educators and HIV testing among people who inject drugs", "peer educators HIV testing harm reduction"),
    ("Needle exchange uptake in a peer-led drop-in centre", "peer-led needle syringe programme"),
    ("Soil nitrogen dynamics under maize rotation", "agronomy soil nitrogen fertiliser maize"),
    ("Bridge deck corrosion monitoring with sensors", "civil engineering corrosion sensors"),
]


@dataclass
class CodingSetup:
    """A study (from the team's first record, which has a full text), the realist codebook
    template, and one coding by the reviewer rae."""

    study: str
    code: str
    coding_id: int


def coding_setup(team: Team) -> CodingSetup:
    """Set up (once per team) what the coding routes need."""
    found: CodingSetup | None = getattr(team, "_coding", None)
    if found is not None:
        return found
    from realist.code import add_study, apply_code, install_template

    study = add_study(team.review, team.record_ids[0], key="first2000")
    install_template(team.review)
    coding = apply_code(team.review, study.key, "bridging", coder=TEAM["reviewer"], quote="peer educators")
    found = CodingSetup(study.key, "bridging", coding.id)
    team._coding = found  # type: ignore[attr-defined]
    return found
