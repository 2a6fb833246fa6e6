"""Typed entities of the peacekeeping system. No I/O here."""
