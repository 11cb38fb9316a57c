"""Talks: the records of talks held (SPEC §4); their content never leaves this service."""
