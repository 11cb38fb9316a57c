// The operators' dashboard: the tree a level at a time, obligations, charts, workload, exports, live.
import {
  api, badge, coverageClass, debounce, downloadFile, el, kindLabel, listen, pager, percent, queryString, ruleLabel,
  shortTime, signIn, signOut, stateLabel, statusLabel, t, table, translatePage,
} from "/common/common.js";
import { whyButton, whyCoverageButton } from "/common/why.js";

const BASE = location.origin;
const OPEN = ["open", "due_soon", "overdue", "escalated", "reassigned"];
const TABS = [
  { key: "all_open", statuses: OPEN },
  { key: "open", statuses: ["open", "reassigned"] },
  { key: "due_soon", statuses: ["due_soon"] },
  { key: "overdue", statuses: ["overdue"] },
  { key: "escalated", statuses: ["escalated"] },
  { key: "fulfilled", statuses: ["fulfilled", "fulfilled_late"] },
];
const RULES = ["M1", "M2", "M3", "M4", "M5", "M6", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "REQ"];
const PAGE = 20;

const state = {
  year: new Date().getFullYear(),
  node: new URLSearchParams(location.search).get("org") || null,
  tab: "all_open",
  filters: { rule_id: "", scope: "subtree", responsible_id: "", min_age_days: "" },
  obligationOffset: 0,
  workloadOffset: 0,
  person: null,
};
const $ = (id) => document.getElementById(id);

// ---- scope: the filters every table shares ----------------------------------------------------
function obligationParams() {
  const tab = TABS.find((x) => x.key === state.tab);
  return {
    org_id: state.node, subtree: state.node && state.filters.scope === "subtree",
    status: tab.statuses, rule_id: state.filters.rule_id,
    responsible_id: state.filters.responsible_id.trim(), min_age_days: state.filters.min_age_days,
  };
}

function setExports(name, params, box = document.querySelector(`.exports[data-table="${name}"]`)) {
  const qs = queryString({ ...params, year: state.year });
  box.replaceChildren(
    el("span", { class: "muted" }, t("export.label")),
    ...["csv", "xlsx"].map((format) => {
      const link = el("a", { href: `/v1/export/${name}.${format}?${qs}`, "data-format": format }, format.toUpperCase());
      link.onclick = (event) => { event.preventDefault(); downloadFile(link.href).catch((e) => alert(e.message)); };
      return link;
    }));
}

// ---- the tree ----------------------------------------------------------------------------------
function ratio(covered, total) {
  return total ? `${covered}/${total}` : "—";
}

function coverageBar(pct) {
  return el("div", { class: `meter ${coverageClass(pct)}`, title: percent(pct) },
    el("span", { style: `width:${Math.min(100, pct ?? 0)}%` }), el("em", {}, percent(pct)));
}

async function loadTree() {
  const { data } = await api(BASE, "/v1/tree", { params: { parent_id: state.node, year: state.year } });
  const crumbs = [el("a", { href: "#", onclick: (e) => { e.preventDefault(); go(null); } }, t("dash.city"))];
  for (const org of data.path) {
    crumbs.push(el("span", { class: "sep" }, "›"));
    crumbs.push(el("a", { href: "#", dataset: { org: org.org_id }, onclick: (e) => { e.preventDefault(); go(org.org_id); } }, org.name));
  }
  $("crumbs").replaceChildren(...crumbs);
  const s = data.summary;
  $("summary").replaceChildren(
    summaryCard("sum.members", percent(s.coverage_pct), `${s.members_covered}/${s.members}`, coverageClass(s.coverage_pct), "members"),
    summaryCard("sum.at_risk", String(s.members_at_risk), t("sum.at_risk_hint"), s.members_at_risk ? "level-poor" : "level-good", "at-risk"),
    summaryCard("sum.secretaries", ratio(s.secretaries_covered, s.secretaries), t("sum.secretaries_hint"), "", "secretaries"),
    summaryCard("sum.pairs", ratio(s.pairs_covered, s.pairs), t("sum.pairs_hint"), "", "pairs"));
  const columns = [
    { key: "name", label: "col.org", render: (r) => el("button", { type: "button", class: "link", onclick: () => go(r.org_id) },
      r.name, r.children ? el("span", { class: "muted" }, ` (${r.children})`) : "") },
    { key: "kind", label: "col.kind", render: (r) => kindLabel(r.kind) },
    { key: "members", label: "col.members", class: "num" },
    { key: "members_covered", label: "col.covered", class: "num" },
    { key: "members_pending", label: "col.pending", class: "num" },
    { key: "members_at_risk", label: "col.at_risk", class: "num" },
    { key: "coverage_pct", label: "col.coverage", render: (r) => coverageBar(r.coverage_pct) },
    { key: "secretaries", label: "col.secretaries", class: "num", render: (r) => ratio(r.secretaries_covered, r.secretaries) },
    { key: "pairs", label: "col.pairs", class: "num", render: (r) => ratio(r.pairs_covered, r.pairs) },
  ];
  $("tree").replaceChildren(data.children.length
    ? table(columns, data.children, { rowAttrs: (r) => ({ dataset: { org: r.org_id } }) })
    : el("p", { class: "muted" }, t("dash.no_children")));
  setExports("tree", { parent_id: state.node });
}

function summaryCard(label, value, hint, level, role) {
  return el("div", { class: `stat ${level}`, dataset: { stat: role } },
    el("div", { class: "stat-label" }, t(label)), el("div", { class: "stat-value" }, value), el("div", { class: "muted" }, hint));
}

async function loadPeople() {
  const block = $("people-block");
  if (!state.node) { block.hidden = true; return; }
  const { data } = await api(BASE, "/v1/coverage", { params: { org_id: state.node, year: state.year } });
  block.hidden = data.people.length === 0;
  const columns = [
    { key: "name", label: "col.name", render: (r) => el("button", { type: "button", class: "link", onclick: () => showPerson(r) }, r.name ?? r.person_id) },
    { key: "person_id", label: "col.person_id" },
    { key: "talks", label: "col.talks", class: "num" },
    { key: "target", label: "col.target", class: "num" },
    { key: "state", label: "col.state", render: (r) => badge(`state-${r.state}`, stateLabel(r.state)) },
  ];
  $("people").replaceChildren(table(columns, data.people, { rowAttrs: (r) => ({ dataset: { person: r.person_id } }) }));
  setExports("people", { org_id: state.node });
}

async function showPerson(person) {
  state.person = person;
  const { data } = await api(BASE, "/v1/obligations", { params: { subject_id: person.person_id, limit: 100 } });
  $("person-card").hidden = false;
  $("person-title").textContent = `${person.name ?? person.person_id} · ${person.person_id}`;
  setExports("obligations", { subject_id: person.person_id }, $("person-exports"));
  $("person").replaceChildren(
    el("p", {}, t("person.coverage", { talks: person.talks, target: person.target }), " ",
      badge(`state-${person.state}`, stateLabel(person.state)), " ", whyCoverageButton(BASE, person.person_id, state.year)),
    table(obligationColumns(), data, { empty: t("person.no_obligations") }));
  $("person-card").scrollIntoView({ block: "nearest" });
}

function go(orgId) {
  state.node = orgId;
  state.obligationOffset = 0;
  state.workloadOffset = 0;
  $("person-card").hidden = true;
  const url = new URL(location.href);
  if (orgId) url.searchParams.set("org", orgId); else url.searchParams.delete("org");
  history.replaceState(null, "", url);
  refresh();
}

// ---- obligations -------------------------------------------------------------------------------
function obligationColumns() {
  return [
    { key: "rule_id", label: "col.rule", render: (r) => el("span", { title: ruleLabel(r.rule_id) }, ruleLabel(r.rule_id)) },
    { key: "subject_name", label: "col.subject", render: (r) => `${r.subject_name ?? ""} (${r.subject_id})` },
    { key: "org_name", label: "col.org", render: (r) => r.org_name ?? r.org_id },
    { key: "responsible_name", label: "col.responsible", render: (r) => r.responsible_id ? `${r.responsible_name ?? ""} (${r.responsible_id})`
      : r.responsible_kind === "operators" ? `${t("responsible.operators")} · ${r.responsible_org_id ?? ""}` : t("common.vacant") },
    { key: "triggered_at", label: "col.opened", render: (r) => shortTime(r.triggered_at) },
    { key: "due_date", label: "col.due" },
    { key: "status", label: "col.status", render: (r) => badge(`status-${r.status}`, statusLabel(r.status)) },
    { key: "why", label: "col.action", render: (r) => whyButton(BASE, r) },
  ];
}

async function loadObligations() {
  const params = obligationParams();
  const [{ data: counts }, { data, total }] = await Promise.all([
    api(BASE, "/v1/obligations/counts", { params }),
    api(BASE, "/v1/obligations", { params: { ...params, limit: PAGE, offset: state.obligationOffset } }),
  ]);
  $("status-tabs").replaceChildren(...TABS.map((tab) => {
    const n = tab.statuses.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
    return el("button", { type: "button", role: "tab", class: tab.key === state.tab ? "tab active" : "tab", dataset: { tab: tab.key },
      "aria-selected": String(tab.key === state.tab), onclick: () => { state.tab = tab.key; state.obligationOffset = 0; loadObligations(); } },
    t(`tab.${tab.key}`), el("span", { class: "count" }, n));
  }));
  $("obligations").replaceChildren(
    table(obligationColumns(), data, { empty: t("dash.no_obligations"), rowAttrs: (r) => ({ dataset: { obligation: r.obligation_id } }) }),
    pager(total, PAGE, state.obligationOffset, (offset) => { state.obligationOffset = offset; loadObligations(); }));
  setExports("obligations", params);
}

// ---- workload ----------------------------------------------------------------------------------
async function loadWorkload() {
  const params = { ...obligationParams(), status: [] };
  const { data, total } = await api(BASE, "/v1/workload", { params: { ...params, limit: 10, offset: state.workloadOffset } });
  const pick = (id) => { state.filters.responsible_id = id; $("filters").responsible_id.value = id; state.obligationOffset = 0; loadObligations(); };
  const columns = [
    { key: "responsible_name", label: "col.responsible", render: (r) => el("button", { type: "button", class: "link", onclick: () => pick(r.responsible_id) },
      `${r.responsible_name ?? ""} (${r.responsible_id})`) },
    { key: "open_total", label: "col.open_total", class: "num" },
    { key: "open", label: "status.open", class: "num" },
    { key: "due_soon", label: "status.due_soon", class: "num" },
    { key: "overdue", label: "status.overdue", class: "num" },
    { key: "escalated", label: "status.escalated", class: "num" },
    { key: "earliest_due", label: "col.earliest_due" },
  ];
  $("workload").replaceChildren(table(columns, data, { empty: t("dash.no_workload") }),
    pager(total, 10, state.workloadOffset, (offset) => { state.workloadOffset = offset; loadWorkload(); }));
  setExports("workload", params);
}

// ---- charts ------------------------------------------------------------------------------------
const charts = {};
function chart(id) {
  charts[id] ??= echarts.init($(id), null, { renderer: "svg" });
  return charts[id];
}
window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));

async function loadCharts() {
  const params = { org_id: state.node, subtree: Boolean(state.node), year: state.year };
  const { data } = await api(BASE, "/v1/monthly", { params });
  const now = new Date();
  const months = data.map((m) => `${Number(m.month.slice(5))}${t("chart.month")}`);
  const upToNow = data.map((m, i) => (state.year < now.getFullYear() || i <= now.getMonth() ? m.coverage_pct : null));
  chart("coverage-chart").setOption({
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "—" : `${v}%`) },
    grid: { left: 48, right: 16, top: 24, bottom: 32 },
    xAxis: { type: "category", data: months },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ name: t("chart.coverage"), type: "line", data: upToNow, smooth: true, areaStyle: { opacity: 0.15 } }],
  });
  chart("flow-chart").setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [t("chart.opened"), t("chart.fulfilled")], top: 0 },
    grid: { left: 40, right: 16, top: 32, bottom: 32 },
    xAxis: { type: "category", data: months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: t("chart.opened"), type: "bar", data: data.map((m) => m.opened) },
      { name: t("chart.fulfilled"), type: "bar", data: data.map((m) => m.fulfilled) },
    ],
  });
  setExports("monthly", params);
}

// ---- wiring ------------------------------------------------------------------------------------
async function refresh() {
  const steps = [loadTree(), loadPeople(), loadObligations(), loadWorkload(), loadCharts()];
  const results = await Promise.allSettled(steps);
  const failed = results.find((r) => r.status === "rejected");
  $("updated").textContent = failed ? t("common.failed", { reason: failed.reason.message }) : new Date().toLocaleTimeString("zh-CN");
  document.body.dataset.loaded = String(Date.now());
}

async function setUp() {
  translatePage();
  document.title = t("dash.title");
  let me;
  try {
    me = await signIn();
  } catch (error) {
    $("updated").textContent = t("common.failed", { reason: error.message });
    return;
  }
  $("signed-in-as").textContent = t("ws.signed_in_as", { id: me.person_id });
  $("sign-out").onclick = signOut;
  $("what-if-link").hidden = !me.roles.includes("operator");  // operators ask what-ifs (POST /v1/what-if)
  // An operator scoped to one organisation starts there (the city above is not theirs to see).
  if (!state.node && me.scope.length === 1) state.node = me.scope[0];
  const year = $("year");
  for (let y = state.year; y >= state.year - 4; y--) year.append(el("option", { value: y }, y));
  year.onchange = () => { state.year = Number(year.value); refresh(); };
  const rule = $("rule-filter");
  rule.append(el("option", { value: "" }, t("filter.any_rule")), ...RULES.map((r) => el("option", { value: r }, ruleLabel(r))));
  const form = $("filters");
  const read = () => {
    state.filters = Object.fromEntries(["rule_id", "scope", "responsible_id", "min_age_days"].map((k) => [k, form[k].value]));
    state.obligationOffset = 0;
    state.workloadOffset = 0;
    loadObligations();
    loadWorkload();
  };
  form.addEventListener("change", read);
  form.addEventListener("input", debounce(read, 400));
  form.addEventListener("reset", () => setTimeout(read));
  form.addEventListener("submit", (e) => e.preventDefault());
  $("person-close").onclick = () => { $("person-card").hidden = true; };
  listen("/v1/changes", debounce(refresh, 300), $("live"));
  refresh();
}

setUp();
