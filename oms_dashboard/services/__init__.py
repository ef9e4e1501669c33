"""Use cases: the only code that opens transactions and checks who may act."""
