"""How values read to a person, the same on pages, in emails and in the bell."""
