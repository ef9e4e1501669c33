"""Which order actions each role is offered, by status and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from oms_dashboard.domain.actions import allowed_actions

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def actions(role, status, minutes_ago=10):
    return allowed_actions(
        role=role,
        status=status,
        placed_at=NOW - timedelta(minutes=minutes_ago),
        now=NOW,
        cancellation_window_minutes=60,
    )


def test_customer_cancels_in_window_and_requests_after():
    assert "cancel" in actions("customer", "processing", minutes_ago=30)
    late = actions("customer", "processing", minutes_ago=90)
    assert "request_cancellation" in late and "cancel" not in late


def test_customer_cannot_cancel_once_shipped_and_may_return_after_delivery():
    shipped = actions("customer", "shipped")
    assert "cancel" not in shipped and "request_cancellation" not in shipped
    assert {"request_return", "request_refund", "review"} <= set(actions("customer", "delivered"))


def test_seller_ships_only_processing_orders():
    assert "ship" in actions("seller", "processing")
    assert "ship" not in actions("seller", "pending_payment")
    assert "ship" not in actions("seller", "shipped")


def test_admin_override_cancel_until_delivered():
    assert "cancel" in actions("admin", "in_transit", minutes_ago=5000)
    assert "cancel" not in actions("admin", "delivered")
