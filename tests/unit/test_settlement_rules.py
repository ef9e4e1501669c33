"""Statement arithmetic to the cent: commission per order, rounded half-up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oms_dashboard.domain.settlement import build_statement, commission_minor

AT = datetime(2026, 11, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("total", "bps", "commission"),
    [
        (10_000, 1000, 1_000),  # 10 % of 100.00
        (1_005, 1000, 101),  # 100.5 cents rounds half-up to 101
        (1_004, 1000, 100),  # 100.4 cents rounds down
        (1_015, 1250, 127),  # 126.875 -> 127
        (1, 5000, 1),  # half a cent rounds up
        (1, 4999, 0),
        (0, 1000, 0),
        (123_456, 0, 0),
        (123_456, 10_000, 123_456),
    ],
)
def test_commission_is_rounded_half_up_to_the_minor_unit(total, bps, commission) -> None:
    assert commission_minor(total, bps) == commission


def test_commission_refuses_a_negative_total_or_a_rate_out_of_range() -> None:
    for total, bps in ((-1, 1000), (100, -1), (100, 10_001)):
        with pytest.raises(ValueError):
            commission_minor(total, bps)


def test_commission_per_order_differs_from_commission_on_the_total() -> None:
    """Three 10.05 orders at 10 %: 1.01 each (3.03), not 10 % of 30.15 (3.02)."""
    st = build_statement(
        commission_bps=1000,
        delivered=[(f"o{i}", f"N{i}", AT, "USD", 1_005) for i in range(3)],
        refunds=[],
    )
    (usd,) = st.totals
    assert (usd.sales_minor, usd.commission_minor, usd.due_minor) == (3_015, 303, 2_712)


def test_refunds_are_deducted_per_currency_and_the_due_may_be_negative() -> None:
    st = build_statement(
        commission_bps=1000,
        delivered=[("o1", "N1", AT, "USD", 5_000), ("o2", "N2", AT, "EUR", 2_000)],
        refunds=[("r1", "o9", "N9", AT, "EUR", 2_500), ("r2", "o1", "N1", AT, "USD", 1_000)],
    )
    eur, usd = st.totals
    assert (eur.currency, eur.sales_minor, eur.commission_minor, eur.refunds_minor) == (
        "EUR",
        2_000,
        200,
        2_500,
    )
    assert eur.due_minor == -700
    assert (usd.currency, usd.due_minor) == ("USD", 5_000 - 500 - 1_000)
    assert [s.net_minor for s in st.sales] == [4_500, 1_800]
