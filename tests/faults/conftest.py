"""The fault suite: the running system (tests/system.py) under one fault at a time; a summary line
per fault kind at the end of the run."""

import pytest

SUMMARY: list[str] = []


@pytest.fixture
def summary() -> list[str]:
    return SUMMARY


def pytest_terminal_summary(terminalreporter) -> None:
    if SUMMARY:
        terminalreporter.section("faults: what each one cost")
        for line in SUMMARY:
            terminalreporter.write_line(line)
