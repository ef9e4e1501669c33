"""Steps every browser test takes: sign in as a demo role, read the database it sees."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, expect
from sqlmodel import Session, func, select

from oms_dashboard.db import get_engine
from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
from oms_dashboard.models import Order, User

HOME = {
    "customer": "/orders",
    "seller": "/seller/orders",
    "support": "/support/orders",
    "admin": "/admin",
}


def at(path: str) -> re.Pattern[str]:
    """The page URL for ``path``; the production server may add a trailing slash."""
    return re.compile(re.escape(path) + r"/?(\?.*)?$")


def sign_in(page: Page, role: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()  # connected
    page.get_by_label("Email address").fill(DEMO_LOGINS[role])
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in_and_land(page: Page, role: str) -> None:
    sign_in(page, role)
    expect(page).to_have_url(at(HOME[role]))
    expect(page.get_by_test_id("user-name")).not_to_be_empty()


def rows(page: Page):
    return page.get_by_test_id("table-row")


@contextmanager
def db(database_url: str) -> Iterator[Session]:
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        yield session


def user(session: Session, role: str) -> User:
    return session.exec(select(User).where(User.email_lookup == DEMO_LOGINS[role])).one()


def count_orders(session: Session, *conditions) -> int:
    return session.exec(select(func.count()).select_from(Order).where(*conditions)).one()
