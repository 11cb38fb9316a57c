"""The pages on a phone (issue 18): a secretary opens the workspace, an operator the drill-down, on a
390×844 screen; nothing may need a sideways scroll of the page itself."""

from pathlib import Path

from playwright.async_api import Locator, Page

from .browser import check_and_keep

PHONE = {"width": 390, "height": 844}


async def on_phone(page: Page, name: str) -> Path:
    """Turns the page to a phone's size, checks that it fits the window's width, and keeps a
    screenshot (check_and_keep checks the rest: labels, cards apart)."""
    await page.set_viewport_size(PHONE)
    # the charts redraw on the window's resize: let one frame pass before measuring
    await page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    sizes = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[1] == PHONE["width"], f"the window is {sizes[1]}px wide, not a phone's"
    assert sizes[0] <= sizes[1], f"{name} is {sizes[0]}px wide on a {sizes[1]}px phone: the page scrolls sideways"
    return await check_and_keep(page, name)


async def within_reach(element: Locator) -> dict:
    """The element lies inside the phone's width: seen and tapped without scrolling anything sideways,
    not even a table inside its card."""
    box = await element.bounding_box()
    assert box is not None, f"{element} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{element} lies at {box}, beyond a phone's width"
    return box
