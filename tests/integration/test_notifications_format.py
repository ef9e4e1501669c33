"""How free text reads in messages (pure functions; no database needed)."""

from __future__ import annotations

from oms_dashboard.notifications.format import one_line


def test_user_text_cannot_break_an_email_header():
    assert one_line("Mug\r\nBcc: all@example.com") == "Mug Bcc: all@example.com"
    assert len(one_line("x" * 500)) == 300
