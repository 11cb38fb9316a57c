"""End-to-end: the four services as real processes on the real broker and the real database
(tests/system.py starts them, for the fault suite too)."""

from tests.e2e.browser import browser, page  # noqa: F401  (fixtures of the page tests)
from tests.system import AUDITOR, CONTENT_KEY, DISCIPLINE_TOKEN, LOGS, System, logs_of, post_events, record_talk  # noqa: F401
