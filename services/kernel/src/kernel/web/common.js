// What the dashboard and the workspace share: translations, calls to the services, tables, paging.
// Plain ES modules, no build step: the files served are the files in the repository.

import { zh } from "./labels.js";

const LANGS = { zh };
export const lang = new URLSearchParams(location.search).get("lang") in LANGS
  ? new URLSearchParams(location.search).get("lang") : "zh";
const labels = LANGS[lang];

// A label by key; a missing one shows as ⟦key⟧ so the page test finds it.
export function t(key, values = {}) {
  let text = labels[key];
  if (text === undefined) return `⟦${key}⟧`;
  for (const [name, value] of Object.entries(values)) text = text.replaceAll(`{${name}}`, value);
  return text;
}

export function translatePage(root = document) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : lang;
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of root.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
}

export const statusLabel = (s) => t(`status.${s}`);
export const stateLabel = (s) => t(`state.${s}`);
export const ruleLabel = (r) => `${r} ${t(`rule.${r}`)}`;
export const kindLabel = (k) => t(`org.${k}`);

// A call to one of the services; errors carry the service's message, never a stack trace.
export class ApiError extends Error {
  constructor(status, body) {
    super(typeof body?.detail === "string" ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// ---- signing in: OpenID Connect, the authorization code flow with PKCE ---------------------------
// The token lives in this module's memory only (a reload signs in again); the PKCE verifier waits in
// sessionStorage for the one round trip to the issuer. The claims read here are for display: every
// service verifies the token itself.
let token = null;

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const randomText = () => b64url(crypto.getRandomValues(new Uint8Array(32)));

function claimsOf(jwt) {
  const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
  const c = JSON.parse(json);
  return { person_id: c.sub, roles: c.roles ?? [], scope: c.org_scope ?? [] };
}

async function discovery(issuer) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the sign-in service answers ${response.status}`);
  return response.json();
}

// Resolves to who signed in; otherwise sends the browser to the issuer (and never resolves).
export async function signIn() {
  const issuer = document.body.dataset.issuer;
  if (!issuer) throw new Error("sign-in is not configured (OIDC_ISSUER)");
  const meta = await discovery(issuer);
  const here = new URL(location.href);
  const code = here.searchParams.get("code");
  const pending = JSON.parse(sessionStorage.getItem("signin.pending") || "null");
  if (code && pending && pending.state === here.searchParams.get("state")) {
    sessionStorage.removeItem("signin.pending");
    history.replaceState(null, "", pending.redirect);
    const response = await fetch(meta.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: pending.verifier, redirect_uri: pending.redirect, client_id: "pages" }),
    });
    if (response.ok) {
      token = (await response.json()).access_token;
      return claimsOf(token);
    }
  }
  here.searchParams.delete("code");
  here.searchParams.delete("state");
  const verifier = randomText();
  const state = randomText();
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem("signin.pending", JSON.stringify({ state, verifier, redirect: here.href }));
  const params = { response_type: "code", client_id: "pages", scope: "openid", redirect_uri: here.href, state, code_challenge: challenge, code_challenge_method: "S256" };
  location.assign(`${meta.authorization_endpoint}?${new URLSearchParams(params)}`);
  return new Promise(() => {});
}

export function signOut() {
  token = null;
  location.assign(location.pathname);
}

// A file from an API (exports): fetched with the token, then saved under the service's file name.
export async function downloadFile(url) {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const disposition = response.headers.get("content-disposition") ?? "";
  const utf8 = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  const name = utf8 ? decodeURIComponent(utf8) : /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? "export";
  const link = el("a", { href: URL.createObjectURL(await response.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export async function api(base, path, { params = {}, method = "GET", body } = {}) {
  const url = new URL(path, base);
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, v);
  }
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, total: Number(response.headers.get("x-total-count") ?? NaN), headers: response.headers };
}

export function queryString(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
  }
  return search.toString();
}

// Building elements without innerHTML: nothing a member typed is ever parsed as markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A table: columns of {key, label, render?, class?}; rows of objects; `rowAttrs` per row.
export function table(columns, rows, { empty = t("common.empty"), rowAttrs = () => ({}) } = {}) {
  const head = el("tr", {}, columns.map((c) => el("th", { class: c.class }, t(c.label))));
  const body = rows.length
    ? rows.map((row) => el("tr", rowAttrs(row), columns.map((c) => el("td", { class: c.class, dataset: { col: c.key } },
        c.render ? c.render(row) : row[c.key] ?? "—"))))
    : [el("tr", {}, el("td", { colspan: columns.length, class: "empty" }, empty))];
  return el("table", {}, el("thead", {}, head), el("tbody", {}, body));
}

// Paging under a table: « previous · page n of m · next ».
export function pager(total, limit, offset, go) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  return el("div", { class: "pager" },
    el("button", { type: "button", disabled: page <= 1, onclick: () => go(offset - limit), "data-role": "prev" }, t("common.prev")),
    el("span", { "data-role": "page" }, t("common.page", { page, pages, total })),
    el("button", { type: "button", disabled: page >= pages, onclick: () => go(offset + limit), "data-role": "next" }, t("common.next")));
}

export const percent = (value) => (value === null || value === undefined ? "—" : `${value}%`);

// Green at or above 90 %, amber from 60 %, red below: how operators read coverage at a glance.
export function coverageClass(pct) {
  if (pct === null || pct === undefined) return "level-none";
  return pct >= 90 ? "level-good" : pct >= 60 ? "level-fair" : "level-poor";
}

export function badge(kind, text) {
  return el("span", { class: `badge ${kind}` }, text);
}

export function shortTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")} `
    + `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

// Live changes by server-sent events, read with fetch rather than EventSource: EventSource cannot
// send the bearer token, and the streams are for signed-in people only. After a dropped stream the
// page says so and connects again; what changed meanwhile is a `resync`.
export function listen(url, onChange, indicator) {
  const show = (state) => {
    if (!indicator) return;
    indicator.dataset.state = state;
    indicator.textContent = t(`live.${state}`);
  };
  const controller = new AbortController();
  let connected = false;
  const handle = (block) => {
    const lines = block.split("\n");
    const event = (lines.find((l) => l.startsWith("event:")) || "event: message").slice(6).trim();
    const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
    if (event === "ready") {
      show("on");
      if (connected) onChange({ resync: true }); // reconnected: what changed meanwhile was not heard
      connected = true;
    } else if (event === "change") {
      show("on");
      onChange(JSON.parse(data || "{}"));
    }
  };
  (async () => {
    for (;;) {
      show(connected ? "off" : "connecting");
      try {
        const headers = { accept: "text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) };
        const response = await fetch(url, { headers, signal: controller.signal, cache: "no-store" });
        if (!response.ok) throw new Error(`${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replaceAll("\r\n", "\n");
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            handle(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      show("off");
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  })();
  return { close: () => controller.abort() };
}

// Run `work` once calls have paused for `ms`: a burst of changes is one refresh, not a hundred.
export function debounce(work, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => work(...args), ms);
  };
}
