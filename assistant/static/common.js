// Shared helpers for the agent console and the supervisor audit page.
// Rules kept everywhere: user text is only ever put into the page as text nodes (h() below),
// every request carries the bearer token, and 4xx answers surface the server's "detail" message.

export const LABELS = ["flirtation", "date_request", "contact_request", "gift_offer", "insult", "anger"];
export const SIGNALS = ["rising_anger", "persistent_advances"];

const NAMES = {
  flirtation: "Flirtation",
  date_request: "Date request",
  contact_request: "Contact request",
  gift_offer: "Gift offer",
  insult: "Insult",
  anger: "Anger",
  rising_anger: "Rising anger",
  persistent_advances: "Persistent advances",
  personal_contact: "Personal contact",
};

/** A human name for a label or signal id ("date_request" -> "Date request"). */
export function labelName(id) {
  return NAMES[id] || String(id).replace(/_/g, " ");
}

// ---------------------------------------------------------------------------------------------
// DOM

/**
 * Create an element. `attrs`: plain attributes, plus `class`, `dataset` (object), `on` (object of
 * event listeners), `text` (text content) and boolean properties (`disabled`, `hidden`, `checked`).
 * Children: nodes, strings (always added as text nodes), arrays, null/undefined/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") for (const [k, v] of Object.entries(value)) { if (v != null) node.dataset[k] = String(v); }
    else if (key === "on") for (const [k, v] of Object.entries(value)) node.addEventListener(k, v);
    else if (key === "disabled" || key === "hidden" || key === "checked" || key === "selected") node[key] = Boolean(value);
    else if (key === "value") node.value = String(value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Replace the children of `node` with `children` (same rules as h()). */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** Small inline SVG icons (built with DOM calls, no markup strings). */
export function icon(name, size = 16) {
  const paths = {
    info: ["M12 8h.01", "M11 12h1v5h1"],
    warning: ["M12 9v4", "M12 17h.01", "M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z"],
    critical: ["M12 8v5", "M12 16.5h.01", "M7.9 2h8.2L22 7.9v8.2L16.1 22H7.9L2 16.1V7.9Z"],
    check: ["M20 6 9 17l-5-5"],
    x: ["M18 6 6 18", "M6 6l12 12"],
    thumbUp: ["M7 10v11", "M15 5.9 14 10h5.8a2 2 0 0 1 2 2.3l-1.4 7A2 2 0 0 1 18.4 21H7V10l4-8a3 3 0 0 1 4 3.9Z"],
    thumbDown: ["M17 14V3", "M9 18.1 10 14H4.2a2 2 0 0 1-2-2.3l1.4-7A2 2 0 0 1 5.6 3H17v11l-4 8a3 3 0 0 1-4-3.9Z"],
    bell: ["M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9", "M10.3 21a1.9 1.9 0 0 0 3.4 0"],
    download: ["M12 3v12", "m7 10 5 5 5-5", "M5 21h14"],
    logout: ["M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4", "m16 17 5-5-5-5", "M21 12H9"],
    chat: ["M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"],
    shield: ["M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10"],
    arrowLeft: ["M19 12H5", "m12 19-7-7 7-7"],
    refresh: ["M21 12a9 9 0 0 1-15.5 6.3L3 16", "M3 12a9 9 0 0 1 15.5-6.3L21 8", "M21 3v5h-5", "M3 21v-5h5"],
  };
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.classList.add("icon");
  if (name === "info") {
    const c = document.createElementNS(ns, "circle");
    c.setAttribute("cx", "12"); c.setAttribute("cy", "12"); c.setAttribute("r", "10");
    svg.appendChild(c);
  }
  for (const d of paths[name] || []) {
    const p = document.createElementNS(ns, "path");
    p.setAttribute("d", d);
    svg.appendChild(p);
  }
  return svg;
}

/** A label chip; `score` (0..1) is shown as a percentage and a tiny bar in the tooltip/title. */
export function chip(id, { score, kind = "label", testid } = {}) {
  const title = score != null ? `${labelName(id)}: ${pct(score)} model score` : labelName(id);
  return h("span", { class: ["chip", `chip-${kind}`, `chip-${id}`], title, "data-testid": testid, dataset: { label: id } },
    h("span", { class: "chip-dot", "aria-hidden": "true" }),
    labelName(id),
    score != null ? h("span", { class: "chip-score" }, pct(score)) : null);
}

export function pct(x) {
  const n = Number(x);
  if (!Number.isFinite(n)) return "–";
  return `${Math.round(n * 100)}%`;
}

// ---------------------------------------------------------------------------------------------
// Time

/** Server timestamps without an offset are UTC (SQLite drops the zone); parse them as such. */
export function parseTime(value) {
  if (!value) return null;
  if (value instanceof Date) return value;
  let s = String(value);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s += "Z";
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** "14:05" today, "12 Mar, 14:05" otherwise. */
export function shortTime(value) {
  const d = parseTime(value);
  if (!d) return "";
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return timeFmt.format(d);
  return `${dayFmt.format(d)}, ${timeFmt.format(d)}`;
}

export function fullTime(value) {
  const d = parseTime(value);
  return d ? fullFmt.format(d) : "";
}

/** "just now", "5 min ago", "3 h ago", then the short date. */
export function relativeTime(value) {
  const d = parseTime(value);
  if (!d) return "";
  const s = (Date.now() - d.getTime()) / 1000;
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 6 * 3600) return `${Math.round(s / 3600)} h ago`;
  if (d.toDateString() === new Date().toDateString()) return timeFmt.format(d);
  return dayFmt.format(d);
}

/** A <time> element with the full date as a tooltip. */
export function timeEl(value, mode = "short") {
  const d = parseTime(value);
  if (!d) return h("time", {}, "");
  return h("time", { datetime: d.toISOString(), title: fullTime(d) }, mode === "relative" ? relativeTime(d) : shortTime(d));
}

// ---------------------------------------------------------------------------------------------
// Token and HTTP

export class TokenStore {
  constructor(key) { this.key = key; }
  get() { try { return localStorage.getItem(this.key) || ""; } catch { return ""; } }
  set(token) { try { localStorage.setItem(this.key, token); } catch { /* private mode: keep it in memory only */ } }
  clear() { try { localStorage.removeItem(this.key); } catch { /* ignore */ } }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Turn a FastAPI error body into one readable sentence (string detail, or a 422 list of errors). */
export function detailMessage(body, status) {
  const detail = body && typeof body === "object" ? body.detail : null;
  if (typeof detail === "string" && detail) return detail;
  if (Array.isArray(detail) && detail.length) {
    return detail.map((e) => {
      const loc = Array.isArray(e.loc) ? e.loc.filter((p) => p !== "body" && p !== "query").join(".") : "";
      return loc ? `${loc}: ${e.msg}` : String(e.msg || e);
    }).join("; ");
  }
  if (status === 401) return "Your token was not accepted; sign in again.";
  if (status === 403) return "This token is not allowed to do that.";
  if (status === 404) return "Not found.";
  if (status >= 500) return `The server had a problem (HTTP ${status}). Try again in a moment.`;
  return `Request failed (HTTP ${status}).`;
}

/**
 * fetch() with the bearer token and JSON in/out. Throws ApiError with the server's detail message;
 * network failures become ApiError(0, ...). `raw: true` returns the Response (for downloads).
 */
export async function api(path, { token, method = "GET", body, raw = false, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, "Cannot reach the server. Check your connection; retrying may help.");
  }
  if (!res.ok) {
    let data = null;
    try { data = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, detailMessage(data, res.status));
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** Fetch `path` as a blob with the token and save it under the Content-Disposition filename. */
export async function download(path, token, fallbackName) {
  const res = await api(path, { token, raw: true });
  const blob = await res.blob();
  const name = filenameFrom(res.headers.get("Content-Disposition")) || fallbackName;
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { name, size: blob.size };
}

export function filenameFrom(disposition) {
  if (!disposition) return "";
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star) {
    try { return decodeURIComponent(star[1].trim().replace(/^"|"$/g, "")); } catch { /* fall through */ }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(disposition);
  return plain ? (plain[2] ?? plain[1]).trim() : "";
}

export function wsUrl(path, token) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}${path}?token=${encodeURIComponent(token)}`;
}

// ---------------------------------------------------------------------------------------------
// Live socket with reconnect, backoff and a keep-alive ping

/**
 * states: "connecting" | "open" | "waiting" (reconnect scheduled) | "rejected" (1008: bad token) | "closed".
 * onStatus(state, info) info: {retryIn (s), reason}. onMessage(obj). send(obj) -> false when not open.
 */
export class LiveSocket {
  constructor(path, token, { onMessage, onStatus, onOpen, onClose, pingSeconds = 25 } = {}) {
    Object.assign(this, { path, token, onMessage, onStatus, onOpen, onClose, pingSeconds });
    this.attempt = 0;
    this.stopped = false;
    this.ws = null;
    this.timer = null;
    this.pinger = null;
  }

  start() {
    this.stopped = false;
    this.connect();
    this._online = () => { if (this.state === "waiting") this.reconnectNow(); };
    window.addEventListener("online", this._online);
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    window.removeEventListener("online", this._online);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      try { ws.close(1000, "signed out"); } catch { /* ignore */ }
    }
    this.status("closed", {});
  }

  get isOpen() { return Boolean(this.ws && this.ws.readyState === WebSocket.OPEN); }

  send(obj) {
    if (!this.isOpen) return false;
    try { this.ws.send(JSON.stringify(obj)); return true; } catch { return false; }
  }

  reconnectNow() {
    clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  status(state, info) {
    this.state = state;
    if (this.onStatus) this.onStatus(state, info || {});
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.status("connecting", {});
    let ws;
    try {
      ws = new WebSocket(wsUrl(this.path, this.token));
    } catch {
      this.schedule("could not open the socket");
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.attempt = 0;
      this.status("open", {});
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.send({ type: "ping" }), this.pingSeconds * 1000);
      if (this.onOpen) this.onOpen();
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      let data;
      try { data = JSON.parse(event.data); } catch { return; }
      if (this.onMessage && data && typeof data === "object") this.onMessage(data);
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      clearInterval(this.pinger);
      this.ws = null;
      if (this.onClose) this.onClose(event);
      if (this.stopped) return;
      if (event.code === 1008) {
        this.status("rejected", { reason: event.reason || "the server refused this token" });
        return;
      }
      this.schedule(event.reason || "");
    };
    ws.onerror = () => { /* onclose follows and handles the retry */ };
  }

  schedule(reason) {
    if (this.stopped) return;
    const base = Math.min(30, 2 ** Math.min(this.attempt, 5)); // 1, 2, 4, 8, 16, 30 s
    const delay = base * (0.8 + Math.random() * 0.4);
    this.attempt += 1;
    this.status("waiting", { retryIn: Math.round(delay), reason });
    this.timer = setTimeout(() => this.connect(), delay * 1000);
  }
}

/** Render the connection dot + words into `node` for a LiveSocket state. */
export function renderConnection(node, state, info = {}) {
  const words = {
    connecting: "Connecting…",
    open: "Live",
    waiting: info.retryIn != null ? `Offline · retrying in ${info.retryIn}s` : "Offline",
    rejected: "Live updates refused",
    closed: "Not connected",
  }[state] || state;
  node.dataset.state = state;
  node.title = state === "rejected" ? `Live updates refused: ${info.reason || ""}`
    : state === "waiting" && info.reason ? `Disconnected: ${info.reason}` : words;
  fill(node, h("span", { class: "dot", "aria-hidden": "true" }), h("span", { class: "conn-text" }, words));
}

// ---------------------------------------------------------------------------------------------
// Toasts

let toastRoot = null;

/**
 * Show a toast. kind: info|success|warning|critical|error. action: {label, run}. Returns a close fn.
 * Toasts stay `timeout` ms (0 = until closed); hovering keeps them.
 */
export function toast(message, { title, kind = "info", action, timeout = 6000, testid = "toast", onClose } = {}) {
  if (!toastRoot) {
    toastRoot = h("div", { class: "toasts", role: "region", "aria-label": "Notifications", "aria-live": "polite" });
    document.body.appendChild(toastRoot);
  }
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    if (onClose) onClose();
    node.classList.add("leaving");
    setTimeout(() => node.remove(), 180);
  };
  const node = h("div", { class: ["toast", `toast-${kind}`], "data-testid": testid, role: kind === "error" ? "alert" : "status" },
    h("div", { class: "toast-body" },
      title ? h("div", { class: "toast-title" }, title) : null,
      message ? h("div", { class: "toast-message" }, message) : null),
    action ? h("button", { class: "btn btn-small", type: "button", on: { click: () => { action.run(); close(); } } }, action.label) : null,
    h("button", { class: "icon-btn", type: "button", "aria-label": "Close notification", on: { click: close } }, icon("x", 14)));
  toastRoot.appendChild(node);
  while (toastRoot.children.length > 4) toastRoot.firstElementChild.remove();
  node.close = close;
  if (timeout) {
    let t = setTimeout(close, timeout);
    node.addEventListener("mouseenter", () => clearTimeout(t));
    node.addEventListener("mouseleave", () => { t = setTimeout(close, timeout / 2); });
  }
  return close;
}

// ---------------------------------------------------------------------------------------------
// Sign-in strip

/**
 * The token strip in the header. `root` gets either a token form or "Signed in as NAME · Sign out".
 * onSignedIn(me, token) runs after GET /api/me accepts the token (and `expectRole` matches);
 * onSignedOut() after "Sign out". Returns {signOut(message), token()}.
 */
export function signInStrip(root, { store, expectRole, otherPage, onSignedIn, onSignedOut }) {
  let token = "";

  const showForm = (error) => {
    const input = h("input", {
      type: "password", id: "token-input", "data-testid": "token", autocomplete: "off", spellcheck: "false",
      placeholder: "Paste your access token", "aria-label": "Access token", class: "input token-input",
    });
    const button = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "sign-in" }, "Sign in");
    const err = h("span", { class: "signin-error", role: "alert", "data-testid": "signin-error" }, error || "");
    const form = h("form", { class: "signin-form", on: { submit: async (e) => {
      e.preventDefault();
      const value = input.value.trim();
      if (!value) { err.textContent = "Paste the token printed by `assistant users add`."; input.focus(); return; }
      button.disabled = true;
      button.textContent = "Signing in…";
      err.textContent = "";
      const ok = await tryToken(value, (message) => { err.textContent = message; });
      if (!ok) { button.disabled = false; button.textContent = "Sign in"; input.select(); }
    } } }, h("label", { for: "token-input", class: "signin-label" }, "Token"), input, button, err);
    fill(root, form);
    root.dataset.state = "signed-out";
    setTimeout(() => input.focus(), 0);
  };

  const showUser = (me) => {
    fill(root,
      h("span", { class: "whoami", "data-testid": "whoami" },
        h("span", { class: "avatar", "aria-hidden": "true" }, (me.name || "?").slice(0, 1).toUpperCase()),
        h("span", {}, h("span", { class: "muted" }, "Signed in as "), h("strong", {}, me.name),
          me.language ? h("span", { class: "lang-tag", title: "Guideline language" }, me.language) : null)),
      h("button", { type: "button", class: "btn btn-ghost btn-small", "data-testid": "sign-out", on: { click: () => signOut() } },
        icon("logout", 14), "Sign out"));
    root.dataset.state = "signed-in";
  };

  async function tryToken(value, report) {
    let me;
    try {
      me = await api("/api/me", { token: value });
    } catch (err) {
      report(err.status === 401 ? `Token not accepted: ${err.message}` : err.message);
      return false;
    }
    if (expectRole && me.role !== expectRole) {
      report(`This page is for ${expectRole} tokens; yours is a ${me.role} token.` + (otherPage ? ` ${otherPage}` : ""));
      return false;
    }
    token = value;
    store.set(value);
    showUser(me);
    onSignedIn(me, value);
    return true;
  }

  function signOut(message) {
    token = "";
    store.clear();
    onSignedOut(message);
    showForm(message);
  }

  const saved = store.get();
  if (saved) {
    fill(root, h("span", { class: "muted" }, "Checking your token…"));
    tryToken(saved, (message) => { store.clear(); onSignedOut(message); showForm(message); });
  } else {
    showForm();
    onSignedOut();
  }
  return { signOut, token: () => token };
}

/** A centred empty/loading/error state block. */
export function stateBlock(kind, title, text, extra) {
  return h("div", { class: ["state", `state-${kind}`], "data-testid": `state-${kind}`, role: kind === "error" ? "alert" : null },
    kind === "loading" ? h("span", { class: "spinner", "aria-hidden": "true" }) : null,
    title ? h("div", { class: "state-title" }, title) : null,
    text ? h("div", { class: "state-text" }, text) : null,
    extra || null);
}

/** "1 message", "3 messages". */
export function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Debounce: run fn once, `ms` after the last call. */
export function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
