"""Demo data for a living-looking mall: sellers, products, customers, orders."""

DEMO_PASSWORD = "demo-pass-2026"

# One login per role, printed by `make run` and used by the browser tests.
DEMO_LOGINS: dict[str, str] = {
    "admin": "admin@oms.demo",
    "support": "support@oms.demo",
    "seller": "seller@oms.demo",
    "customer": "customer@oms.demo",
}
