"""Business rules in plain Python: no SQL, no HTTP, no Reflex."""
