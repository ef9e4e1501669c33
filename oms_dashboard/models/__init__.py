"""Every table, imported here so one metadata holds them all."""

from sqlmodel import SQLModel

from oms_dashboard.models.carriers import CarrierAccount
from oms_dashboard.models.catalog import Inventory, Product
from oms_dashboard.models.identity import Address, Customer, Seller, User, UserSession
from oms_dashboard.models.orders import (
    Checkout,
    Order,
    OrderEvent,
    OrderLine,
    PaymentEvent,
    Shipment,
    ShipmentLabel,
    ShipmentScan,
)
from oms_dashboard.models.push import PushMessage, PushSubscription
from oms_dashboard.models.sandbox import SandboxPayment, SandboxScan, SandboxShipment
from oms_dashboard.models.system import (
    AuditEntry,
    EmailMessage,
    Notification,
    OrderPolicy,
    OutboxMessage,
)

metadata = SQLModel.metadata

__all__ = [
    "Address",
    "AuditEntry",
    "CarrierAccount",
    "Checkout",
    "Customer",
    "EmailMessage",
    "Inventory",
    "Notification",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderPolicy",
    "OutboxMessage",
    "PaymentEvent",
    "Product",
    "PushMessage",
    "PushSubscription",
    "SandboxPayment",
    "SandboxScan",
    "SandboxShipment",
    "Seller",
    "Shipment",
    "ShipmentLabel",
    "ShipmentScan",
    "User",
    "UserSession",
    "metadata",
]
