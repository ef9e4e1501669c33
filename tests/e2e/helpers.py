"""Steps every browser test takes: sign in as a demo role, read the database it sees."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
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


# Installed by `make setup` from the npm registry (the Makefile pins the version).
AXE_JS = Path(__file__).resolve().parents[2] / ".tools/node_modules/axe-core/axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


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


def assert_accessible(page: Page) -> None:
    """axe-core finds nothing serious or critical on the page as it shows now.

    Call it once the page shows what the test is about: axe checks the DOM
    of that moment, so a skeleton still loading would be all it sees.
    """
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make setup`")
    # A toast or dialog still fading in has its text at a fraction of its opacity,
    # which axe reads as low contrast: let running animations finish first.
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect?.getComputedTiming().iterations === Infinity)",
        timeout=5_000,
    )
    # A navigation drops the script; inject it again on each new document.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    # iframes: false: the app's one frame is the sandboxed email preview, where no
    # script runs, so axe could not report from it (it would wait, then time out).
    results = page.evaluate("axe.run(document, {iframes: false, resultTypes: ['violations']})")
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, _describe_violations(page.url, blocking)


def _describe_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core: {len(violations)} serious or critical violation(s) on {url}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            # target is a list of selectors, one per nested frame or shadow root.
            lines.append(f"    {' >> '.join(map(str, node['target']))}  {node['html'][:160]}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", " ")
                lines.append(f"      {summary}")
    return "\n".join(lines)


def webhook_secret(app_env: dict[str, str]) -> str:
    """The served app's payment-event secret, as its CLI tells it."""
    import subprocess
    import sys

    from oms_dashboard.settings import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "oms_dashboard", "webhook-secret"],
        cwd=ROOT,
        env=app_env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def pay_like_the_storefront(base_url: str, placed: dict, app_env: dict[str, str]):
    """The customer authorizes at the sandbox provider, the payment system posts its
    signed event; returns the app's answer to the event."""
    import httpx

    from oms_dashboard.payments.signing import signed_event

    httpx.post(
        f"{base_url}/sandbox/payments/authorizations",
        json={
            "checkout_id": placed["checkout_id"],
            "amount": placed["total"],
            "currency": placed["currency"],
            "outcome": "authorized",
        },
    ).raise_for_status()
    body, headers = signed_event(
        checkout_id=placed["checkout_id"],
        type="payment.authorized",
        amount=placed["total"],
        currency=placed["currency"],
        secret=webhook_secret(app_env),
    )
    answer = httpx.post(f"{base_url}/api/v1/payments/events", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer
