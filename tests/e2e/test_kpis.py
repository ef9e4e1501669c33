"""The KPI pages on the demo data: an admin reads the KPIs, changes the period and the
seller and the numbers follow, and they are the API's numbers for the same filters;
a seller sees their own only."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
from oms_dashboard.domain.kpis import DEFINITIONS, format_value
from oms_dashboard.models import Seller
from tests.e2e.helpers import assert_accessible, db, sign_in_and_land, user

pytestmark = pytest.mark.e2e


def _cards(page: Page) -> dict[str, str]:
    return {
        d.key.value: page.get_by_test_id(f"kpi-{d.key.value}")
        .get_by_test_id("kpi-value")
        .inner_text()
        for d in DEFINITIONS
    }


def _api(page: Page, base_url: str, role: str, **params) -> dict:
    token = page.request.post(
        f"{base_url}/api/v1/auth/token",
        data={"email": DEMO_LOGINS[role], "password": DEMO_PASSWORD},
    ).json()["access_token"]
    response = page.request.get(
        f"{base_url}/api/v1/kpis",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.ok, response.text()
    return response.json()


def _as_shown(body: dict) -> dict[str, str]:
    return {d.key.value: format_value(body[d.key.value], d.unit) for d in DEFINITIONS}


def _period(page: Page) -> dict[str, str]:
    return {"from": page.get_by_test_id("kpi-from").input_value(),
            "to": page.get_by_test_id("kpi-to").input_value()}  # fmt: skip


def _wait_for_period(page: Page, days: int) -> None:
    expect(page.get_by_test_id("kpi-period")).to_contain_text(f"({days} days, UTC)")


def test_admin_reads_kpis_and_filters_them(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    sign_in_and_land(page, "admin")
    page.get_by_role("link", name="KPIs").first.click()
    expect(page.get_by_test_id("kpi-cards").get_by_test_id("kpi-value")).to_have_count(6)
    _wait_for_period(page, 30)
    expect(page.get_by_test_id("kpi-sellers").get_by_test_id("table-row").first).to_be_visible()
    month = _cards(page)
    assert month == _as_shown(_api(page, base_url, "admin", **_period(page)))
    page.screenshot(path=screenshots / "kpis-admin.png", full_page=True)
    assert_accessible(page)

    page.get_by_test_id("kpi-preset-365").click()
    _wait_for_period(page, 365)
    year = _cards(page)
    assert year == _as_shown(_api(page, base_url, "admin", **_period(page)))
    assert year != month

    with db(database_url) as session:
        seller = session.get(Seller, user(session, "seller").seller_id)
    page.get_by_test_id("kpi-seller").click()
    page.get_by_role("option", name=seller.name).click()
    expect(page.get_by_test_id("kpi-sellers").get_by_test_id("table-row")).to_have_count(1)
    expect(page.get_by_test_id("kpi-sellers")).to_contain_text(seller.name)
    one_shop = _cards(page)
    assert one_shop == _as_shown(
        _api(page, base_url, "admin", seller_id=seller.id, **_period(page))
    )
    assert one_shop != year
    page.screenshot(path=screenshots / "kpis-admin-seller.png", full_page=True)


def test_seller_sees_only_their_own_kpis(page: Page, base_url: str, screenshots: Path) -> None:
    sign_in_and_land(page, "seller")
    page.get_by_role("link", name="KPIs").first.click()
    expect(page.get_by_test_id("kpi-cards").get_by_test_id("kpi-value")).to_have_count(6)
    _wait_for_period(page, 30)
    expect(page.get_by_test_id("kpi-seller")).to_have_count(0)
    expect(page.get_by_test_id("kpi-sellers")).to_have_count(0)
    own = _api(page, base_url, "seller", **_period(page))
    assert _cards(page) == _as_shown(own)
    assert own["seller_id"]
    everyone = _api(page, base_url, "admin", **_period(page))
    assert own["orders"] < everyone["orders"]
    expect(page.get_by_test_id("chart-revenue")).to_be_visible()
    page.screenshot(path=screenshots / "kpis-seller.png", full_page=True)
    assert_accessible(page)
