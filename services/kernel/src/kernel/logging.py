"""structlog configured once: JSON lines off a terminal, readable on one.

Every line carries what is bound in the context: the service, and while an event or request
is handled its `event_id`, `correlation_id` and `trace_id` (kernel.tracing), so a person can follow
one talk or one sanction through all four services with a grep.
"""

import logging
import sys

import structlog

from kernel.tracing import log_trace_ids


class _LineWriter:
    """Writes each rendered line to stderr as it is then (a test's capture may have replaced it since
    the logger was made), and knows the name it was asked for by (`get_logger`), which
    `add_logger_name` reads as from a standard library logger."""

    def __init__(self, name: str | None = None):
        self.name = name or ""

    def msg(self, message: str) -> None:
        stream = sys.stderr
        try:
            stream.write(message + "\n")
            stream.flush()
        except (OSError, ValueError):  # a full disk, a closed pipe or stream: as the standard library's handlers, never raise from a log line
            pass

    debug = info = warning = error = critical = msg


def configure_logging(service: str, level: str = "info", fmt: str = "auto") -> None:
    json_lines = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        log_trace_ids,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False) if json_lines else structlog.dev.ConsoleRenderer()
    threshold = logging.getLevelNamesMapping()[level.upper()]
    # Our own lines are rendered and written by structlog itself, not handed to the standard library's
    # logging as records: at 1,500 sanctions a second the line per obligation transition (compliance)
    # and per alert (notify) took a tenth of those services' CPU that way, over twice what it takes now.
    # A line below the level costs one method call (the filtering logger's level methods do nothing).
    structlog.configure(
        processors=[*shared, *([structlog.processors.format_exc_info] if json_lines else []), renderer],
        logger_factory=_LineWriter,
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        cache_logger_on_first_use=True,
    )
    # What libraries log goes through the standard library, rendered the same way.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(threshold)
    # Libraries speak at warning level; our own code says what happens.
    for noisy in ("aiokafka", "faststream", "uvicorn.access", "sqlalchemy", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    return structlog.get_logger(name)
