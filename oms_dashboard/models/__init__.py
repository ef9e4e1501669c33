"""Every table, imported here so one metadata holds them all."""

from sqlmodel import SQLModel

from oms_dashboard.models.base import needs_pg_trgm
from oms_dashboard.models.carriers import CarrierAccount
from oms_dashboard.models.catalog import Inventory, Product
from oms_dashboard.models.identity import Address, Customer, Seller, User, UserSession
from oms_dashboard.models.kpi_rollups import (
    KpiDailyCarriers,
    KpiDailyFacts,
    KpiDailyRefundReasons,
    KpiDailyTickets,
    KpiRollupDay,
    KpiStaleDay,
)
from oms_dashboard.models.operations import CronRun, MaintenanceWindow
from oms_dashboard.models.orders import (
    Checkout,
    Order,
    OrderCharge,
    OrderEvent,
    OrderLine,
    PaymentEvent,
    Shipment,
    ShipmentLabel,
    ShipmentScan,
)
from oms_dashboard.models.push import PushMessage, PushSubscription
from oms_dashboard.models.sandbox import (
    SandboxCharge,
    SandboxPayment,
    SandboxRefund,
    SandboxScan,
    SandboxShipment,
)
from oms_dashboard.models.service import (
    CancellationRequest,
    Dispute,
    OrderMessage,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    ReturnPhoto,
    Review,
    Ticket,
    TicketMessage,
)
from oms_dashboard.models.system import (
    AuditChainHead,
    AuditCheckpoint,
    AuditEntry,
    EmailMessage,
    Notification,
    OrderPolicy,
    OutboxMessage,
)

metadata = SQLModel.metadata
needs_pg_trgm(metadata)

__all__ = [
    "Address",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEntry",
    "CancellationRequest",
    "CarrierAccount",
    "Checkout",
    "CronRun",
    "Customer",
    "Dispute",
    "EmailMessage",
    "Inventory",
    "KpiDailyCarriers",
    "KpiDailyFacts",
    "KpiDailyRefundReasons",
    "KpiDailyTickets",
    "KpiRollupDay",
    "KpiStaleDay",
    "MaintenanceWindow",
    "Notification",
    "Order",
    "OrderCharge",
    "OrderEvent",
    "OrderLine",
    "OrderMessage",
    "OrderPolicy",
    "OutboxMessage",
    "PaymentEvent",
    "Product",
    "PushMessage",
    "PushSubscription",
    "Refund",
    "RefundLine",
    "Return",
    "ReturnLine",
    "ReturnPhoto",
    "Review",
    "SandboxCharge",
    "SandboxPayment",
    "SandboxRefund",
    "SandboxScan",
    "SandboxShipment",
    "Seller",
    "Shipment",
    "ShipmentLabel",
    "ShipmentScan",
    "Ticket",
    "TicketMessage",
    "User",
    "UserSession",
    "metadata",
]
