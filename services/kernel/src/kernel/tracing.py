"""Traces an operator can follow: one trace from the HTTP accept through every consumer.

The W3C trace context travels with each event twice: inside it, as the CloudEvents distributed-
tracing extension (`traceparent`, `tracestate`), so it survives the outbox row and any replay of the
log; and beside it, as the Kafka record's `traceparent` header, where Kafka tooling looks. Where a
span is open:
- the HTTP edge (FastAPI's instrumentation continues a caller's `traceparent` header);
- each event a consumer applies: a span per event, child of the event's context (`applying`);
- each periodic work's run (`span`).
An event staged without a context of its own gets the span of the event that caused it, or else
the current span (`stamp`), so what compliance publishes about a sanction continues the sanction's
trace into notify.

Spans are exported by OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`) is set, the
SDK's other `OTEL_*` variables apply (sampler, batch delay). Without an endpoint nothing is
recorded, but ids are still made and carried, so log lines (`trace_id`) can be followed across the
services with a grep.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("talk-compliance")
# While a consumer applies a batch: the span each event was applied in, by event id, so that what
# the batch stages continues each cause's trace (`stamp`).
_applied: ContextVar[dict[str, SpanContext] | None] = ContextVar("applied_spans", default=None)
# Set where nothing is exported: a span per event is then only ids, made here without the SDK's
# span machinery: 12.5 µs an event instead of 24.8 (timeit, this machine), ~3 % of a replay's CPU.
_ids_only: RandomIdGenerator | None = None


def configure_tracing(service: str) -> None:
    """The process's tracer provider (once per process: the SDK refuses a second)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    resource = Resource.create({"service.name": service, "service.namespace": "talk-compliance"})
    if exporting():
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=resource)  # sampler from OTEL_TRACES_SAMPLER (parent-based, always on)
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider = TracerProvider(resource=resource, sampler=ALWAYS_OFF)  # ids without recording
        global _ids_only
        _ids_only = RandomIdGenerator()
    trace.set_tracer_provider(provider)


def exporting() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def instrument_http(app) -> None:
    """A server span per request, continuing the caller's `traceparent` (not for the probes, the
    metrics or the pages' long-lived event streams)."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics,stream", exclude_spans=["receive", "send"])


def traceparent_of(span_context: SpanContext) -> str | None:
    if not span_context.is_valid:
        return None
    return f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-{int(span_context.trace_flags):02x}"


def current_traceparent() -> str | None:
    return traceparent_of(trace.get_current_span().get_span_context())


def _context_of(traceparent: str | None, tracestate: str | None = None) -> otel_context.Context | None:
    if not traceparent:
        return None
    carrier = {"traceparent": traceparent} | ({"tracestate": tracestate} if tracestate else {})
    return _PROPAGATOR.extract(carrier)


def stamp(traceparent: str | None, causationid: str | None) -> str | None:
    """The context an event being staged carries: its own, or its cause's span, or the current one."""
    if traceparent:
        return traceparent
    applied = _applied.get()
    if applied is not None and causationid in applied:
        return traceparent_of(applied[causationid])
    return current_traceparent()


@contextmanager
def batch() -> Iterator[None]:
    """Around a consumer's batch transaction: `applying` records its spans for `stamp`."""
    token = _applied.set({})
    try:
        yield
    finally:
        _applied.reset(token)


@contextmanager
def applying(consumer: str, event_id: str, event_type: str, traceparent: str | None, tracestate: str | None) -> Iterator[Span]:
    """The span an event is applied in, child of the event's own context."""
    with _event_span(consumer, event_id, event_type, traceparent, tracestate) as span:
        applied = _applied.get()
        if applied is not None:
            applied[event_id] = span.get_span_context()
        yield span


def _event_span(consumer: str, event_id: str, event_type: str, traceparent: str | None, tracestate: str | None):
    """A context manager: the event's span, current (and, when recorded, ended) around the caller's `with`."""
    if _ids_only is not None:  # what the SDK makes under ALWAYS_OFF: the parent's trace, a span id of its own
        parent = trace.get_current_span(_context_of(traceparent, tracestate)).get_span_context()
        trace_id = parent.trace_id if parent.is_valid else _ids_only.generate_trace_id()
        unrecorded = NonRecordingSpan(SpanContext(trace_id, _ids_only.generate_span_id(), False, TraceFlags(0), parent.trace_state))
        return trace.use_span(unrecorded, end_on_exit=False)
    return _tracer.start_as_current_span(
        f"{consumer} apply {event_type}",
        context=_context_of(traceparent, tracestate),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.consumer.group.name": consumer,
            "messaging.message.id": event_id,
            "cloudevents.event_id": event_id,
            "cloudevents.event_type": event_type,
        },
    )


@contextmanager
def resumed(event_id: str | None) -> Iterator[None]:
    """The span an event of this batch was applied in, current again: for the work a batch does
    for each cause after all its events are applied (its log lines then name the cause's trace)."""
    applied = _applied.get()
    found = applied.get(event_id) if applied is not None and event_id is not None else None
    if found is None:
        yield
        return
    with trace.use_span(trace.NonRecordingSpan(found), end_on_exit=False):
        yield


@contextmanager
def span(name: str, traceparent: str | None = None, **attributes) -> Iterator[Span]:
    """A span of our own work, continuing a stored context (notify's send of a delivery row)."""
    with _tracer.start_as_current_span(name, context=_context_of(traceparent), attributes=attributes) as opened:
        yield opened


@contextmanager
def spans(name: str, traceparents: list[str | None]) -> Iterator[list[Span]]:
    """A span for each of many items written together, each in its own trace: all end when the
    shared write does."""
    opened = [_tracer.start_span(name, context=_context_of(traceparent)) for traceparent in traceparents]
    try:
        yield opened
    finally:
        for each in opened:
            each.end()


def ids_of(span: Span) -> dict[str, str]:
    """The ids a log line names a span by (none for no span)."""
    context = span.get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": f"{context.trace_id:032x}", "span_id": f"{context.span_id:016x}"}


def log_trace_ids(logger, method_name: str, event_dict: dict) -> dict:
    """structlog processor: the current span's ids on every line (unless the line names its own)."""
    if "trace_id" not in event_dict:
        event_dict.update(ids_of(trace.get_current_span()))
    return event_dict
