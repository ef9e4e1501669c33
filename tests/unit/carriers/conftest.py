import pytest

from oms_dashboard.carriers import adapter


@pytest.fixture(autouse=True)
def no_retry_pauses(monkeypatch):
    """Carrier calls are still tried again in these tests, without the waits between."""
    monkeypatch.setattr(adapter, "RETRY_PAUSES", (0.0, 0.0))
