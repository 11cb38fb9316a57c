"""Debian's Chromium, headless, driven by Playwright (never a downloaded browser), and what every page
test checks: nothing untranslated, nothing spilling sideways, no card over another, a screenshot."""

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / ".run" / "artifacts" / "screenshots"
MISSING = "browser tests need Debian's chromium and a Chinese font: apt-get install chromium fonts-wqy-zenhei"
# Without these, Chromium tries to reach Google's services at every start; this network refuses them.
QUIET = ["--lang=zh-CN", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu"]


def missing() -> str | None:
    """What the machine lacks for the page tests, in one line; None when it has everything."""
    if not Path(CHROMIUM).exists():
        return MISSING
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True) if shutil.which("fc-list") else None
    if fonts is None or not fonts.stdout.strip():
        return MISSING  # Chinese would render as empty boxes in the screenshots
    return None


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if lacking := missing():
        pytest.skip(lacking)
    async with async_playwright() as playwright:
        found = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", *QUIET])
        yield found
        await found.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh page as an office in China sees it; a script error on the page, or anything the
    page's Content-Security-Policy blocks, fails the test."""
    context = await browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900}, accept_downloads=True
    )
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    # a Content-Security-Policy that blocks what the page needs shows only as a console error
    opened.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text and errors.append(m.text))
    yield opened
    await context.close()
    assert not errors, f"errors on the page: {errors}"


async def check_and_keep(page: Page, name: str) -> Path:
    """The page as a person sees it: every label translated, nothing wider than the window, no card
    over another; then a full-page screenshot kept under .run/artifacts/screenshots/."""
    text = await page.inner_text("body")
    assert "⟦" not in text, f"untranslated labels on {name}: {[w for w in text.split() if '⟦' in w]}"
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the window"
    boxes = await page.eval_on_selector_all(
        "section.card:not([hidden])",
        "cards => cards.map(c => { const r = c.getBoundingClientRect(); return [c.id, r.left, r.top, r.right, r.bottom]; })",
    )
    for box in boxes:
        assert box[3] > box[1] and box[4] > box[2], f"{box[0]} on {name} has no size"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
            assert apart, f"{a[0]} and {b[0]} overlap on {name}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=path, full_page=True)
    return path
