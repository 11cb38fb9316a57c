// The secretary's workspace: alerts (notify), my obligations and my members' coverage (compliance),
// and the record forms of attachments 1 and 2 (this service).
import {
  ApiError, api, badge, debounce, el, listen, ruleLabel, shortTime, signIn, signOut, stateLabel, statusLabel, t, table, translatePage,
} from "/common/common.js";
import { whyButton } from "/common/why.js";
import { picker } from "/static/picker.js";

const COMPLIANCE = document.body.dataset.compliance;
const NOTIFY = document.body.dataset.notify;
const TALKS = location.origin;
const OPEN = ["open", "due_soon", "overdue", "escalated", "reassigned"];
const RULES = ["M1", "M2", "M3", "M4", "M5", "M6", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "REQ",
  "COV-MEMBER", "COV-SECRETARY", "COV-COMMITTEE"];
const INBOX_POLL_MS = 10_000;
const WAITING_POLL_MS = 3_000;

const state = {
  me: "", // the signed-in person (the token's subject)
  sheet: "individual",
  from: null, // the obligation the form was prefilled from
  waiting: new Map(), // obligation id -> talk id recorded for it, until compliance says fulfilled
};
const $ = (id) => document.getElementById(id);
const form = () => $("talk-form");

// Whom the record forms offer by name (issue 18): me, the members of the organisations where I am
// secretary and the secretaries of those below (compliance's coverage lists both, named), and the
// subjects of my obligations (one may reach me through a vacant seat below).
const directory = new Map();
const pickers = {}; // talker_ids, talkee_ids: set up with the page

function know(personId, name) {
  if (personId) directory.set(personId, { person_id: personId, name: name ?? directory.get(personId)?.name ?? null });
}

function renamePicked() {
  for (const chosen of Object.values(pickers)) chosen.refresh();
}

// On a phone a table reads as cards, one per row, each value beside its column's name (common.css).
function cards(node) {
  const names = [...node.querySelectorAll("thead th")].map((th) => th.textContent);
  for (const row of node.querySelectorAll("tbody tr")) {
    for (const [i, cell] of [...row.cells].entries()) if (!cell.classList.contains("empty")) cell.dataset.label = names[i];
  }
  node.classList.add("cards");
  return node;
}

// ---- who I am ----------------------------------------------------------------------------------
async function loadWho() {
  const { data } = await api(COMPLIANCE, `/v1/people/${encodeURIComponent(state.me)}/seats`);
  const seats = data.seats.map((s) => `${s.org_name ?? s.org_id} ${t(`role.${s.role}`)}`).join("、") || t("ws.no_seat");
  $("who").textContent = t("ws.who", { name: data.name ?? state.me, seats });
  state.seats = data.seats;
  know(state.me, data.name);
  renamePicked();
}

// ---- inbox -------------------------------------------------------------------------------------
async function loadInbox() {
  const all = $("show-read").checked;
  const { data, headers } = await api(NOTIFY, `/v1/inbox/${encodeURIComponent(state.me)}`, { params: { unread: !all, limit: 20 } });
  const unread = Number(headers.get("x-unread-count") ?? 0);
  $("unread").textContent = t("ws.unread", { n: unread });
  $("unread").hidden = unread === 0;
  $("inbox").replaceChildren(...(data.length ? data.map((a) => el("div", { class: a.read_at ? "alert-item" : "alert-item unread", dataset: { alert: a.alert_id } },
    el("div", { class: "title" }, a.title),
    el("div", { class: "body" }, a.body),
    el("div", { class: "muted" }, shortTime(a.created_at), " ",
      a.read_at ? "" : el("button", { type: "button", onclick: () => markRead(a.alert_id) }, t("ws.mark_read"))))) : [el("p", { class: "muted" }, t("ws.no_alerts"))]));
}

async function markRead(alertId) {
  await api(NOTIFY, `/v1/inbox/${encodeURIComponent(state.me)}/${encodeURIComponent(alertId)}/read`, { method: "POST" });
  await loadInbox();
}

// ---- my obligations ----------------------------------------------------------------------------
async function loadObligations() {
  const mine = { responsible_id: state.me, limit: 50 };
  const [{ data: open }, { data: done }] = await Promise.all([
    api(COMPLIANCE, "/v1/obligations", { params: { ...mine, status: OPEN } }),
    api(COMPLIANCE, "/v1/obligations", { params: { ...mine, status: ["fulfilled", "fulfilled_late"], order: "recent", limit: 5 } }),
  ]);
  for (const ob of done) state.waiting.delete(ob.obligation_id);
  for (const ob of open) know(ob.subject_id, ob.subject_name);
  renamePicked();
  const why = (r) => whyButton(COMPLIANCE, r);
  const columns = [
    { key: "rule_id", label: "col.reason", render: (r) => ruleLabel(r.rule_id) },
    { key: "subject_name", label: "col.subject", render: (r) => `${r.subject_name ?? ""} (${r.subject_id})` },
    { key: "due_date", label: "col.due" },
    { key: "status", label: "col.status", render: (r) => badge(`status-${r.status}`, statusLabel(r.status)) },
    { key: "action", label: "col.action", render: (r) => el("span", { class: "actions" }, state.waiting.has(r.obligation_id)
      ? el("span", { class: "muted" }, t("ws.waiting"))
      : el("button", { type: "button", onclick: () => prefill(r) }, t("ws.record_this")), why(r)) },
  ];
  const attrs = (r) => ({ dataset: { obligation: r.obligation_id, status: r.status } });
  $("my-obligations").replaceChildren(cards(table(columns, open, { empty: t("ws.no_obligations"), rowAttrs: attrs })));
  const closed = [...columns.slice(0, 4), { key: "action", label: "col.action", render: why }];
  $("my-fulfilled").replaceChildren(cards(table(closed, done, { rowAttrs: attrs })));
}

// ---- my members' coverage ----------------------------------------------------------------------
async function loadCoverage() {
  const mine = (state.seats ?? []).filter((s) => s.role === "secretary");
  const found = await Promise.all(mine.map((s) => api(COMPLIANCE, "/v1/coverage", { params: { org_id: s.org_id } })));
  const people = found.flatMap(({ data }) => data.people);
  for (const p of [...people, ...found.flatMap(({ data }) => data.secretaries)]) know(p.person_id, p.name);
  renamePicked();
  const columns = [
    { key: "name", label: "col.name" },
    { key: "person_id", label: "col.person_id" },
    { key: "talks", label: "col.talks", class: "num" },
    { key: "target", label: "col.target", class: "num" },
    { key: "state", label: "col.state", render: (r) => badge(`state-${r.state}`, stateLabel(r.state)) },
  ];
  $("my-coverage").replaceChildren(cards(table(columns, people, { empty: t("ws.no_members"), rowAttrs: (r) => ({ dataset: { person: r.person_id } }) })));
}

// ---- the record forms --------------------------------------------------------------------------
function showSheet(kind) {
  state.sheet = kind;
  for (const tab of document.querySelectorAll("[data-form]")) tab.classList.toggle("active", tab.dataset.form === kind);
  for (const row of document.querySelectorAll("[data-only]")) row.hidden = row.dataset.only !== kind;
  for (const th of document.querySelectorAll("[data-collective]")) {
    th.textContent = t(kind === "collective" ? th.dataset.collective : th.dataset.i18n);
  }
  $("sheet-title").textContent = t(kind === "collective" ? "ws.collective" : "ws.individual");
  $("form-notice").replaceChildren();
  clearErrors();
}

// The form's local time, to the second: a talk held the minute its trigger arrived must not read
// as held before it.
function localTime(at = new Date()) {
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

function resetForm() {
  form().reset();
  $("follow-ups").replaceChildren();
  form().held_at.value = localTime();
  pickers.talker_ids.set([state.me]);
  pickers.talkee_ids.set([]);
  state.from = null;
  clearErrors();
}

function prefill(ob) {
  showSheet("individual");
  resetForm();
  const f = form();
  // Now, or the trigger's second rounded up when it came within this very second.
  f.held_at.value = localTime(new Date(Math.max(Date.now(), Math.ceil(new Date(ob.triggered_at).getTime() / 1000) * 1000)));
  know(ob.subject_id, ob.subject_name);
  pickers.talkee_ids.set([ob.subject_id]);
  f.kind.value = "must_talk";
  f.mode.value = "one_to_one";
  for (const box of f.querySelectorAll('input[name="rule_ids"]')) box.checked = box.value === ob.rule_id;
  state.from = ob;
  notice("info", t("ws.prefilled", { rule: ruleLabel(ob.rule_id), subject: ob.subject_name ?? ob.subject_id }));
  $("form-card").scrollIntoView({ block: "start" });
  f.place.focus();
}

function addFollowUp() {
  const row = el("div", { class: "follow-up" },
    el("input", { type: "text", name: "follow_text", placeholder: t("f.follow_text") }),
    el("input", { type: "text", name: "follow_owner", placeholder: t("f.follow_owner"), value: state.me }),
    el("input", { type: "date", name: "follow_due" }),
    el("button", { type: "button", onclick: () => row.remove() }, t("f.remove")));
  $("follow-ups").append(row);
}

// The local time with its offset (…+08:00), not UTC: the coverage year is the year of the time as
// recorded, and a talk on the evening of 31 December in China belongs to that year.
function withOffset(at) {
  const minutes = -at.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const hh = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, "0");
  const mm = String(Math.abs(minutes) % 60).padStart(2, "0");
  return `${localTime(at)}${sign}${hh}:${mm}`;
}

const ids = (text) => text.split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean);

function readForm() {
  const f = form();
  const collective = state.sheet === "collective";
  const talkers = ids(f.talker_ids.value);
  const body = {
    held_at: f.held_at.value ? withOffset(new Date(f.held_at.value)) : "",
    place: f.place.value.trim(),
    talker_ids: talkers,
    talkee_ids: ids(f.talkee_ids.value),
    content: f.content.value,
    problems: f.problems.value,
    follow_ups: [...$("follow-ups").children].map((row) => ({
      text: row.querySelector('[name="follow_text"]').value.trim(),
      owner_id: row.querySelector('[name="follow_owner"]').value.trim(),
      due_date: row.querySelector('[name="follow_due"]').value,
    })),
  };
  if (collective) {
    return { ...body, kind: "regular", mode: talkers.length === 1 ? "one_to_many" : "many_to_many", theme: f.theme.value.trim() };
  }
  return {
    ...body, kind: f.kind.value, mode: f.mode.value, suggestions: f.suggestions.value, confidential: f.confidential.checked,
    rule_ids: [...f.querySelectorAll('input[name="rule_ids"]:checked')].map((x) => x.value),
    topics: [...f.querySelectorAll('input[name="topics"]:checked')].map((x) => x.value),
  };
}

// What the browser can tell before asking the service; the service's answer is shown the same way.
function checkForm(body) {
  const errors = {};
  for (const field of ["held_at", "place", "talker_ids", "talkee_ids"]) {
    if (!body[field] || body[field].length === 0) errors[field] = t("f.required");
  }
  if (!body.content.trim()) errors.content = t("f.required");
  if (body.held_at && new Date(body.held_at) > new Date(Date.now() + 5 * 60_000)) errors.held_at = t("err.future");
  if (body.kind === "must_talk" && body.rule_ids.length === 0) errors.rule_ids = t("err.rules");
  // (v2) a talk counts from the trigger's date (C1: 30 days before it), not from its instant
  const from = state.from && new Date(`${state.from.trigger_date ?? state.from.triggered_at.slice(0, 10)}T00:00:00`);
  if (from && state.from.rule_id === "C1") from.setDate(from.getDate() - 30);
  if (from && body.held_at && new Date(body.held_at) < from) {
    errors.held_at = t("err.before_trigger", { at: localTime(from).slice(0, 10) });
  }
  if (body.follow_ups.some((x) => !x.text || !x.owner_id || !x.due_date)) errors.follow_ups = t("f.required");
  return errors;
}

// The talks service's 422 names the field in `loc`, or (for rules across fields) in its message.
const FIELD_OF_MESSAGE = [
  [/^content:/, "content", "err.blank"], [/^talker_ids and talkee_ids/, "talkee_ids", "err.self"],
  [/^mode one_to_one/, "talkee_ids", "err.one_to_one"], [/^mode one_to_many/, "talker_ids", "err.one_talker"],
  [/^kind must_talk/, "rule_ids", "err.rules"], [/is in the future/, "held_at", "err.future"],
];

function serverErrors(error) {
  const errors = {};
  for (const item of Array.isArray(error.body?.detail) ? error.body.detail : []) {
    const message = String(item.msg ?? "").replace(/^Value error, /, "");
    let field = item.loc?.[1];
    let label = null;
    for (const [pattern, name, key] of FIELD_OF_MESSAGE) {
      if (pattern.test(message)) { field = field && field !== "held_at" ? field : name; label = key; break; }
    }
    if (message.startsWith("not members")) label = null;
    errors[field ?? "form"] = message.startsWith("not members")
      ? t("err.not_members", { ids: message.replace(/^not members: /, "") })
      : label ? t(label) : message;
  }
  return Object.keys(errors).length ? errors : { form: error.message };
}

function clearErrors() {
  for (const node of form().querySelectorAll(".field-error")) node.remove();
  for (const node of form().querySelectorAll(".invalid")) node.classList.remove("invalid");
}

function showErrors(errors) {
  clearErrors();
  for (const [field, message] of Object.entries(errors)) {
    // the field's box first (a picker, a group of choices), else the field itself
    const target = form().querySelector(`[data-field="${field}"]`) ?? form().querySelector(`[name="${field}"]`);
    if (!target) { notice("bad", message); continue; }
    target.classList.add("invalid");
    target.closest("td").append(el("span", { class: "field-error", dataset: { errorFor: field } }, message));
  }
  if (Object.keys(errors).some((f) => form().querySelector(`[name="${f}"], [data-field="${f}"]`))) notice("bad", t("ws.fix"));
}

function notice(kind, text) {
  $("form-notice").replaceChildren(el("p", { class: `notice ${kind}`, role: "status" }, text));
}

async function submit(event) {
  event.preventDefault();
  const body = readForm();
  const errors = checkForm(body);
  if (Object.keys(errors).length) { showErrors(errors); return; }
  try {
    const { data } = await api(TALKS, "/v1/talks", { method: "POST", body });
    const from = state.from;
    resetForm();
    notice("ok", t("ws.saved", { id: data.talk_id }));
    if (from) state.waiting.set(from.obligation_id, data.talk_id);
    await loadObligations();
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) showErrors(serverErrors(error));
    else notice("bad", t("ws.failed", { reason: error.message }));
  }
}

// ---- wiring ------------------------------------------------------------------------------------
async function refresh() {
  if (!state.me) { $("who").textContent = t("ws.ask_me"); $("workspace").hidden = true; return; }
  $("workspace").hidden = false;
  await loadWho().catch((e) => { $("who").textContent = t("common.failed", { reason: e.message }); });
  await Promise.allSettled([loadInbox(), loadObligations(), loadCoverage()]);
  document.body.dataset.loaded = String(Date.now());
}

async function setUp() {
  translatePage();
  document.title = t("ws.title");
  try {
    state.me = (await signIn()).person_id;
  } catch (error) {
    $("who").textContent = t("common.failed", { reason: error.message });
    $("workspace").hidden = true;
    return;
  }
  $("signed-in-as").textContent = t("ws.signed_in_as", { id: state.me });
  $("sign-out").onclick = signOut;
  $("rule-choices").append(...RULES.map((r) => el("label", { title: ruleLabel(r) },
    el("input", { type: "checkbox", name: "rule_ids", value: r }), r)));
  for (const tab of document.querySelectorAll("[data-form]")) tab.onclick = () => { showSheet(tab.dataset.form); state.from = null; };
  for (const name of ["talker_ids", "talkee_ids"]) pickers[name] = picker(form().querySelector(`[data-field="${name}"]`), () => directory);
  $("add-follow-up").onclick = addFollowUp;
  $("show-read").onchange = loadInbox;
  form().addEventListener("submit", submit);
  $("clear-form").onclick = () => { resetForm(); $("form-notice").replaceChildren(); };
  resetForm();
  // Compliance tells when obligations change; the alert about it reaches notify a moment later.
  const changed = debounce(() => { loadObligations(); loadCoverage(); setTimeout(loadInbox, 1500); }, 300);
  listen(`${COMPLIANCE}/v1/changes`, changed, $("live"));
  setInterval(() => state.me && loadInbox(), INBOX_POLL_MS);
  // Should an event be missed (the stream reconnecting), a recorded talk is still seen fulfilled.
  setInterval(() => state.waiting.size && loadObligations(), WAITING_POLL_MS);
  refresh();
}

setUp();
