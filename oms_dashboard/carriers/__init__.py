"""Carriers behind one protocol (``base.Carrier``): FedEx, UPS, DHL Express and USPS
adapters speaking each carrier's published JSON, and a sandbox serving the same shapes.

Each adapter module exposes pure functions over the carrier's own response bodies
(``parse_tracking``, ``parse_rates``) and a status table mapping every published
code to ours, with the carrier's meaning kept.
"""
