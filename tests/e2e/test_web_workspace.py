"""The secretary's workspace in a real browser, against the running services: the alert is in the
inbox, a talk is recorded from the obligation (people picked by name, errors shown at their fields)
and is seen fulfilled; on a phone, an obligation that came through a vacant seat explains itself."""

from datetime import UTC, datetime

from playwright.async_api import Page, expect

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .browser import check_and_keep
from .conftest import AUDITOR, post_events
from .phone import PHONE, on_phone, within_reach
from .test_web_dashboard import a_sanction_handed_up_past_a_vacant_seat

TIMEOUT_MS = 30_000


async def test_a_secretary_records_a_talk_from_an_obligation_and_sees_it_fulfilled(system, ids, page: Page):
    compliance, talks = system.url("compliance"), system.url("talks")
    secretary, member = ids + "p-b1-sec", ids + "p-b1-m1"
    async with system.client() as http:
        assert (await post_events(http, system, demo_city_events(ids))).status_code == 202
        assert (await post_events(http, system, [sanction_event(member)])).status_code == 202

        async def opened():
            return (await http.get(f"{compliance}/v1/obligations", headers=system.operator(ids), params={"subject_id": member})).json()

        [obligation] = await eventually(opened)

        async def talks_knows_the_member():  # the talks service reads the registry on its own
            r = await http.get(f"{talks}/v1/dossiers/{member}", params={"year": datetime.now(UTC).year}, headers=system.signed_in(AUDITOR, "auditor"))
            return r.status_code == 200

        await eventually(talks_knows_the_member)

    # The page sends the browser to the development issuer, whose "sign in as" page takes anyone's id.
    await page.goto(f"{talks}/")
    await page.get_by_label("person id").fill(secretary)
    await page.get_by_role("button", name="sign in").click()
    await expect(page.locator("#who")).to_contain_text("王海燕")
    await expect(page.locator("#signed-in-as")).to_contain_text(secretary)
    assert "code=" not in page.url and "person=" not in page.url
    row = page.locator(f'#my-obligations tr[data-obligation="{obligation["obligation_id"]}"]')
    await expect(row).to_contain_text("M4 违规违纪违法")
    await expect(row).to_contain_text("李明")
    await expect(page.locator("#inbox .alert-item.unread").first).to_contain_text("李明", timeout=TIMEOUT_MS)
    await expect(page.locator(f'#my-coverage tr[data-person="{member}"]')).to_contain_text("0")

    # The form is filled in from the obligation being met: people shown by name, sent by id.
    await row.get_by_role("button", name="记录谈话").click()
    form = page.locator("#talk-form")
    talkees, talkers = form.locator('[data-field="talkee_ids"]'), form.locator('[data-field="talker_ids"]')
    await expect(talkees.locator(".chip .name")).to_have_text(["李明"])
    await expect(talkers.locator(".chip .name")).to_have_text(["王海燕"])
    await expect(form.locator('[name="talkee_ids"]')).to_have_value(member)
    await expect(form.locator('[name="talker_ids"]')).to_have_value(secretary)
    await expect(form.locator('[name="kind"]')).to_have_value("must_talk")
    await expect(form.locator('input[name="rule_ids"][value="M4"]')).to_be_checked()

    # What is missing is said next to its field, before anything is sent ...
    await form.get_by_role("button", name="保存").click()
    await expect(form.locator('[data-error-for="place"]')).to_have_text("必填")
    await expect(form.locator('[data-error-for="content"]')).to_have_text("必填")

    # The talkee is picked again by name, from the members the secretary answers for ...
    await talkees.get_by_role("button", name="移除 李明").click()
    await expect(form.locator('[name="talkee_ids"]')).to_have_value("")
    await talkees.get_by_role("combobox").fill("李")
    await talkees.get_by_role("option", name="李明").click()
    await expect(talkees.locator(".chip .name")).to_have_text(["李明"])
    await expect(form.locator('[name="talkee_ids"]')).to_have_value(member)

    # ... and what only the service can tell is shown at its field too: two talkees one to one.
    await form.locator('[name="place"]').fill("支部活动室")
    await form.locator('[name="content"]').fill("就受到警告处分一事谈心谈话，帮助其认识错误。")
    await talkees.get_by_role("combobox").fill("刘")
    await talkees.get_by_role("combobox").press("Enter")  # the first match, as a keyboard picks it
    await expect(form.locator('[name="talkee_ids"]')).to_have_value(f"{member},{ids}p-b1-m2")
    await form.get_by_role("button", name="保存").click()
    await expect(form.locator('[data-error-for="talkee_ids"]')).to_contain_text("一对一谈话须有且仅有一名谈话人和一名谈话对象")
    await expect(form.locator('[data-error-for="place"]')).to_have_count(0)

    await talkees.get_by_role("button", name="移除 刘洋").click()
    await form.get_by_label("思想").check()
    await form.get_by_role("button", name="保存").click()
    await expect(page.locator("#form-notice .notice.ok")).to_contain_text("已保存")

    # Compliance hears of the talk and the page shows the obligation fulfilled, without a reload.
    done = page.locator(f'#my-fulfilled tr[data-obligation="{obligation["obligation_id"]}"]')
    await expect(done).to_have_attribute("data-status", "fulfilled", timeout=TIMEOUT_MS)
    await expect(done).to_contain_text("已履行")
    await expect(page.locator(f'#my-obligations tr[data-obligation="{obligation["obligation_id"]}"]')).to_have_count(0)
    await expect(page.locator(f'#my-coverage tr[data-person="{member}"] td[data-col="state"]')).to_have_text("已覆盖", timeout=TIMEOUT_MS)

    first = page.locator("#inbox .alert-item.unread").first
    alert_id = await first.get_attribute("data-alert")
    await first.get_by_role("button", name="标为已读").click()
    await expect(page.locator(f'#inbox .alert-item[data-alert="{alert_id}"]')).to_have_count(0)  # unread only, by default

    # The collective record (attachment 2): a host and participants, a theme.
    await page.get_by_role("button", name="集体谈心谈话记录表").click()
    await expect(page.locator("#sheet-title")).to_have_text("集体谈心谈话记录表")
    await expect(form.locator("th", has_text="主持人")).to_be_visible()
    await expect(form.locator('[name="suggestions"]')).to_be_hidden()
    await form.locator('[name="place"]').fill("党员活动室")
    for name in ("刘洋", "赵敏"):
        await talkees.get_by_role("combobox").fill(name[0])
        await talkees.get_by_role("option", name=name).click()
    await form.locator('[name="theme"]').fill("学习贯彻党章")
    await form.locator('[name="content"]').fill("集体谈心，交流学习体会。")
    await form.get_by_role("button", name="保存").click()
    await expect(page.locator("#form-notice .notice.ok")).to_contain_text("已保存")
    talk_id = (await page.locator("#form-notice .notice.ok").inner_text()).split("谈话编号 ")[1].rstrip("。")
    async with system.client() as http:
        recorded = (await http.get(f"{talks}/v1/talks/{talk_id}", headers=system.signed_in(secretary))).json()
    assert recorded["mode"] == "one_to_many" and recorded["theme"] == "学习贯彻党章"
    assert sorted(recorded["talkee_ids"]) == [ids + "p-b1-m2", ids + "p-b1-m3"]

    await check_and_keep(page, "workspace")
    await on_phone(page, "workspace-phone")


async def test_on_a_phone_the_town_secretary_asks_why_an_obligation_from_a_branch_is_theirs(system, ids, page: Page):
    talks, town_secretary = system.url("talks"), ids + "p-town-sec"
    async with system.client() as http:
        ob = await a_sanction_handed_up_past_a_vacant_seat(http, system, ids)

    await page.set_viewport_size(PHONE)
    await page.goto(f"{talks}/")
    await page.get_by_label("person id").fill(town_secretary)
    await page.get_by_role("button", name="sign in").click()
    row = page.locator(f'#my-obligations tr[data-obligation="{ob["obligation_id"]}"]')
    await expect(row).to_contain_text("周婷", timeout=TIMEOUT_MS)
    await on_phone(page, "workspace-town-phone")
    # An obligation reads as a card: its actions at hand, not at the end of a table scrolled sideways;
    # the record sheet stacks, each label above its field.
    await within_reach(row.get_by_role("button", name="为什么？"))
    label = await within_reach(page.locator("#talkees-label"))
    field = await within_reach(page.locator('#talk-form [data-field="talkee_ids"] [role="combobox"]'))
    assert label["y"] + label["height"] <= field["y"], (label, field)

    await row.get_by_role("button", name="为什么？").click()
    why = page.locator("#why")
    await expect(why.locator('[data-part="clause"]')).to_contain_text("三、1.(4)")
    await expect(why.locator(f'[data-step="{ids}branch-2"]')).to_contain_text("空缺，跳过")
    await expect(why.locator(f'[data-step="{ids}town"]')).to_contain_text("负责")
    await expect(why.locator('[data-part="history"] [data-transition="reassigned"]')).to_contain_text("吴静")
    assert "⟦" not in await why.inner_text()
    await on_phone(page, "workspace-why-phone")
    await why.get_by_role("button", name="关闭").click()

    # A member the secretary answers for only through the vacancy is offered by name as well.
    await row.get_by_role("button", name="记录谈话").click()
    talkees = page.locator('#talk-form [data-field="talkee_ids"]')
    await expect(talkees.locator(".chip .name")).to_have_text(["周婷"])
    await talkees.get_by_role("button", name="移除 周婷").click()
    await talkees.get_by_role("combobox").fill("周")
    await talkees.get_by_role("option", name="周婷").click()
    await expect(page.locator('#talk-form [name="talkee_ids"]')).to_have_value(ids + "p-b2-m1")
