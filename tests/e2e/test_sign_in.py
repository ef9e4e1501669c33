"""Signing in and out, and what happens when a session ends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import update

from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
from oms_dashboard.models import UserSession
from oms_dashboard.models.base import utcnow
from tests.e2e.helpers import HOME, assert_accessible, at, db, sign_in, sign_in_and_land, user

pytestmark = pytest.mark.e2e


def test_wrong_password_shows_an_error_next_to_the_form(page: Page) -> None:
    sign_in(page, "customer", password="not-the-password")

    error = page.get_by_test_id("login-error")
    expect(error).to_contain_text("don't match an account")
    expect(page).to_have_url(at("/login"))
    expect(page.get_by_label("Email address")).to_have_value("customer@oms.demo")
    assert_accessible(page)  # the sign-in page, with its error showing


def test_without_a_session_every_page_sends_you_to_login(page: Page) -> None:
    for path in ("/", "/orders", "/admin", "/orders/ord_anything"):
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/login(\?|$)"))
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_root_sends_a_signed_in_person_home(page: Page) -> None:
    sign_in_and_land(page, "seller")
    page.goto("/")
    expect(page).to_have_url(at(HOME["seller"]))


def test_sign_out_returns_to_login_and_ends_the_session(page: Page) -> None:
    sign_in_and_land(page, "customer")

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert_accessible(page)
    page.goto("/orders")
    expect(page).to_have_url(re.compile(r"/login"))


def test_an_expired_session_goes_back_to_login_with_a_message(
    page: Page, database_url: str
) -> None:
    sign_in_and_land(page, "support")
    with db(database_url) as session:
        session.exec(
            update(UserSession)
            .where(UserSession.user_id == user(session, "support").id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        session.commit()

    page.goto("/support/orders")

    expect(page).to_have_url(re.compile(r"/login\?reason=expired"))
    expect(page.get_by_text("Your session has expired")).to_be_visible()
    assert_accessible(page)
    # Signing in again brings the person back where they were going.
    page.get_by_label("Email address").fill(DEMO_LOGINS["support"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(at("/support/orders"))
