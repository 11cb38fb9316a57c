"""The operators' dashboard in a real browser, against the running services: the drill-down shows the
numbers the API gives, a sanction appears without a reload, an export holds the rows shown, the
drill-down fits a phone, and an obligation explains why it stands as it does."""

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from playwright.async_api import Page, expect

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .browser import check_and_keep
from .conftest import post_events, record_talk
from .phone import on_phone
from .test_registry import ev

TIMEOUT_MS = 30_000


async def _numbers_of_row(page: Page, org_id: str) -> dict[str, str]:
    row = page.locator(f'#tree tr[data-org="{org_id}"]')
    await expect(row).to_be_visible(timeout=TIMEOUT_MS)
    return {col: (await row.locator(f'td[data-col="{col}"]').inner_text()).strip() for col in ("members", "members_covered", "members_at_risk")}


async def _api_numbers(http, compliance: str, org_id: str, headers: dict) -> dict[str, str]:
    r = await http.get(f"{compliance}/v1/coverage", headers=headers, params={"org_id": org_id, "subtree": "true"})  # listed; the page counts in SQL
    if r.status_code == 403:  # compliance has not heard of the organisation yet
        return {}
    body = r.json()
    return {"members": str(body["members"]), "members_covered": str(body["covered"]), "members_at_risk": str(body["at_risk"])}


async def test_an_operator_drills_down_sees_the_api_numbers_and_a_sanction_arrive_live_and_exports(system, ids, page: Page):
    compliance = system.url("compliance")
    async with system.client() as http:
        assert (await post_events(http, system, demo_city_events(ids))).status_code == 202
        covered_talk = {
            "held_at": datetime.now(UTC).isoformat(), "place": "支部活动室", "mode": "one_to_one", "kind": "regular",
            "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "p-b1-m1"], "rule_ids": ["COV-MEMBER"], "content": "年度谈心谈话",
        }  # fmt: skip
        assert (await record_talk(http, system, covered_talk)).status_code == 201

        async def branch_covered():
            return (await _api_numbers(http, compliance, ids + "branch-1", system.operator(ids))).get("members_covered") == "1"

        await eventually(branch_covered)

        # An operator of the county signs in through the development issuer and starts at the county
        # (the city above it is not theirs); from there down to a branch, each row says what the API
        # says for that subtree.
        await _sign_in_as_operator(page, f"{compliance}/", ids)
        await expect(page.locator(f'#crumbs [data-org="{ids}county"]')).to_be_visible(timeout=TIMEOUT_MS)
        for org in ("town", "branch-1"):
            org_id = ids + org
            assert await _numbers_of_row(page, org_id) == await _api_numbers(http, compliance, org_id, system.operator(ids)), org
            await page.locator(f'#tree tr[data-org="{org_id}"] button').click()
            await expect(page.locator(f'#crumbs a[data-org="{org_id}"]')).to_be_visible()
        await expect(page.locator("#tree")).to_contain_text("该组织没有下级组织")
        people = (await http.get(f"{compliance}/v1/coverage", headers=system.operator(ids), params={"org_id": ids + "branch-1"})).json()["people"]
        for person in people:
            row = page.locator(f'#people tr[data-person="{person["person_id"]}"]')
            await expect(row.locator('td[data-col="talks"]')).to_have_text(str(person["talks"]))
        await expect(page.locator(f'#people tr[data-person="{ids}p-b1-m1"] td[data-col="state"]')).to_have_text("已覆盖")

        # ... and to a person.
        await page.locator(f'#people tr[data-person="{ids}p-b1-m1"] button').click()
        await expect(page.locator("#person-title")).to_contain_text("李明")
        await expect(page.locator("#person")).to_contain_text("本年度谈话 1 次")
        # (issue 18) why 李明 is covered: the branch secretary's talk counted
        await page.locator('#person button[data-why="coverage"]').click()
        why = page.locator("#why")
        await expect(why.locator('[data-part="talks"] li[data-counted="yes"]')).to_contain_text("计入党员年度谈话")
        await expect(why.locator('[data-part="clause"]')).to_contain_text("漳委组通〔2017〕77号 一")
        assert "⟦" not in await why.inner_text()
        await why.get_by_role("button", name="关闭").click()

        # A sanction published now appears on the open page, without a reload.
        await page.evaluate("window.__notReloaded = true")
        await expect(page.locator("#live")).to_have_attribute("data-state", "on", timeout=TIMEOUT_MS)
        assert (await post_events(http, system, [sanction_event(ids + "p-b1-m2")])).status_code == 202
        row = page.locator("#obligations tr[data-obligation]", has_text=ids + "p-b1-m2")
        await expect(row).to_be_visible(timeout=TIMEOUT_MS)
        await expect(row).to_contain_text("M4 违规违纪违法")
        await expect(page.locator('#status-tabs [data-tab="all_open"] .count')).to_have_text("1")
        assert await page.evaluate("window.__notReloaded === true")

        # The filters narrow the table; the API behind them answers the same.
        await page.locator("#rule-filter").select_option("M1")
        await expect(page.locator("#obligations")).to_contain_text("没有符合条件的必谈事项")
        await page.locator("#rule-filter").select_option("M4")
        await expect(row).to_be_visible()
        scope = {"org_id": ids + "branch-1", "subtree": "true"}
        assert (await http.get(f"{compliance}/v1/obligations", headers=system.operator(ids), params={**scope, "min_age_days": 1})).headers["x-total-count"] == "0"
        [busiest] = (await http.get(f"{compliance}/v1/workload", headers=system.operator(ids), params=scope)).json()
        assert busiest["responsible_id"] == ids + "p-b1-sec" and busiest["open_total"] == 1
        await expect(page.locator("#workload")).to_contain_text(ids + "p-b1-sec")
        month = datetime.now(UTC).month
        assert (await http.get(f"{compliance}/v1/monthly", headers=system.operator(ids), params=scope)).json()[month - 1]["opened"] == 1

        # An export downloads and holds the rows the page shows.
        shown = set(await page.locator("#obligations tr[data-obligation]").evaluate_all("rows => rows.map(r => r.dataset.obligation)"))
        async with page.expect_download() as download:
            await page.locator('.exports[data-table="obligations"] a[data-format="csv"]').click()
        rows = list(csv.DictReader(io.StringIO((await (await download.value).path()).read_text(encoding="utf-8-sig"))))
        assert {r["编号"] for r in rows} == shown and rows[0]["谈话对象"] == "刘洋"

        people_shown = await page.locator("#people tr[data-person]").evaluate_all("rows => rows.map(r => r.dataset.person)")
        async with page.expect_download() as download:
            await page.locator('.exports[data-table="people"] a[data-format="xlsx"]').click()
        spreadsheet = await download.value
        assert spreadsheet.suggested_filename.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO((await spreadsheet.path()).read_bytes()), read_only=True).active
        header, *body = list(sheet.iter_rows(values_only=True))
        assert header[:2] == ("党员编号", "姓名") and [r[0] for r in body] == people_shown

        await check_and_keep(page, "dashboard")

        # The same drill-down, a person open, on a phone: the tables scroll inside their cards.
        await expect(page.locator("#person-card")).to_be_visible()
        await on_phone(page, "dashboard-phone")


async def _sign_in_as_operator(page: Page, url: str, ids: str) -> None:
    await page.goto(url)
    await page.get_by_label("person id").fill(ids + "operator")
    await page.get_by_label("role").select_option("operator")
    await page.get_by_label("scope").fill(ids + "county")
    await page.get_by_role("button", name="sign in").click()
    await expect(page.locator("h1")).to_have_text("谈心谈话合规看板")


async def a_sanction_handed_up_past_a_vacant_seat(http, system, ids: str) -> dict:
    """A member of branch 2 is sanctioned; then branch 2's secretary steps down, so the search for
    who answers skips the vacant seat and the town's secretary takes the obligation over."""
    compliance, member = system.url("compliance"), ids + "p-b2-m1"
    assert (await post_events(http, system, demo_city_events(ids))).status_code == 202
    assert (await post_events(http, system, [sanction_event(member)])).status_code == 202

    async def held_by(person_id: str):
        found = (await http.get(f"{compliance}/v1/obligations", headers=system.operator(ids), params={"subject_id": member})).json()
        return found[0] if found and found[0]["responsible_id"] == person_id else None

    await eventually(lambda: held_by(ids + "p-b2-sec"))
    data = {"org_id": ids + "branch-2", "person_id": ids + "p-b2-sec", "role": "secretary"}
    ended = ev(ids, "role.ended.v1", data, "b2-sec-ended", datetime.now(UTC) + timedelta(seconds=1))
    assert (await post_events(http, system, [ended])).status_code == 202
    return await eventually(lambda: held_by(ids + "p-town-sec"))


async def test_an_operator_asks_why_an_obligation_passed_a_vacant_seat_and_reads_it_on_a_phone(system, ids, page: Page):
    compliance = system.url("compliance")
    async with system.client() as http:
        ob = await a_sanction_handed_up_past_a_vacant_seat(http, system, ids)

    await _sign_in_as_operator(page, f"{compliance}/?org={ids}branch-2", ids)
    row = page.locator(f'#obligations tr[data-obligation="{ob["obligation_id"]}"]')
    await expect(row).to_contain_text("林志强", timeout=TIMEOUT_MS)
    await row.get_by_role("button", name="为什么？").click()
    why = page.locator("#why")
    await expect(why).to_be_visible()
    # the rule and its clause, quoted with the notice and the section
    await expect(why.locator('[data-part="clause"]')).to_contain_text("漳委组通〔2017〕77号 三、1.(4)")
    await expect(why.locator('[data-part="clause"] blockquote')).to_contain_text("违反规章制度")
    await expect(why.locator('[data-part="trigger"]')).to_contain_text("discipline.action_recorded.v1")
    # each seat read on the way up: branch 2's vacant, the town's secretary answers
    await expect(why.locator(f'[data-part="responsibility"] [data-step="{ids}branch-2"]')).to_contain_text("空缺，跳过")
    await expect(why.locator(f'[data-part="responsibility"] [data-step="{ids}town"]')).to_contain_text("林志强")
    await expect(why.locator(f'[data-part="responsibility"] [data-step="{ids}town"]')).to_contain_text("负责")
    await expect(why.locator('[data-part="due"]')).to_contain_text(ob["due_date"])
    # what it went through: opened on the sanction, handed from 吴静 to 林志强 when her seat fell vacant
    await expect(why.locator('[data-part="history"] [data-transition="opened"]')).to_contain_text("纪律处分")
    handed = why.locator('[data-part="history"] [data-transition="reassigned"]')
    await expect(handed).to_contain_text("转交")
    await expect(handed).to_contain_text("吴静")
    await expect(handed).to_contain_text("林志强")
    assert "⟦" not in await why.inner_text()
    await check_and_keep(page, "dashboard-why")
    await on_phone(page, "dashboard-why-phone")
    await why.get_by_role("button", name="关闭").click()
    await expect(why).to_be_hidden()

    # A sanction reported forty days late is escalated at once: above the town's secretary, who now
    # answers for branch 2, the county's secretary.
    async with system.client() as http:
        late = sanction_event(ids + "p-b2-m2", time=datetime.now(UTC) - timedelta(days=40), case_ref="JJ-LATE")
        assert (await post_events(http, system, [late])).status_code == 202
    row = page.locator("#obligations tr[data-obligation]", has_text="孙强")
    await expect(row).to_contain_text("已上报", timeout=TIMEOUT_MS)
    await row.get_by_role("button", name="为什么？").click()
    await expect(why.locator('[data-part="trigger"]')).to_contain_text("JJ-LATE")
    await expect(why.locator(f'[data-part="escalation"] [data-step="{ids}county"]')).to_contain_text("陈建国")
    await expect(why.locator('[data-part="escalation"]')).to_contain_text("结果：由 龙江县委 书记 陈建国 负责。")
    await expect(why.locator('[data-part="history"] [data-transition="escalated"]')).to_contain_text("上报至 陈建国")
    assert "⟦" not in await why.inner_text()
    await check_and_keep(page, "dashboard-why-escalated")
