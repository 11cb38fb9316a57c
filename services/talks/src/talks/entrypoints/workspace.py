"""The secretary's workspace at `/`: alerts, my obligations, the record forms, my members' coverage.
The page calls compliance and notify from the browser; it is told where they are."""

from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response

from kernel.access import public
from kernel.web import page

WEB = Path(__file__).parent / "web"
router = APIRouter()


@router.get("/", include_in_schema=False, dependencies=[Depends(public)])  # the page signs in itself
async def workspace(request: Request) -> Response:
    return page(WEB / "workspace.html", **request.app.state.runtime.settings.page_values())
