"""Email and in-app notifications, delivered by the outbox.

``handlers.HANDLERS`` maps message kinds to the functions that deliver them;
``oms_dashboard.bootstrap`` wires them into each process. Nothing registers
itself on import.
"""
