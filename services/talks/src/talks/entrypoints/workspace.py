"""The secretary's workspace at `/`: alerts, my obligations, the record forms, my members' coverage.
The page calls compliance and notify from the browser; it is told where they are."""

from pathlib import Path

from fastapi import APIRouter, Request, Response

from kernel.web import page

WEB = Path(__file__).parent / "web"
router = APIRouter()


@router.get("/", include_in_schema=False)
async def workspace(request: Request) -> Response:
    return page(WEB / "workspace.html", **request.app.state.runtime.settings.public_urls())
