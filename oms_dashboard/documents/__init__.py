"""Printable documents: shipping labels, packing slips."""
