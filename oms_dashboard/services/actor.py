"""Who is acting: the signed-in person, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from oms_dashboard.services.errors import Forbidden


class Role(StrEnum):
    CUSTOMER = "customer"
    SELLER = "seller"
    SUPPORT = "support"
    ADMIN = "admin"


STAFF = frozenset({Role.SUPPORT, Role.ADMIN})


@dataclass(frozen=True)
class Actor:
    user_id: str | None
    role: Role
    name: str
    email: str = ""
    seller_id: str | None = None
    customer_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role.value})"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"this needs the role {allowed}; you are {self.role.value}")

    def require_seller_access(self, seller_id: str) -> None:
        """Admins act for any seller; a seller's staff only for their own."""
        if self.role is Role.ADMIN:
            return
        if self.role is Role.SELLER and self.seller_id == seller_id:
            return
        raise Forbidden("you may only act for your own seller")


SYSTEM = Actor(user_id=None, role=Role.ADMIN, name="OMS")
