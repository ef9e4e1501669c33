"""Payment providers behind one small protocol; a sandbox one is built in."""
