"""Accounts, membership and roles: who may do what in which review.

Accounts belong to a *store* (one SQLite review file, or one PostgreSQL
server with many reviews).  A membership gives an account a role in one
review: ``owner`` (everything: members, protocol, resolving conflicts,
unblinding), ``reviewer`` (screening, importing, deduplicating) or
``viewer`` (reading only); an owner may name any member a *resolver*.

Roles are checked here, not in the interfaces: :func:`open_review_for`
opens a review for an account and raises :class:`~realist.errors.NotFound`
for someone who is not a member, exactly as for a review that does not
exist, and every :class:`Role` says what it allows.

Secrets are never stored: passwords as argon2 hashes; sessions, API tokens
and setup links as SHA-256 hashes of random values.  A person lists and
revokes their own API tokens (:func:`list_api_tokens`,
:func:`revoke_api_token`) and changes their own password giving the
current one (:func:`change_password`).  Failed sign-ins are
stored, so throttling holds across worker processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .errors import InvalidInput, NotFound, RealistError
from .review import ReviewHandle
from .store.db import session_scope
from .store.events import log_event
from .store.models import (
    Account,
    ApiToken,
    LoginAttempt,
    Membership,
    Review,
    SetupToken,
    WebSession,
    utcnow,
)

__all__ = [
    "Role",
    "ROLES",
    "AccountInfo",
    "Member",
    "LoginThrottled",
    "PermissionDenied",
    "add_user",
    "set_password",
    "change_password",
    "account_locale",
    "set_account_locale",
    "remove_user",
    "list_users",
    "has_users",
    "authenticate",
    "add_member",
    "remove_member",
    "members",
    "membership",
    "reviews_for",
    "open_review_for",
    "create_session",
    "session_account",
    "MemberAccess",
    "member_access",
    "end_session",
    "ApiTokenInfo",
    "create_api_token",
    "list_api_tokens",
    "token_account",
    "revoke_api_token",
    "revoke_api_tokens",
    "MAX_API_TOKENS",
    "MAX_TOKEN_LABEL",
    "MIN_PASSWORD",
    "create_setup_token",
    "setup_first_owner",
    "screening_withheld",
    "highlights_for",
    "set_highlights",
    "MAX_HIGHLIGHT_TERMS",
    "SESSION_LIFETIME",
    "THROTTLE_LIMIT",
    "THROTTLE_WINDOW",
]

SESSION_LIFETIME = dt.timedelta(days=14)
SETUP_LIFETIME = dt.timedelta(hours=24)
THROTTLE_LIMIT = 5  # failed sign-ins per name (or per client) ...
THROTTLE_WINDOW = dt.timedelta(minutes=15)  # ... within this window
MIN_PASSWORD = 8

_hasher = PasswordHasher()
# Verified against when a name is unknown, so a wrong name costs as much time
# as a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("not a password anyone has")


class PermissionDenied(RealistError):
    """The signed-in person's role does not allow this (HTTP 403)."""


class LoginThrottled(RealistError):
    """Too many failed sign-ins for this name or client; wait and retry (HTTP 429)."""


class Role(StrEnum):
    """A member's role in a review, with what it allows."""

    owner = "owner"
    reviewer = "reviewer"
    viewer = "viewer"

    @property
    def can_write(self) -> bool:
        """Change anything at all (decide, import, dedup ...)."""
        return self is not Role.viewer

    @property
    def can_screen(self) -> bool:
        return self is not Role.viewer

    @property
    def can_import(self) -> bool:
        return self is not Role.viewer

    @property
    def can_deduplicate(self) -> bool:
        return self is not Role.viewer

    @property
    def can_manage_members(self) -> bool:
        return self is Role.owner

    @property
    def can_edit_protocol(self) -> bool:
        return self is Role.owner

    @property
    def can_unblind(self) -> bool:
        return self is Role.owner

    @property
    def can_assign(self) -> bool:
        """Decide who screens what (single or double screening)."""
        return self is Role.owner


ROLES = tuple(r.value for r in Role)


@dataclass(frozen=True)
class AccountInfo:
    id: int
    name: str


@dataclass(frozen=True)
class Member:
    """An account's membership of one review."""

    account_id: int
    name: str
    role: Role
    resolver: bool

    @property
    def can_resolve(self) -> bool:
        """Owners resolve conflicts, and so does any member named resolver."""
        return self.role is Role.owner or (self.resolver and self.role is not Role.viewer)

    def require(self, allowed: bool, what: str) -> None:
        """Raise :class:`PermissionDenied` unless ``allowed``."""
        if not allowed:
            raise PermissionDenied(f"{self.name} is a {self.role.value} of this review and cannot {what}")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role.value, "resolver": self.resolver}


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(f"unknown role {value!r}: roles are {', '.join(ROLES)}") from None


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("a user needs a name")
    if len(name) > 200 or any(c.isspace() or not c.isprintable() for c in name):
        raise InvalidInput(f"user name {name!r} must be one word of at most 200 printable characters")
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")


def _aware(when: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns: they are UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _account(session: Session, name: str) -> Account:
    account = session.scalar(select(Account).where(Account.name == name))
    if account is None:
        raise NotFound(f"no user {name!r}")
    return account


# ---------------------------------------------------------------- users


def has_users(engine: Engine) -> bool:
    with session_scope(engine) as session:
        return session.scalar(select(Account.id).limit(1)) is not None


def add_user(engine: Engine, name: str, password: str) -> AccountInfo:
    """Create an account (names are unique in a store)."""
    name = _check_name(name)
    _check_password(password)
    try:
        with session_scope(engine) as session:
            account = Account(name=name, password_hash=_hasher.hash(password))
            session.add(account)
            session.flush()
            return AccountInfo(account.id, account.name)
    except IntegrityError:
        raise InvalidInput(f"a user named {name!r} already exists") from None


def account_locale(engine: Engine, account_id: int) -> str | None:
    """The language this person chose for the web app, or None (use the browser's)."""
    with session_scope(engine) as session:
        return session.scalar(select(Account.locale).where(Account.id == account_id))


def set_account_locale(engine: Engine, account_id: int, locale: str | None) -> None:
    """Store (or with None, forget) this person's web app language."""
    if locale is not None and (not locale or len(locale) > 20):
        raise InvalidInput(f"not a language code: {locale!r}")
    with session_scope(engine) as session:
        account = session.get(Account, account_id)
        if account is None:
            raise NotFound(f"no account {account_id}")
        account.locale = locale


def set_password(engine: Engine, name: str, password: str) -> None:
    """Change a password; every session and API token of the account ends."""
    _check_password(password)
    with session_scope(engine) as session:
        account = _account(session, name)
        account.password_hash = _hasher.hash(password)
        session.execute(delete(WebSession).where(WebSession.account_id == account.id))
        session.execute(delete(ApiToken).where(ApiToken.account_id == account.id))


def change_password(engine: Engine, account_id: int, current: str, new: str, *, client: str = "") -> None:
    """A person changes their own password, giving the current one.

    The current password is checked as a sign-in is (:func:`authenticate`:
    a wrong one counts towards throttling, so a borrowed session cannot be
    used to guess it).  As with :func:`set_password`, every session and API
    token of the account ends; a web app signs the person in again.
    """
    _check_password(new)
    with session_scope(engine) as session:
        account = session.get(Account, account_id)
        if account is None:
            raise NotFound(f"no account {account_id}")
        name = account.name
    try:
        authenticate(engine, name, current, client=client)
    except LoginThrottled:
        raise
    except InvalidInput:
        raise InvalidInput("the current password is wrong", field="current_password") from None
    if new == current:
        raise InvalidInput("the new password is the same as the current one", field="new_password")
    set_password(engine, name, new)


def remove_user(engine: Engine, name: str) -> None:
    """Delete an account, its memberships, sessions and tokens (the event log keeps its name)."""
    with session_scope(engine) as session:
        account = _account(session, name)
        session.execute(delete(Membership).where(Membership.account_id == account.id))
        session.execute(delete(WebSession).where(WebSession.account_id == account.id))
        session.execute(delete(ApiToken).where(ApiToken.account_id == account.id))
        session.delete(account)


def list_users(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.scalars(select(Account.name).order_by(Account.name)))


def authenticate(engine: Engine, name: str, password: str, *, client: str = "") -> AccountInfo:
    """The account for a name and password, or :class:`InvalidInput`.

    After :data:`THROTTLE_LIMIT` failed attempts for the name, or from the
    client, within :data:`THROTTLE_WINDOW`, every attempt is refused with
    :class:`LoginThrottled` until the window has passed, right password or not.
    """
    now = utcnow()
    since = now - THROTTLE_WINDOW
    with session_scope(engine) as session:
        by_name = (
            session.scalar(
                select(func.count())
                .select_from(LoginAttempt)
                .where(LoginAttempt.name == name, LoginAttempt.at >= since)
            )
            or 0
        )
        by_client = (
            session.scalar(
                select(func.count())
                .select_from(LoginAttempt)
                .where(LoginAttempt.client == client, LoginAttempt.at >= since)
            )
            or 0
            if client
            else 0
        )
        if by_name >= THROTTLE_LIMIT or by_client >= THROTTLE_LIMIT:
            minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
            raise LoginThrottled(f"too many failed sign-ins: try again in {minutes} minutes")
        account = session.scalar(select(Account).where(Account.name == name))
        try:
            _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
            ok = account is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or account is None:
            session.add(LoginAttempt(name=name[:200], client=client[:100], at=now))
            failed = True
        else:
            failed = False
            if _hasher.check_needs_rehash(account.password_hash):
                account.password_hash = _hasher.hash(password)
            info = AccountInfo(account.id, account.name)
    if failed:
        raise InvalidInput("wrong user name or password")
    return info


# ---------------------------------------------------------------- membership


def _member_row(session: Session, review_id: int, account_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(Membership.review_id == review_id, Membership.account_id == account_id)
    )


def add_member(review: ReviewHandle, name: str, role: str, *, resolver: bool = False) -> Member:
    """Give an account a role in a review (changes the role of an existing member)."""
    role_ = _role(role)
    with review.session() as session:
        account = _account(session, name)
        row = _member_row(session, review.review_id, account.id)
        if row is None:
            row = Membership(review_id=review.review_id, account_id=account.id)
            session.add(row)
        row.role = role_.value
        row.resolver = resolver
        review.log(
            session,
            "member.added",
            entity="account",
            entity_id=account.id,
            name=name,
            role=role_.value,
            resolver=resolver,
        )
        return Member(account.id, account.name, role_, resolver)


def remove_member(review: ReviewHandle, name: str) -> None:
    """End an account's membership of a review; the last owner cannot leave."""
    with review.session() as session:
        account = _account(session, name)
        row = _member_row(session, review.review_id, account.id)
        if row is None:
            raise NotFound(f"{name} is not a member of this review")
        if row.role == Role.owner.value:
            owners = (
                session.scalar(
                    select(func.count())
                    .select_from(Membership)
                    .where(Membership.review_id == review.review_id, Membership.role == Role.owner.value)
                )
                or 0
            )
            if owners <= 1:
                raise InvalidInput(f"{name} is the review's only owner: make someone else owner first")
        session.delete(row)
        review.log(session, "member.removed", entity="account", entity_id=account.id, name=name)


def members(review: ReviewHandle) -> list[Member]:
    with review.session() as session:
        rows = session.execute(
            select(Membership, Account.name)
            .join(Account, Account.id == Membership.account_id)
            .where(Membership.review_id == review.review_id)
            .order_by(Account.name)
        ).all()
        return [Member(m.account_id, name, Role(m.role), m.resolver) for m, name in rows]


def membership(engine: Engine, review_id: int, account_id: int) -> Member:
    """An account's membership of a review, or NotFound (as for a missing review)."""
    with session_scope(engine) as session:
        row = session.execute(
            select(Membership, Account.name)
            .join(Account, Account.id == Membership.account_id)
            .where(Membership.review_id == review_id, Membership.account_id == account_id)
        ).first()
        if row is None:
            raise NotFound(f"no review {review_id}")
        m, name = row
        return Member(m.account_id, name, Role(m.role), m.resolver)


def reviews_for(engine: Engine, account_id: int) -> list[tuple[int, str, str, Member]]:
    """The reviews an account belongs to: (review id, uuid, title, membership)."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(Review.id, Review.uuid, Review.title, Membership, Account.name)
            .join(Membership, Membership.review_id == Review.id)
            .join(Account, Account.id == Membership.account_id)
            .where(Membership.account_id == account_id)
            .order_by(Review.title, Review.id)
        ).all()
        return [
            (rid, uuid, title, Member(m.account_id, name, Role(m.role), m.resolver))
            for rid, uuid, title, m, name in rows
        ]


def open_review_for(engine: Engine, path: Path, review_id: int, account_id: int) -> tuple[ReviewHandle, Member]:
    """A handle on a review acting as the account, and its membership.

    Raises :class:`NotFound` for a non-member, the same error as for a review
    that does not exist, so the two cannot be told apart.
    """
    member = membership(engine, review_id, account_id)
    with session_scope(engine) as session:
        review = session.get(Review, review_id)
        if review is None:
            raise NotFound(f"no review {review_id}")
        uuid, title = review.uuid, review.title
    return ReviewHandle(path, engine, review_id, uuid, title, member.name), member


def screening_withheld(review: ReviewHandle, member: Member, stage: str) -> bool:
    """Whether a stage's screening aggregates are withheld from ``member`` now.

    While a stage is blinded, only owners see what would show other
    reviewers' decisions there: status counts (included, excluded, maybe,
    conflicts), exclusion reasons, agreement, the stopping estimate, which
    records are in which state, and anything downstream that depends on them
    (the next stage's eligible records; see
    :func:`~realist.screen.decisions.blinded_through`).  How many records
    each reviewer has decided stays visible to all, as progress.
    """
    from .screen.decisions import blinded_through

    return member.role is not Role.owner and blinded_through(review, stage)


# ---------------------------------------------------------------- sessions and tokens


def create_session(engine: Engine, account_id: int) -> tuple[str, str]:
    """A new session for an account: (the cookie's random id, its CSRF token)."""
    raw = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    with session_scope(engine) as session:
        session.execute(delete(WebSession).where(WebSession.expires_at < now))
        session.add(
            WebSession(
                token_hash=_digest(raw),
                account_id=account_id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
    return raw, csrf


def session_account(engine: Engine, raw: str) -> tuple[AccountInfo, str] | None:
    """The account and CSRF token of a live session id, or None."""
    with session_scope(engine) as session:
        row = session.execute(
            select(WebSession, Account.name)
            .join(Account, Account.id == WebSession.account_id)
            .where(WebSession.token_hash == _digest(raw))
        ).first()
        if row is None:
            return None
        ws, name = row
        if _aware(ws.expires_at) < utcnow():
            return None
        return AccountInfo(ws.account_id, name), ws.csrf_token


@dataclass(frozen=True)
class MemberAccess:
    """Who is asking and what they are in one review, read together (:func:`member_access`)."""

    account: AccountInfo
    csrf: str  # the session's CSRF token
    member: Member | None  # None: not a member (or no such review)
    review_uuid: str
    review_title: str

    def handle(self, engine: Engine, path: Path, review_id: int) -> tuple[ReviewHandle, Member]:
        """The review as this member's handle; :class:`NotFound` for a non-member, as for a
        review that does not exist."""
        if self.member is None:
            raise NotFound(f"no review {review_id}")
        return ReviewHandle(path, engine, review_id, self.review_uuid, self.review_title, self.member.name), self.member


def member_access(engine: Engine, review_id: int, session_raw: str) -> MemberAccess | None:
    """The account behind a live session id and its membership of a review, in one
    query: what :func:`session_account`, :func:`membership` and :func:`open_review_for`
    read one after the other.  None when the session is unknown or expired."""
    query = (
        select(
            WebSession.account_id,
            Account.name,
            Membership.role,
            Membership.resolver,
            Review.uuid,
            Review.title,
            WebSession.csrf_token,
            WebSession.expires_at,
        )
        .join(Account, Account.id == WebSession.account_id)
        .outerjoin(Membership, (Membership.account_id == Account.id) & (Membership.review_id == review_id))
        .outerjoin(Review, Review.id == Membership.review_id)
        .where(WebSession.token_hash == _digest(session_raw))
    )
    with session_scope(engine) as session:
        row = session.execute(query).first()
    if row is None:
        return None
    account_id, name, role, resolver, uuid, title, csrf, expires_at = row
    if _aware(expires_at) < utcnow():
        return None
    member = None if role is None or uuid is None else Member(account_id, name, Role(role), bool(resolver))
    return MemberAccess(AccountInfo(account_id, name), csrf, member, uuid or "", title or "")


def end_session(engine: Engine, raw: str) -> None:
    with session_scope(engine) as session:
        session.execute(delete(WebSession).where(WebSession.token_hash == _digest(raw)))


MAX_API_TOKENS = 50  # live tokens per account
MAX_TOKEN_LABEL = 100
TOKEN_TOUCH_EVERY = dt.timedelta(minutes=1)  # how often last_used_at is written


@dataclass(frozen=True)
class ApiTokenInfo:
    """A personal API token as its owner sees it: never the secret, which is shown once."""

    id: int
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "last_used_at": self.last_used_at.isoformat(timespec="seconds") if self.last_used_at else None,
        }


def _check_label(label: str) -> str:
    label = " ".join(label.split())
    if len(label) > MAX_TOKEN_LABEL:
        raise InvalidInput(f"a token name has at most {MAX_TOKEN_LABEL} characters", field="label")
    return label


def create_api_token(engine: Engine, name: str, label: str = "") -> str:
    """A new personal API token for scripts; shown once, only its hash is kept.

    ``label`` says what the token is for (at most :data:`MAX_TOKEN_LABEL`
    characters); an account holds at most :data:`MAX_API_TOKENS` tokens.
    """
    label = _check_label(label)
    raw = "rlt_" + secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        account = _account(session, name)
        held = session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.account_id == account.id)) or 0
        if held >= MAX_API_TOKENS:
            raise InvalidInput(f"{name} already has {held} API tokens: revoke one first", field="label")
        session.add(ApiToken(token_hash=_digest(raw), account_id=account.id, label=label, created_at=utcnow()))
    return raw


def list_api_tokens(engine: Engine, account_id: int) -> list[ApiTokenInfo]:
    """An account's own API tokens, newest first (names and times; the secrets are not kept)."""
    with session_scope(engine) as session:
        rows = session.scalars(
            select(ApiToken).where(ApiToken.account_id == account_id).order_by(ApiToken.id.desc())
        ).all()
        return [
            ApiTokenInfo(
                t.id,
                t.label,
                _aware(t.created_at),
                _aware(t.last_used_at) if t.last_used_at is not None else None,
            )
            for t in rows
        ]


def token_account(engine: Engine, raw: str) -> AccountInfo | None:
    """The account a token belongs to, or None (unknown or revoked); notes when it was used."""
    now = utcnow()
    with session_scope(engine) as session:
        row = session.execute(
            select(Account.id, Account.name, ApiToken.id, ApiToken.last_used_at)
            .join(ApiToken, ApiToken.account_id == Account.id)
            .where(ApiToken.token_hash == _digest(raw))
        ).first()
        if row is None:
            return None
        account_id, name, token_id, last = row
        if last is None or _aware(last) < now - TOKEN_TOUCH_EVERY:
            session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        return AccountInfo(account_id, name)


def revoke_api_token(engine: Engine, account_id: int, token_id: int) -> ApiTokenInfo:
    """Revoke one of the account's own tokens; someone else's is :class:`NotFound`, like a missing one."""
    with session_scope(engine) as session:
        token = session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.account_id == account_id))
        if token is None:
            raise NotFound(f"no API token {token_id}")
        info = ApiTokenInfo(
            token.id,
            token.label,
            _aware(token.created_at),
            _aware(token.last_used_at) if token.last_used_at is not None else None,
        )
        session.delete(token)
        return info


def revoke_api_tokens(engine: Engine, name: str) -> int:
    """Revoke every API token of the account ``name``; how many there were."""
    with session_scope(engine) as session:
        account = _account(session, name)
        result = session.execute(delete(ApiToken).where(ApiToken.account_id == account.id))
        return int(getattr(result, "rowcount", 0))


# ---------------------------------------------------------------- first owner


def create_setup_token(engine: Engine) -> str:
    """A one-time secret that lets the first person create the owner account."""
    if has_users(engine):
        raise InvalidInput("this store already has users: add more with `realist user add`")
    raw = secrets.token_urlsafe(24)
    now = utcnow()
    with session_scope(engine) as session:
        session.add(SetupToken(token_hash=_digest(raw), created_at=now, expires_at=now + SETUP_LIFETIME))
    return raw


def setup_first_owner(engine: Engine, raw: str, name: str, password: str) -> AccountInfo:
    """Use a setup token: create the first account, owner of every review in the store."""
    name = _check_name(name)
    _check_password(password)
    now = utcnow()
    with session_scope(engine) as session:
        token = session.scalar(select(SetupToken).where(SetupToken.token_hash == _digest(raw)))
        if token is None or token.used_at is not None or _aware(token.expires_at) < now:
            raise NotFound("this setup link is not valid (used, expired or mistyped)")
        if session.scalar(select(Account.id).limit(1)) is not None:
            raise InvalidInput("this store already has users")
        claimed = session.execute(
            update(SetupToken).where(SetupToken.id == token.id, SetupToken.used_at.is_(None)).values(used_at=now)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            raise NotFound("this setup link was just used")
        account = Account(name=name, password_hash=_hasher.hash(password))
        session.add(account)
        session.flush()
        for review_id in session.scalars(select(Review.id)):
            session.add(Membership(review_id=review_id, account_id=account.id, role=Role.owner.value, resolver=False))
            log_event(
                session,
                review_id,
                name,
                "member.added",
                entity="account",
                entity_id=account.id,
                name=name,
                role=Role.owner.value,
                resolver=False,
                setup=True,
            )
        return AccountInfo(account.id, account.name)


# ---------------------------------------------------------------- personal highlight terms

MAX_HIGHLIGHT_TERMS = 200
MAX_HIGHLIGHT_LENGTH = 100


def _terms(values: list[str], which: str) -> list[str]:
    out: list[str] = []
    for value in values:
        term = value.strip()
        if not term or term in out:
            continue
        if len(term) > MAX_HIGHLIGHT_LENGTH:
            raise InvalidInput(
                f"{which} highlight term {term[:30]!r}... is longer than {MAX_HIGHLIGHT_LENGTH} characters",
                field=f"highlight_{which}",
            )
        out.append(term)
    if len(out) > MAX_HIGHLIGHT_TERMS:
        raise InvalidInput(
            f"{len(out)} {which} highlight terms: at most {MAX_HIGHLIGHT_TERMS}", field=f"highlight_{which}"
        )
    return out


def highlights_for(review: ReviewHandle, name: str) -> tuple[dict[str, list[str]], bool]:
    """A member's highlight terms ``{"include": [...], "exclude": [...]}`` and whether they are
    the member's own (False: the protocol's terms, used until the member sets theirs)."""
    with review.session() as session:
        row = session.execute(
            select(Membership.highlights)
            .join(Account, Account.id == Membership.account_id)
            .where(Membership.review_id == review.review_id, Account.name == name)
        ).first()
    own = row[0] if row is not None else None
    if own is not None:
        return {"include": list(own.get("include") or []), "exclude": list(own.get("exclude") or [])}, True
    protocol = review.protocol().get("highlights") or {}
    return {"include": list(protocol.get("include") or []), "exclude": list(protocol.get("exclude") or [])}, False


def set_highlights(review: ReviewHandle, name: str, include: list[str] | None, exclude: list[str] | None) -> None:
    """Set a member's own highlight terms; ``None`` for both goes back to the protocol's terms.

    Terms are personal (as in Rayyan): they change what this member sees
    highlighted, never anyone's decisions, so nothing is logged.
    """
    value = None
    if include is not None or exclude is not None:
        value = {"include": _terms(include or [], "include"), "exclude": _terms(exclude or [], "exclude")}
    with review.session() as session:
        account = _account(session, name)
        row = _member_row(session, review.review_id, account.id)
        if row is None:
            raise NotFound(f"{name} is not a member of this review")
        row.highlights = value
