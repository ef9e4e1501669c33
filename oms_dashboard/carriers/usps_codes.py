"""USPS tracking codes mapped to our statuses, the carrier's wording kept.

``STATUSES`` holds the scan-event codes a Tracking 3.0 ``trackingEvents[].eventCode``
carries. USPS publishes them in Pub 199 Appendix G-4 ("USPS Domestic Tracking Scan
Events", postalpro.usps.com/pub199), which the Tracking OpenAPI points to. That PDF
was not reachable from here, so the rows are the published codes as transcribed by
USPS Web Tools clients (the Track/Confirm code list of Pub 97/Web Tools) plus the
codes seen in recorded Tracking 3.0 answers; ``tests/fixtures/carriers/usps/SOURCES.md``
names each source. A code missing here maps to no status instead of a guess.

``STATUS_CATEGORIES`` holds the package-level ``statusCategory`` values, used when the
newest scan's code says nothing about where the package is.
"""

from __future__ import annotations

from .base import ShipmentStatus, StatusCode, status_table

_S = ShipmentStatus

STATUSES = status_table(
    # Electronic notice, label and acceptance: the seller has handed it over.
    StatusCode("MA", _S.SHIPPED, "Manifest Acknowledgement (Pre-Shipment Info Sent to USPS)"),
    StatusCode("GX", _S.SHIPPED, "Shipping Label Created, USPS Awaiting Item"),
    StatusCode("89", _S.SHIPPED, "Merchant Order Receipt Notification, USPS Awaiting Item"),
    StatusCode("80", _S.SHIPPED, "Picked Up by Shipping Partner, USPS Awaiting Item"),
    StatusCode("83", _S.SHIPPED, "Tendered to Postal Service"),
    StatusCode("03", _S.SHIPPED, "Accept or Pickup (USPS in possession of item)"),
    StatusCode("OA", _S.SHIPPED, "Origin Acceptance"),
    StatusCode("UA", _S.SHIPPED, "Accepted at USPS Facility"),
    StatusCode("AD", _S.SHIPPED, "Acceptance at Destination"),
    StatusCode("TM", _S.SHIPPED, "Shipment Received, Package Acceptance Pending"),
    StatusCode("PA", _S.SHIPPED, "Passive Acceptance (Shipment Acceptance)"),
    # Moving through the network.
    StatusCode("81", _S.IN_TRANSIT, "Arrived Shipping Partner Facility, USPS Awaiting Item"),
    StatusCode("82", _S.IN_TRANSIT, "Departed Shipping Partner Facility, USPS Awaiting Item"),
    StatusCode("42", _S.IN_TRANSIT, "USPS Handoff to Shipping Partner"),
    StatusCode("10", _S.IN_TRANSIT, "Processed (Arrived at USPS Regional Facility)"),
    StatusCode("A1", _S.IN_TRANSIT, "Arrived at USPS Facility"),
    StatusCode("T1", _S.IN_TRANSIT, "Departed USPS Facility"),
    StatusCode("TL", _S.IN_TRANSIT, "In Transit to Next Facility"),
    StatusCode("EF", _S.IN_TRANSIT, "Departed Sort Facility"),
    StatusCode("SF", _S.IN_TRANSIT, "Departed Post Office"),
    StatusCode("19", _S.IN_TRANSIT, "DC eVS Arrive"),
    StatusCode("41", _S.IN_TRANSIT, "Received at Opening Unit"),
    StatusCode("06", _S.IN_TRANSIT, "Forwarded"),
    StatusCode("07", _S.IN_TRANSIT, "Arrival at Unit (Arrived at Post Office)"),
    StatusCode("08", _S.IN_TRANSIT, "Missent"),
    StatusCode("15", _S.IN_TRANSIT, "Mis-shipped"),
    StatusCode("PC", _S.IN_TRANSIT, "Sorting / Processing Complete"),
    StatusCode("71", _S.IN_TRANSIT, "Rescheduled to Next Delivery Day"),
    StatusCode("OF", _S.OUT_FOR_DELIVERY, "Out for Delivery"),
    StatusCode("01", _S.DELIVERED, "Delivered"),
    StatusCode("17", _S.DELIVERED, "Picked Up By Agent"),
    StatusCode("43", _S.DELIVERED, "Picked Up"),
    # Attempted: a notice was left (USPS's "Attempted / Notice Left" subset).
    StatusCode("02", _S.DELIVERY_EXCEPTION, "Attempted / Notice Left"),
    StatusCode("51", _S.DELIVERY_EXCEPTION, "Business Closed"),
    StatusCode("52", _S.DELIVERY_EXCEPTION, "Notice Left"),
    StatusCode("53", _S.DELIVERY_EXCEPTION, "Receptacle Blocked"),
    StatusCode("54", _S.DELIVERY_EXCEPTION, "Receptacle Full / Item Oversized"),
    StatusCode("55", _S.DELIVERY_EXCEPTION, "No Secure Location Available"),
    StatusCode("56", _S.DELIVERY_EXCEPTION, "No Authorized Recipient Available"),
    StatusCode("30", _S.DELIVERY_EXCEPTION, "Delivery Attempted - No Access to Delivery Location"),
    StatusCode("04", _S.DELIVERY_EXCEPTION, "Refused"),
    StatusCode("05", _S.DELIVERY_EXCEPTION, "Undeliverable as Addressed"),
    # Return to sender and its reasons.
    StatusCode("09", _S.DELIVERY_EXCEPTION, "Return to Sender"),
    StatusCode("21", _S.DELIVERY_EXCEPTION, "No Such Number"),
    StatusCode("22", _S.DELIVERY_EXCEPTION, "Insufficient Address"),
    StatusCode("23", _S.DELIVERY_EXCEPTION, "Moved, Left No Address"),
    StatusCode("24", _S.DELIVERY_EXCEPTION, "Forward Expired"),
    StatusCode("25", _S.DELIVERY_EXCEPTION, "Addressee Unknown"),
    StatusCode("26", _S.DELIVERY_EXCEPTION, "Vacant"),
    StatusCode("27", _S.DELIVERY_EXCEPTION, "Unclaimed"),
    StatusCode("28", _S.DELIVERY_EXCEPTION, "Deceased"),
    StatusCode("29", _S.DELIVERY_EXCEPTION, "Other"),
    StatusCode("31", _S.DELIVERY_EXCEPTION, "Not Picked Up"),
    StatusCode("11", _S.DELIVERY_EXCEPTION, "Dead Letter"),
    StatusCode("44", _S.DELIVERY_EXCEPTION, "Customer Recall"),
    # Held for the customer to collect: it will not arrive unless someone acts.
    StatusCode("14", _S.DELIVERY_EXCEPTION, "Arrival at Pickup Point"),
    StatusCode("16", _S.DELIVERY_EXCEPTION, "Available for Pickup"),
    # Say nothing about where the package is.
    StatusCode("DX", None, "Delivery Status Not Updated"),
    StatusCode("GC", None, "Return Receipt Associated"),
)

STATUS_CATEGORIES = status_table(
    StatusCode("Pre-Shipment", _S.SHIPPED, "Pre-Shipment"),
    StatusCode("Accepted", _S.SHIPPED, "Accepted"),
    StatusCode("In Transit", _S.IN_TRANSIT, "In Transit"),
    StatusCode("Moving Through Network", _S.IN_TRANSIT, "Moving Through Network"),
    StatusCode("Out for Delivery", _S.OUT_FOR_DELIVERY, "Out for Delivery"),
    StatusCode("Delivered", _S.DELIVERED, "Delivered"),
    StatusCode("Delivery Attempt", _S.DELIVERY_EXCEPTION, "Delivery Attempt"),
    StatusCode("Available for Pickup", _S.DELIVERY_EXCEPTION, "Available for Pickup"),
    StatusCode("Alert", _S.DELIVERY_EXCEPTION, "Alert"),
)
