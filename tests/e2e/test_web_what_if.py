"""政策推演 in a real browser: an operator changes M4's days, starts the run, follows it and reads the
comparison of their county, then a level below, and keeps a screenshot."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Page, expect

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .browser import check_and_keep
from .conftest import post_events, record_talk

TIMEOUT_MS = 120_000  # the run replays the whole log of the test session


async def test_an_operator_runs_a_what_if_from_the_page_and_reads_the_comparison(system, ids, page: Page):
    compliance = system.url("compliance")
    day = datetime.now(UTC) - timedelta(days=40)
    async with system.client() as http:
        assert (await post_events(http, system, demo_city_events(ids))).status_code == 202
        await post_events(http, system, [sanction_event(ids + "p-b1-m1", time=day, case_ref=ids + "wi")])
        r = await record_talk(http, system, {
            "held_at": (day + timedelta(days=6)).isoformat(), "place": "会议室", "mode": "one_to_one", "kind": "regular",
            "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "p-b1-m1"], "content": "谈话内容"})  # fmt: skip
        assert r.status_code == 201

        async def fulfilled():
            found = await http.get(f"{compliance}/v1/obligations", headers=system.operator(ids), params={"subject_id": ids + "p-b1-m1", "status": "fulfilled"})
            return len(found.json()) == 1

        await eventually(fulfilled, timeout=60)

    await page.goto(f"{compliance}/what-if")
    await page.get_by_label("person id").fill(ids + "operator")
    await page.get_by_label("role").select_option("operator")
    await page.get_by_label("scope").fill(ids + "county")
    await page.get_by_role("button", name="sign in").click()
    await expect(page.locator("h1")).to_have_text("政策推演")
    await page.locator('#rule-days input[name="M4"]').fill("5")
    await expect(page.locator("#policy-json")).to_have_text('{"due_days":{"M4":5}}')
    await page.locator("#year").select_option(str(day.astimezone(ZoneInfo("Asia/Shanghai")).year))
    await page.locator("#start").click()

    county = page.locator(f'.org-block[data-org="{ids}county"]')
    await expect(county).to_be_visible(timeout=TIMEOUT_MS)
    late = county.locator("tr", has=page.locator('td[data-col="measure"]', has_text="逾期履行"))
    await expect(late.filter(has=page.locator('td[data-col="rule_id"]', has_text="M4")).locator('td[data-col="change"]')).to_have_text("+1")
    await check_and_keep(page, "what-if")

    await county.locator("a[data-org]").click()  # a level below: the town
    await expect(page.locator(f'.org-block[data-org="{ids}town"]')).to_be_visible(timeout=TIMEOUT_MS)
    await expect(page.locator("#runs tbody tr")).not_to_have_count(0)
