"""Sign-in, sessions and accounts.

A session token is random, shown once to its owner and stored only as a
SHA-256 hash; the web page's session and the API's bearer token are the same
kind of row, so signing out or expiry ends both the same way.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, select

from oms_dashboard.ids import new_id
from oms_dashboard.models import Customer, Seller, User, UserSession
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.driver_sql import DriverStatement
from oms_dashboard.services.errors import AuthenticationFailed, Conflict, ValidationFailed
from oms_dashboard.services.unit_of_work import lost_connection, transactional
from oms_dashboard.settings import get_settings

_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps timing the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def sign_in(
    session: Session, *, email: str, password: str, channel: str = "web"
) -> tuple[str, User]:
    """Check the password and open a session; returns (token, user)."""
    user = session.exec(select(User).where(User.email_lookup == email.strip().lower())).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise AuthenticationFailed("wrong email or password") from None
    if user is None or not user.is_active:
        raise AuthenticationFailed("wrong email or password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=get_settings().session_hours),
            channel=channel,
        )
    )
    user.last_login_at = now
    session.add(user)
    return token, user


def authenticate(engine: Engine, token: str | None) -> Actor:
    """The signed-in actor for a session token, read on its own (on PostgreSQL outside
    any transaction: one statement, one round trip, no BEGIN or ROLLBACK). A pooled
    connection found dead is tried once more on a fresh one."""
    for attempt in (1, 2):
        try:
            with _single_reads(engine).connect() as connection:
                return _actor_for_token(connection, token)
        except sa_exc.OperationalError as exc:
            if attempt == 2 or not lost_connection(exc):
                raise
    raise AssertionError("unreachable")


@functools.lru_cache(maxsize=8)
def _single_reads(engine: Engine) -> Engine:
    """``engine`` for one-statement reads: autocommit on PostgreSQL (SQLite's own
    transaction handling stays as ``db`` set it)."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


SIGNED_IN = DriverStatement(
    sa.select(
        UserSession.expires_at,
        User.id,
        User.role,
        User.name,
        User.email,
        User.seller_id,
        User.is_active,
        Customer.id.label("customer_id"),
    )
    .join(User, User.id == UserSession.user_id)
    .outerjoin(Customer, Customer.user_id == User.id)
    .where(UserSession.token_hash == sa.bindparam("token_hash"))
)
"""A session row with its user and (for a customer) the profile: one statement."""


def actor_for_token(session: Session, token: str | None) -> Actor:
    """The signed-in actor for a session token; ``AuthenticationFailed`` if none."""
    return _actor_for_token(session.connection(), token)


def _actor_for_token(connection: sa.Connection, token: str | None) -> Actor:
    if not token:
        raise AuthenticationFailed("sign in first")
    return signed_in_actor(SIGNED_IN.first(connection, token_lookup(token)))


def token_lookup(token: str) -> dict[str, str]:
    """``SIGNED_IN``'s parameters for ``token``."""
    return {"token_hash": _token_hash(token)}


def signed_in_actor(row) -> Actor:
    """The actor of a ``SIGNED_IN`` row; ``AuthenticationFailed`` if none, expired or
    disabled."""
    if row is None or row.expires_at <= utcnow():
        raise AuthenticationFailed("your session has expired; sign in again")
    if not row.is_active:
        raise AuthenticationFailed("this account is disabled")
    return _actor(row, row.customer_id)


def actor_for_user(session: Session, user: User) -> Actor:
    customer_id = None
    if user.role == Role.CUSTOMER:
        customer_id = session.exec(select(Customer.id).where(Customer.user_id == user.id)).first()
    return _actor(user, customer_id)


def _actor(user, customer_id: str | None) -> Actor:
    """``user``: a ``User`` or a row with its columns (id, role, name, email, seller_id)."""
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        name=user.name,
        email=user.email,
        seller_id=user.seller_id,
        customer_id=customer_id if user.role == Role.CUSTOMER else None,
    )


@transactional
def sign_out(session: Session, token: str | None) -> None:
    if token:
        session.exec(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


@transactional
def purge_expired_sessions(session: Session) -> int:
    result = session.exec(delete(UserSession).where(UserSession.expires_at <= utcnow()))
    return result.rowcount or 0


@transactional
def create_user(
    session: Session,
    *,
    actor: Actor,
    email: str,
    password: str,
    name: str,
    role: str,
    seller_id: str | None = None,
) -> User:
    """An admin creates an account; a customer account gets its customer profile."""
    actor.require(Role.ADMIN)
    errors = validate_new_user(email=email, password=password, name=name, role=role)
    if role == Role.SELLER and not seller_id:
        errors.append({"field": "seller_id", "message": "a seller account needs seller_id"})
    if role != Role.SELLER and seller_id:
        errors.append({"field": "seller_id", "message": "only seller accounts belong to a seller"})
    if seller_id and role == Role.SELLER and session.get(Seller, seller_id) is None:
        errors.append({"field": "seller_id", "message": f"no seller {seller_id!r}"})
    if errors:
        raise ValidationFailed(errors)
    lookup = email.strip().lower()
    if session.exec(select(User.id).where(User.email_lookup == lookup)).first():
        raise Conflict(f"an account for {lookup} already exists", type="email-exists")
    user = User(
        id=new_id("usr"),
        email=email.strip(),
        email_lookup=lookup,
        name=name.strip(),
        role=role,
        seller_id=seller_id,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    if role == Role.CUSTOMER:
        session.add(Customer(id=new_id("cus"), user_id=user.id, name=user.name, email=user.email))
    record_audit(
        session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        after=snapshot(user),
    )
    return user


def validate_new_user(*, email: str, password: str, name: str, role: str) -> list[dict[str, str]]:
    errors = []
    if not EMAIL_RE.match(email.strip()):
        errors.append(
            {"field": "email", "message": "must be an email address like name@example.com"}
        )
    if len(password) < MIN_PASSWORD:
        errors.append(
            {"field": "password", "message": f"must be at least {MIN_PASSWORD} characters"}
        )
    if not name.strip():
        errors.append({"field": "name", "message": "must not be empty"})
    if role not in {r.value for r in Role}:
        errors.append(
            {"field": "role", "message": "must be one of customer, seller, support, admin"}
        )
    return errors
