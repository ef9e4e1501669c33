"""What every HTTP carrier adapter shares: the lifetime of its httpx client, and the
parts of the ``Carrier`` protocol that are not built yet for any carrier."""

from __future__ import annotations

from typing import Any, Self

import httpx

from oms_dashboard.carriers.base import Customs, Label, Parcel, Party, TrackingUpdate


class HttpAdapter:
    name: str
    _http: httpx.Client

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # Labels, returns, webhooks and cancellation come with the ship flow (issue 12's
    # next slice): until then they say so rather than pretend.

    def create_label(
        self,
        *,
        shipper: Party,
        recipient: Party,
        parcel: Parcel,
        service: str,
        customs: Customs | None = None,
    ) -> Label:
        raise NotImplementedError(f"{self.name} labels: next slice")

    def create_return_label(
        self,
        *,
        shipper: Party,
        recipient: Party,
        parcel: Parcel,
        service: str,
        customs: Customs | None = None,
    ) -> Label:
        raise NotImplementedError(f"{self.name} return labels: next slice")

    def parse_webhook(self, body: dict[str, Any]) -> list[TrackingUpdate]:
        raise NotImplementedError(f"{self.name} tracking webhooks: next slice")

    def cancel_label(self, tracking_number: str) -> None:
        raise NotImplementedError(f"{self.name} label cancellation: next slice")
