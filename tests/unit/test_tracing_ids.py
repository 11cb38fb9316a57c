"""Where nothing is exported, a consumer's span per event is ids only (kernel.tracing.applying's fast
path): it must carry what the SDK's unrecorded span carries, so that log lines and what a batch
stages still continue each event's trace."""

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

from kernel import tracing

TRACE, PARENT = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"


@pytest.fixture
def ids_only(monkeypatch):
    monkeypatch.setattr(tracing, "_ids_only", RandomIdGenerator())


def test_an_event_with_a_context_is_applied_in_a_child_of_it(ids_only):
    with tracing.batch():
        with tracing.applying("compliance", "e1", "discipline.action_recorded.v1", f"00-{TRACE}-{PARENT}-01", None) as span:
            applied = span.get_span_context()
            assert trace.get_current_span().get_span_context() == applied  # current: log lines name it
            assert f"{applied.trace_id:032x}" == TRACE and f"{applied.span_id:016x}" != PARENT
            assert not span.is_recording()
        # What the batch stages for that event afterwards continues its span.
        assert tracing.stamp(None, "e1") == f"00-{TRACE}-{applied.span_id:016x}-00"
    assert trace.get_current_span().get_span_context() != applied


def test_an_event_without_a_context_starts_a_trace_of_its_own(ids_only):
    with tracing.applying("compliance", "e1", "t", None, None) as first:
        pass
    with tracing.applying("compliance", "e2", "t", None, None) as second:
        pass
    assert first.get_span_context().is_valid and second.get_span_context().is_valid
    assert first.get_span_context().trace_id != second.get_span_context().trace_id
