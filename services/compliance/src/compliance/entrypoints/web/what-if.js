// 政策推演: operators change policy numbers, the compliance service replays the log under them
// (POST /v1/what-if), and the page follows the run and shows the year side by side with today's.
import { api, downloadFile, el, ruleLabel, shortTime, signIn, signOut, t, table, translatePage } from "/common/common.js";

const BASE = location.origin;
const RULES = ["M1", "M2", "M3", "M4", "M5", "M6", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "REQ"];
const $ = (id) => document.getElementById(id);
const state = { run: null, org: null, timer: null };

// ---- asking -------------------------------------------------------------------------------------
function policyAsked() {
  const policy = {};
  const days = {};
  for (const input of $("rule-days").querySelectorAll("input")) {
    if (input.value !== "") days[input.name] = Number(input.value);
  }
  if (Object.keys(days).length) policy.due_days = days;
  if ($("escalate-after").value !== "") policy.escalate_after_days = Number($("escalate-after").value);
  if ($("collective").value !== "") policy.collective_talks_count = $("collective").value === "true";
  return policy;
}

function showPolicy() {
  $("policy-json").textContent = JSON.stringify(policyAsked());
}

async function start(event) {
  event.preventDefault();
  $("ask-error").hidden = true;
  try {
    const { data } = await api(BASE, "/v1/what-if", { method: "POST", body: { policy: policyAsked(), year: Number($("year").value) } });
    follow(data.run_id);
    loadRuns();
  } catch (error) {
    $("ask-error").textContent = t("wi.refused", { reason: error.message });
    $("ask-error").hidden = false;
  }
}

// ---- following a run ------------------------------------------------------------------------------
function follow(runId, org = null) {
  state.run = runId;
  state.org = org;
  clearTimeout(state.timer);
  $("run-card").hidden = false;
  poll();
}

async function poll() {
  const runId = state.run;
  const { data: run } = await api(BASE, `/v1/what-if/${runId}`, { params: { org_id: state.org } });
  if (runId !== state.run) return;
  $("run-title").textContent = t("wi.run_title", { policy: JSON.stringify(run.policy), year: run.year });
  const pct = run.of ? Math.round((100 * run.done) / run.of) : 0;
  $("progress-bar").style.width = `${run.status === "done" ? 100 : pct}%`;
  $("progress").dataset.status = run.status;
  $("progress-text").textContent = run.status === "running"
    ? t("wi.progress", { stage: t(`wi.stage.${run.stage ?? "reading the log"}`), done: run.done, of: run.of })
    : run.status === "failed" ? t("wi.failed", { reason: run.error ?? "" }) : t(`wi.status.${run.status}`);
  if (run.status === "running") {
    state.timer = setTimeout(poll, 1000);
    $("comparison").replaceChildren();
    return;
  }
  if (run.status === "done") showReport(run);
  loadRuns();  // its status in the list too
}

function showReport(run) {
  const rows = run.report.rows;
  const exports = $("run-exports");
  exports.replaceChildren(el("span", { class: "muted" }, t("export.label")),
    ...["csv", "xlsx"].map((format) => el("a", {
      href: `/v1/what-if/${run.run_id}/export?format=${format}`, "data-format": format,
      onclick: (e) => { e.preventDefault(); downloadFile(e.target.href).catch((err) => alert(err.message)); },
    }, format.toUpperCase())));
  $("crumbs").replaceChildren(...(state.org
    ? [el("a", { href: "#", onclick: (e) => { e.preventDefault(); follow(run.run_id, null); } }, t("wi.top")), el("span", {}, ` › ${state.org}`)]
    : []));
  // One block per organisation of the level (the whole city first), only the numbers that are not both zero.
  const byOrg = new Map();
  for (const row of rows) {
    if (!byOrg.has(row.org_id)) byOrg.set(row.org_id, []);
    if (row.live || row.what_if) byOrg.get(row.org_id).push(row);
  }
  const blocks = [];
  for (const [orgId, orgRows] of byOrg) {
    const first = rows.find((r) => r.org_id === orgId);
    const drill = orgId && orgId !== state.org
      ? el("a", { href: "#", "data-org": orgId, onclick: (e) => { e.preventDefault(); follow(run.run_id, orgId); } }, t("wi.below"))
      : null;
    blocks.push(el("div", { class: "org-block", dataset: { org: orgId ?? "" } },
      el("h3", {}, first.org_name, " ", drill),
      table([
        { key: "rule_id", label: "col.rule", render: (r) => ruleLabel(r.rule_id) },
        { key: "measure", label: "wi.measure", render: (r) => t(`wi.m.${r.measure}`) },
        { key: "live", label: "wi.live", class: "num" },
        { key: "what_if", label: "wi.what_if", class: "num" },
        { key: "change", label: "wi.change", class: "num", render: (r) => el("span", { class: r.change > 0 ? "up" : r.change < 0 ? "down" : "" }, r.change > 0 ? `+${r.change}` : `${r.change}`) },
      ], orgRows, { empty: t("wi.nothing") })));
  }
  $("comparison").replaceChildren(...blocks);
}

// ---- earlier runs ---------------------------------------------------------------------------------
async function loadRuns() {
  const { data } = await api(BASE, "/v1/what-if");
  $("runs").replaceChildren(table([
    { key: "started_at", label: "col.time", render: (r) => shortTime(r.started_at) },
    { key: "policy", label: "wi.policy", render: (r) => JSON.stringify(r.policy) },
    { key: "year", label: "common.year" },
    { key: "status", label: "col.status", render: (r) => t(`wi.status.${r.status}`) },
    { key: "open", label: "col.action", render: (r) => el("button", { type: "button", onclick: () => follow(r.run_id) }, t("wi.view")) },
  ], data));
}

async function setUp() {
  translatePage();
  const me = await signIn();
  $("signed-in-as").textContent = t("ws.signed_in_as", { id: me.person_id });
  $("sign-out").onclick = signOut;
  const { data: policy } = await api(BASE, "/v1/policy");
  $("rule-days").append(...RULES.map((rule) => el("label", {},
    el("span", {}, rule), el("input", { type: "number", min: 0, max: 3660, name: rule, placeholder: policy.due_days[rule], size: 3 }))));
  $("escalate-after").placeholder = policy.escalate_after_days;
  const thisYear = new Date().getFullYear();
  for (let y = thisYear; y >= thisYear - 4; y--) $("year").append(el("option", { value: y }, y));
  $("ask").addEventListener("input", showPolicy);
  $("ask").addEventListener("change", showPolicy);
  $("ask").addEventListener("submit", start);
  showPolicy();
  loadRuns();
  const asked = new URLSearchParams(location.search).get("run");
  if (asked) follow(asked);
}

setUp().catch((error) => {
  $("ask-error").textContent = t("common.failed", { reason: error.message });
  $("ask-error").hidden = false;
});
