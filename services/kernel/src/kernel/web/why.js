// Why an obligation stands as it does (issue 18): compliance's explanation in a dialog, for the
// dashboard and the workspace alike. What the service sends goes in as text only (names are typed by
// people); times are shown as the service gives them, in the deployment's calendar, never turned
// into the browser's: the due dates were counted in that calendar.
import { api, badge, el, ruleLabel, stateLabel, statusLabel, t } from "./common.js";

let dialog = null;
let asked = 0; // the latest question: an answer to an earlier one that arrives late is dropped

// The row's "为什么？" button.
export function whyButton(base, obligation) {
  return el("button", { type: "button", class: "why-button", onclick: () => explain(base, obligation.obligation_id) }, t("common.why"));
}

export function explain(base, obligationId) {
  return ask(base, `/v1/obligations/${encodeURIComponent(obligationId)}/explanation`, {}, t("common.why"), (data) => {
    const names = namesIn(data);
    return {
      title: t("why.title", { rule: ruleLabel(data.rule.rule_id) }),
      parts: [
        summary(data.obligation, names),
        rulePart(data.rule),
        triggerPart(data.trigger, names),
        walkPart("responsibility", "why.responsibility", data.responsibility, names),
        data.escalation && walkPart("escalation", "why.escalation", data.escalation, names),
        duePart(data.due),
        historyPart(data.history, names),
      ],
    };
  });
}

// The dialog shown at once with `title`, then the answer at `path` rendered into it (`render` gives
// its title and parts); an answer to an earlier question that arrives late is dropped.
async function ask(base, path, params, title, render) {
  const shown = panel();
  const heading = shown.querySelector("#why-title");
  const body = shown.querySelector(".why-body");
  const question = ++asked;
  heading.textContent = title;
  body.replaceChildren(el("p", { class: "muted" }, t("common.loading")));
  if (!shown.open) shown.showModal();
  try {
    const { data } = await api(base, path, { params });
    if (question !== asked) return;
    const answer = render(data);
    heading.textContent = answer.title;
    body.replaceChildren(...answer.parts.filter(Boolean));
  } catch (error) {
    if (question === asked) body.replaceChildren(el("p", { class: "notice bad" }, t("common.failed", { reason: error.message })));
  }
}

// The coverage "为什么？" of a member's card: each talk of the year, what it counted towards, or why not.
export function whyCoverageButton(base, personId, year) {
  return el("button", { type: "button", class: "why-button", "data-why": "coverage", onclick: () => explainCoverage(base, personId, year) }, t("common.why"));
}

export function explainCoverage(base, personId, year) {
  const title = t("why.coverage_title", { year });
  return ask(base, `/v1/coverage/people/${encodeURIComponent(personId)}/explanation`, { year }, title, (data) => {
    const talks = data.talks_judged.map((j) => el("li", { dataset: { talk: j.talk_id, counted: j.not_member_because ? "no" : "yes" } },
      el("span", { class: "muted" }, asGiven(j.held_at)), " ", t(`why.mode.${j.mode}`), " ",
      el("strong", {}, j.not_member_because ? t(`why.not_counted.${j.not_member_because}`) : t("why.counted")),
      j.credits.length ? el("div", { class: "muted" }, t("why.counts_towards", { rules: j.credits.map((c) => ruleLabel(c.rule_id)).join("、") })) : null));
    return {
      title,
      parts: [
        facts([["why.subject", personId], ["why.status", data.state ? badge(`state-${data.state}`, stateLabel(data.state)) : "—"],
          ["why.talks_counted", t("why.talks_of_target", { talks: data.talks, minimum: data.minimum_talks, target: data.target })],
          ["why.next_meeting", data.next_meeting]]),
        part("clause", "why.rule", ...clauseLines(data.clause)),
        part("rules", "why.coverage_rules", el("p", {}, t("why.coverage_rules_text", { days: data.at_risk_days_left })),
          el("p", {}, t(data.collective_talks_count ? "why.collective_count" : "why.collective_not"))),
        part("talks", "why.talks", talks.length ? el("ol", { class: "history" }, talks) : el("p", { class: "muted" }, t("why.no_talks"))),
      ],
    };
  });
}

function panel() {
  if (dialog) return dialog;
  dialog = el("dialog", { id: "why", class: "why", "aria-labelledby": "why-title" },
    el("div", { class: "why-head" }, el("h2", { id: "why-title" }),
      el("button", { type: "button", onclick: () => dialog.close() }, t("common.close"))),
    el("div", { class: "why-body" }));
  document.body.append(dialog);
  return dialog;
}

// "2026-12-06T13:09:41.5+08:00" -> "2026-12-06 13:09:41 +08:00"
function asGiven(iso) {
  const found = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(iso ?? "");
  if (!found) return iso || "—";
  return `${found[1]} ${found[2]}${found[3] ? ` ${found[3]}` : ""}`;
}

const eventLabel = (type) => (type ? `${t(`event.${type}`)}（${type}）` : t("why.type_unknown"));
const orgName = (id, name) => name ?? id ?? "—";

// Every person and organisation the explanation names, by id: a history step names only its own.
function namesIn(data) {
  const names = new Map();
  const put = (id, name) => id && name && names.set(id, name);
  const ob = data.obligation;
  put(ob.subject_id, ob.subject_name);
  put(ob.responsible_id, ob.responsible_name);
  for (const walk of [data.responsibility, data.escalation].filter(Boolean)) {
    put(walk.person_id, walk.person_name);
    for (const step of walk.steps) put(step.holder_id, step.holder_name);
  }
  for (const h of data.history) {
    put(h.responsible_id, h.responsible_name);
    put(h.previous_responsible_id, h.previous_responsible_name);
  }
  return names;
}

// A person by name, with the id beside it: two members may share a name.
function person(names, id) {
  if (!id) return t("common.vacant");
  return names.has(id) ? el("span", {}, names.get(id), el("span", { class: "muted" }, ` ${id}`)) : id;
}

function part(name, title, ...children) {
  return el("section", { class: "why-part", dataset: { part: name } }, el("h3", {}, t(title)), ...children);
}

function facts(rows) {
  const shown = rows.filter(([, value]) => value !== null && value !== undefined && value !== "");
  return el("dl", { class: "facts" }, shown.flatMap(([label, value]) => [el("dt", {}, t(label)), el("dd", {}, value)]));
}

function responsibleNow(h, names) {
  return h.responsible_kind === "operators" ? t("responsible.operators") : person(names, h.responsible_id);
}

function summary(ob, names) {
  return facts([
    ["why.subject", person(names, ob.subject_id)], ["why.org", orgName(ob.org_id, ob.org_name)],
    ["why.responsible", responsibleNow(ob, names)], ["why.due_date", ob.due_date],
    ["why.status", badge(`status-${ob.status}`, statusLabel(ob.status))],
  ]);
}

function rulePart({ rule_id, rules, clause }) {
  const others = rules.filter((r) => r !== rule_id);
  return part("clause", "why.rule",
    el("p", {}, el("strong", {}, ruleLabel(rule_id)), others.length ? t("why.also", { rules: others.join("、") }) : ""),
    ...clauseLines(clause));
}

// The regulation's clause a rule comes from, quoted (contracts/regulation/).
function clauseLines(clause) {
  if (!clause) return [el("p", { class: "muted" }, t("why.no_clause"))];
  return [el("p", {}, t("why.clause", { notice: clause.notice, section: clause.section, name: clause.name })), el("blockquote", {}, clause.quote)];
}

function triggerPart(trigger, names) {
  return part("trigger", "why.trigger", facts([
    ["why.event", eventLabel(trigger.type)], ["why.time", asGiven(trigger.time)], ["why.source", trigger.source],
    ["why.ref", trigger.ref], ["why.leader", trigger.leader_id && person(names, trigger.leader_id)], ["why.event_id", trigger.event_id],
  ]));
}

// The search up the tree: where it started and why, each secretary seat read, who it stopped at.
function walkPart(name, title, walk, names) {
  if (!walk) return part(name, title, el("p", { class: "muted" }, t("why.no_walk")));
  const steps = walk.steps.map((s) => el("li", { dataset: { step: s.org_id, outcome: s.outcome } },
    t("why.seat", { org: orgName(s.org_id, s.org_name) }), s.holder_id ? [" ", person(names, s.holder_id)] : "", " · ", el("strong", {}, t(`why.outcome.${s.outcome}`))));
  const end = walk.kind === "operators"
    ? t("why.end.operators", { org: orgName(walk.org_id, walk.org_name) })
    : t("why.end.person", { org: orgName(walk.org_id, walk.org_name), name: walk.person_name ?? walk.person_id });
  return part(name, title,
    el("p", {}, walk.at ? t("why.as_of", { at: asGiven(walk.at) }) : t("why.as_of_now"),
      t(`why.start.${walk.start}`, { org: orgName(walk.start_org_id, walk.start_org_name) })),
    steps.length ? el("ol", { class: "steps" }, steps) : null,
    el("p", { dataset: { end: walk.kind } }, el("strong", {}, end)));
}

function duePart(due) {
  const changed = due.policy_days !== null && due.policy_days !== due.days;
  return part("due", "why.due",
    el("p", {}, t("why.due_sum", { trigger: due.trigger_date, days: due.days, due: due.due_date }),
      changed ? t("why.policy_days", { days: due.policy_days }) : ""),
    el("p", {}, t("why.stages", { soon: due.due_soon_from, overdue: due.overdue_from, escalated: due.escalated_from })),
    due.talk_window_days > 0 ? el("p", {}, t("why.window", { days: due.talk_window_days })) : null,
    el("p", { class: "muted" }, t("why.zone", { zone: due.time_zone })));
}

function historyPart(history, names) {
  if (!history.length) return part("history", "why.history", el("p", { class: "muted" }, t("why.no_history")));
  return part("history", "why.history", el("ol", { class: "history" }, history.map((h) => el("li", { dataset: { transition: h.transition } },
    el("span", { class: "muted" }, asGiven(h.recorded_at ?? h.cause.time)), " ",
    el("strong", {}, t(`transition.${h.transition}`)), " ",
    h.transition === "reassigned" && h.previous_responsible_id ? [person(names, h.previous_responsible_id), " → "] : "",
    responsibleNow(h, names),
    h.transition === "escalated" && h.escalated_to_id ? ["，", t("why.escalated_to", { name: names.get(h.escalated_to_id) ?? h.escalated_to_id })] : "",
    h.talk_id ? ["，", t("why.talk", { id: h.talk_id })] : "",
    h.reason ? ["，", t("why.reason", { reason: h.reason })] : "",
    el("div", { class: "muted" }, cause(h.cause))))));
}

function cause(c) {
  if (c.kind !== "event") return t(`why.cause.${c.kind}`);
  const where = [c.source && `${t("why.source")} ${c.source}`, c.time && asGiven(c.time)].filter(Boolean);
  return [t("why.cause.event", { type: eventLabel(c.event_type) }), ...where].join(" · ");
}
