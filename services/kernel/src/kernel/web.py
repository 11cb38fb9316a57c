"""What the services' web pages share: static files, cross-service calls (CORS), server-sent events,
and tables exported as CSV or XLSX. The pages themselves are plain HTML and JavaScript: no build step."""

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

# Shared assets (style, translations, the vendored chart library) live beside this module.
COMMON = Path(str(files("kernel") / "web"))


def mount_pages(app: FastAPI, own: Path) -> None:
    """Serve a service's pages' files from `own` at /static and the shared assets at /common."""
    app.mount("/common", StaticFiles(directory=COMMON), name="common")
    app.mount("/static", StaticFiles(directory=own), name="static")


def allow_pages(app: FastAPI, origins: Sequence[str]) -> None:
    """Let the services' pages call this service's API from the browser (CORS)."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "PUT"],
        allow_headers=["content-type", "authorization", "x-correlation-id"],
        expose_headers=["x-total-count", "x-unread-count", "x-correlation-id"],
    )


def page(path: Path, **values: str) -> Response:
    """An HTML page with `{{name}}` placeholders filled in (only the services' and the issuer's public
    URLs), under a Content-Security-Policy: scripts from this service only, calls to the services and
    the sign-in issuer only, never framed."""
    html = path.read_text(encoding="utf-8")
    for name, value in values.items():
        html = html.replace("{{" + name + "}}", value)
    return Response(html, media_type="text/html; charset=utf-8", headers={"cache-control": "no-store", **page_security(values.values())})


def page_security(urls: Iterable[str]) -> dict[str, str]:
    origins = sorted({f"{p.scheme}://{p.netloc}" for p in map(urlsplit, urls) if p.scheme in ("http", "https") and p.netloc})
    policy = {
        "default-src": "'self'",
        "script-src": "'self'",
        # the pages and the chart library set element styles from script; no style can run code
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "connect-src": " ".join(["'self'", *origins]),
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "object-src": "'none'",
    }
    return {
        "content-security-policy": "; ".join(f"{k} {v}" for k, v in policy.items()),
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
    }


class StreamGate:
    """How many event streams an instance keeps open at most: each holds a connection and a task."""

    def __init__(self, limit: int):
        self.limit, self.open = limit, 0

    def admit(self) -> None:
        if self.open >= self.limit:
            raise HTTPException(503, f"{self.limit} event streams are open here: try again shortly", headers={"Retry-After": "5"})


def event_stream(changes: AsyncIterator[dict | None], *, gate: StreamGate | None = None, retry_ms: int = 3000) -> StreamingResponse:
    """Server-sent events: one `change` event per item; `None` from `changes` means nothing happened
    for a while, sent as a comment so proxies keep the connection open. `retry` makes a browser
    reconnect by itself. Past the gate's limit, a 503 with Retry-After."""
    if gate is not None:
        gate.admit()

    async def body() -> AsyncIterator[str]:
        # counted while the body runs (a stream whose client left before it began never counts)
        if gate is not None:
            gate.open += 1
        try:
            yield f"retry: {retry_ms}\nevent: ready\ndata: {{}}\n\n"
            async for item in changes:
                yield ": keep-alive\n\n" if item is None else f"event: change\ndata: {json.dumps(item, default=str)}\n\n"
        finally:
            if gate is not None:
                gate.open -= 1

    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(body(), media_type="text/event-stream", headers=headers)


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # the heading operators see in the file (Chinese, as on the page)


def export(name: str, columns: Sequence[Column], rows: Iterable[dict], fmt: str) -> Response:
    """A table as a download: CSV (UTF-8 with a BOM, so Excel shows Chinese) or XLSX."""
    data, media = table_file(name, columns, rows, fmt)
    return Response(data, media_type=media, headers={"content-disposition": attachment(f"{name}.{fmt}")})


def table_file(name: str, columns: Sequence[Column], rows: Iterable[dict], fmt: str) -> tuple[bytes, str]:
    """A table as the bytes of a CSV or XLSX file, and its media type."""
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([c.title for c in columns])
        for row in rows:
            writer.writerow([_cell(row.get(c.key)) for c in columns])
        data, media = out.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    else:
        data, media = _xlsx(name, columns, rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return data, media


def attachment(filename: str) -> str:
    """A Content-Disposition for a download: an ASCII fallback and the real name in RFC 5987 form (an
    organisation id or name may be Chinese; a header must be Latin-1)."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): shown as text instead.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _xlsx(name: str, columns: Sequence[Column], rows: Iterable[dict]) -> bytes:
    from openpyxl import Workbook  # imported when a spreadsheet is asked for, not at start-up

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=name[:31])
    sheet.append([c.title for c in columns])
    for row in rows:
        sheet.append([_cell(row.get(c.key)) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
