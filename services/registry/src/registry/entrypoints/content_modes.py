"""The CloudEvents HTTP binding's three content modes, read into the items `intake.validate` checks.

- structured: `application/cloudevents+json`, the whole event as the JSON body;
- batched: `application/cloudevents-batch+json`, a JSON array of structured events;
- binary: the attributes in `ce-*` headers (percent-encoded), the data alone as the body with its
  own `content-type` — what the SDKs send by default (Python's `to_binary`, the JavaScript SDK's
  `HTTP.binary`). The binding asks receivers to take both structured and binary.
A body that is plain `application/json` without `ce-*` headers is read as structured, as before.
"""

import json
from urllib.parse import unquote

from starlette.datastructures import Headers

CE_PREFIX = "ce-"
BATCH_MEDIA = "application/cloudevents-batch+json"


class Unreadable(Exception):
    """A body that holds no events: `msg` says why, in the words of the binding."""

    def __init__(self, msg: str):
        super().__init__(msg)
        self.msg = msg


def media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def items_of(headers: Headers, body: bytes) -> list:
    """The events of one request, as JSON-decoded objects (not yet validated)."""
    if any(name.startswith(CE_PREFIX) for name in headers):
        return [_binary(headers, body)]
    document = _json(body)
    if media_type(headers) == BATCH_MEDIA and not isinstance(document, list):
        raise Unreadable("a batch must be a JSON array")
    items = document if isinstance(document, list) else [document]
    if not items:
        raise Unreadable("no events")
    return items


def _binary(headers: Headers, body: bytes) -> dict:
    event: dict = {name.removeprefix(CE_PREFIX): unquote(value) for name, value in headers.items() if name.startswith(CE_PREFIX)}
    media = media_type(headers)
    # Our events' data is a JSON object; the binding puts datacontenttype in Content-Type, which an
    # event without one leaves out (the SDKs do): then the body must still be JSON.
    if media not in ("application/json", ""):
        raise Unreadable(f"binary mode: the data must be JSON (content-type application/json), not {media!r}")
    event["datacontenttype"] = "application/json"
    event["data"] = _json(body)
    return event


def _json(body: bytes):
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Unreadable(f"not JSON: {exc}") from None
