"""Real peers for the notify tests: an SMTP server (aiosmtpd) and an HTTP receiver."""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from devstack.ports import free_port


class SmtpServer:
    """An SMTP server on loopback that keeps what it receives; can be stopped and started again."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[dict] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"to": envelope.rcpt_tos, "data": envelope.content.decode("utf-8", "replace")})
        return "250 OK"

    def start(self) -> "SmtpServer":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None


class _LoopbackServer:
    """An HTTP server on loopback, in a thread, answering POSTs with `answer(body, headers)`; can be
    stopped (its port closed: connections refused) and started again on the same port."""

    def __init__(self):
        self.port = free_port()
        self._server: ThreadingHTTPServer | None = None

    def answer(self, body: bytes, headers: dict) -> tuple[bytes, str]:
        """What a POST is answered with (200): body and content type."""
        raise NotImplementedError

    def start(self):
        answer = self.answer

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                reply, content_type = answer(self.rfile.read(int(self.headers.get("content-length", 0))), dict(self.headers))
                self.send_response(200)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class HttpReceiver(_LoopbackServer):
    """A webhook receiver: keeps every POST (headers and body) and answers 200."""

    def __init__(self):
        super().__init__()
        self.requests: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answer(self, body: bytes, headers: dict) -> tuple[bytes, str]:
        self.requests.append({"headers": headers, "body": body, "json": json.loads(body)})
        return b"", "text/plain"


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    kind: int  # opentelemetry.proto's SpanKind: 2 server, 5 consumer
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict


class OtlpReceiver(_LoopbackServer):
    """What an OpenTelemetry Collector's OTLP/HTTP receiver is to the services: it takes their span
    exports (`POST /v1/traces`, protobuf) and keeps every span."""

    def __init__(self):
        super().__init__()
        self.spans: list[ReceivedSpan] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, body: bytes, headers: dict) -> tuple[bytes, str]:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse

        for resource in ExportTraceServiceRequest.FromString(body).resource_spans:
            service = next(a.value.string_value for a in resource.resource.attributes if a.key == "service.name")
            for scope in resource.scope_spans:
                self.spans.extend(
                    ReceivedSpan(
                        service, s.name, s.kind, s.trace_id.hex(), s.span_id.hex(), s.parent_span_id.hex(),
                        {a.key: a.value.string_value for a in s.attributes},
                    )  # fmt: skip
                    for s in scope.spans
                )
        return ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf"

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        return [s for s in list(self.spans) if s.trace_id == trace_id]
