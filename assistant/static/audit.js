// Supervisor audit page: filtered flagged conversations, transcripts with reviews, exports, live alerts.
import {
  $, ApiError, LABELS, LiveSocket, SIGNALS, TokenStore, api, chip, download, fill, h, icon, labelName,
  pct, plural, relativeTime, renderConnection, signInStrip, stateBlock, timeEl, toast,
} from "./common.js";

const PAGE = 100;
const MAX_ALERTS = 100;
const DEVANAGARI = /[\u0900-\u097F]/;

// The guidelines in the supervisor's reading language: a nudge keeps the title the agent saw (maybe Hindi),
// and the audit adds this English name beside it.
const GUIDELINE_TITLES = {
  stay_neutral: "Stay neutral",
  make_the_rule: "Make it the rule",
  keep_your_hours: "Keep your hours",
  decline_gifts: "Decline gifts",
  do_not_respond_in_kind: "Don't respond in kind",
  calm_down_before_replying: "Calm down before replying",
  de_escalate: "De-escalate",
  involve_supervisor: "Involve your supervisor",
};

/** The English name of a guideline id (the id itself, made readable, when it is not one of the eight). */
function guidelineName(id) {
  return GUIDELINE_TITLES[id] || String(id || "").replace(/_/g, " ");
}

const sameTitle = (a, b) => String(a || "").trim().replace(/\u2019/g, "'").toLowerCase()
  === String(b || "").trim().replace(/\u2019/g, "'").toLowerCase();

const state = {
  token: "",
  me: null,
  filters: {},
  rows: [],
  loaded: false,
  hasMore: false,
  selectedId: null,
  transcript: null,
  alerts: [],
  unseenAlerts: 0,
  socket: null,
};

const els = {
  app: $("#app"),
  conn: $("#conn"),
  signin: $("#signin"),
  form: $("#filters"),
  label: $("#filter-label"),
  signal: $("#filter-signal"),
  agent: $("#filter-agent"),
  from: $("#filter-from"),
  to: $("#filter-to"),
  reviewed: $("#filter-reviewed"),
  reset: $("#reset-filters"),
  list: $("#list"),
  count: $("#list-count"),
  newActivity: $("#new-activity"),
  detail: $("#detail"),
  alerts: $("#alerts"),
  alertsPanel: $("#alerts-panel"),
  alertsToggle: $("#alerts-toggle"),
  alertsCount: $("#alerts-count"),
  alertsClear: $("#alerts-clear"),
  alertsClose: $("#alerts-close"),
  exports: [...document.querySelectorAll("[data-format]")],
};

const store = new TokenStore("assistant.audit.token");
let strip = null;

// ---------------------------------------------------------------------------------------------
// Start, sign in / out

function start() {
  readFiltersFromUrl();
  strip = signInStrip(els.signin, {
    store,
    expectRole: "supervisor",
    otherPage: "Agents use the console at /agent.",
    onSignedIn: signedIn,
    onSignedOut: signedOut,
  });
  els.form.addEventListener("submit", (e) => { e.preventDefault(); applyFilters(); });
  for (const select of [els.label, els.signal, els.reviewed]) select.addEventListener("change", () => applyFilters());
  for (const input of [els.from, els.to]) input.addEventListener("change", () => { if (validDates()) applyFilters(); });
  els.reset.addEventListener("click", () => {
    els.form.reset();
    applyFilters();
  });
  for (const b of els.exports) b.addEventListener("click", () => exportFile(b));
  els.alertsToggle.addEventListener("click", () => setAlertsOpen(!els.app.classList.contains("alerts-open")));
  els.alertsClose.addEventListener("click", () => setAlertsOpen(false));
  els.alertsClear.addEventListener("click", () => { state.alerts = []; renderAlerts(); });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && els.app.classList.contains("alerts-open")) setAlertsOpen(false);
  });
  window.addEventListener("hashchange", () => {
    const id = idFromHash();
    if (id && id !== state.selectedId && state.token) openConversation(id, { fromHash: true });
  });
  renderConnection(els.conn, "closed");
  renderAlerts();
}

function signedIn(me, token) {
  state.me = me;
  state.token = token;
  els.app.dataset.signedIn = "true";
  setExportsEnabled(true);
  renderDetailEmpty();
  loadRows();
  const id = idFromHash();
  if (id) openConversation(id, { fromHash: true });
  state.socket = new LiveSocket("/ws/supervisor", token, {
    onMessage: onSocketMessage,
    onStatus: (s, info) => {
      renderConnection(els.conn, s, info);
      if (s === "rejected") strip.signOut(`Live alerts refused: ${info.reason}. Sign in again.`);
    },
  }).start();
}

function signedOut() {
  if (state.socket) state.socket.stop();
  Object.assign(state, { token: "", me: null, rows: [], loaded: false, hasMore: false, selectedId: null,
    transcript: null, socket: null });
  els.app.dataset.signedIn = "false";
  setExportsEnabled(false);
  fill(els.list);
  fill(els.detail);
  els.count.textContent = "";
  els.newActivity.hidden = true;
  renderConnection(els.conn, "closed");
}

function handleAuthError(err) {
  if (err instanceof ApiError && err.status === 401 && state.token) {
    strip.signOut(`Signed out: ${err.message}`);
    return true;
  }
  return false;
}

function setExportsEnabled(on) {
  for (const b of els.exports) b.disabled = !on;
}

// ---------------------------------------------------------------------------------------------
// Filters

function formFilters() {
  return {
    label: els.label.value,
    signal: els.signal.value,
    agent: els.agent.value.trim(),
    from: els.from.value,
    to: els.to.value,
    reviewed: els.reviewed.value,
  };
}

function validDates() {
  const { from, to } = formFilters();
  if (from && to && to < from) {
    els.to.setCustomValidity("The end date is before the start date.");
    els.to.reportValidity();
    return false;
  }
  els.to.setCustomValidity("");
  return true;
}

/** Local midnight of a yyyy-mm-dd date, as an ISO instant (the server compares in UTC). */
function dayStart(value, plusDays = 0) {
  const [y, m, d] = value.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
}

/** The query string of the API for a set of filters (shared by the list and the exports). */
function filterQuery(f) {
  const q = new URLSearchParams();
  if (f.label && LABELS.includes(f.label)) q.set("label", f.label);
  if (f.signal && SIGNALS.includes(f.signal)) q.set("signal", f.signal);
  if (f.agent) q.set("agent", f.agent);
  if (f.from) q.set("since", dayStart(f.from));
  if (f.to) q.set("until", dayStart(f.to, 1)); // "to" includes the whole day
  if (f.reviewed === "yes") q.set("reviewed", "true");
  if (f.reviewed === "no") q.set("reviewed", "false");
  return q;
}

function readFiltersFromUrl() {
  const p = new URLSearchParams(location.search);
  const pick = (el, key, ok) => { const v = p.get(key); if (v && (!ok || ok(v))) el.value = v; };
  pick(els.label, "label", (v) => LABELS.includes(v));
  pick(els.signal, "signal", (v) => SIGNALS.includes(v));
  pick(els.agent, "agent");
  pick(els.from, "from", (v) => /^\d{4}-\d{2}-\d{2}$/.test(v));
  pick(els.to, "to", (v) => /^\d{4}-\d{2}-\d{2}$/.test(v));
  pick(els.reviewed, "reviewed", (v) => v === "yes" || v === "no");
}

function writeFiltersToUrl(f) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  const search = p.toString();
  history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}${location.hash}`);
}

function applyFilters() {
  if (!validDates()) return;
  state.filters = formFilters();
  writeFiltersToUrl(state.filters);
  loadRows();
}

// ---------------------------------------------------------------------------------------------
// The list

let listRequest = 0;
async function loadRows({ more = false } = {}) {
  if (!state.token) return;
  if (!more) state.filters = formFilters();
  const mine = ++listRequest;
  const q = filterQuery(state.filters);
  q.set("limit", String(PAGE));
  q.set("offset", String(more ? state.rows.length : 0));
  if (!more) {
    els.newActivity.hidden = true;
    if (state.loaded) els.list.classList.add("refreshing");
    else fill(els.list, stateBlock("loading", null, "Loading flagged conversations…"));
  }
  try {
    const rows = await api(`/api/audit/conversations?${q}`, { token: state.token });
    if (mine !== listRequest || !state.token) return;
    const page = Array.isArray(rows) ? rows : [];
    state.rows = more ? state.rows.concat(page) : page;
    state.hasMore = page.length === PAGE;
    state.loaded = true;
    renderRows();
  } catch (err) {
    if (mine !== listRequest || handleAuthError(err)) return;
    state.loaded = false;
    state.rows = [];
    els.count.textContent = "";
    fill(els.list, stateBlock("error", "Could not load conversations", err.message,
      h("button", { type: "button", class: "btn btn-small", on: { click: () => loadRows() } }, "Try again")));
  } finally {
    if (mine === listRequest) els.list.classList.remove("refreshing");
  }
}

function activeFilterCount(f) {
  return ["label", "signal", "agent", "from", "to", "reviewed"].filter((k) => f[k]).length;
}

function renderRows() {
  const n = state.rows.length;
  els.count.textContent = n ? `${n}${state.hasMore ? "+" : ""} conversation${n === 1 ? "" : "s"}` : "";
  if (!n) {
    const filtered = activeFilterCount(state.filters) > 0;
    fill(els.list, stateBlock("empty", filtered ? "No flagged conversations match these filters" : "No flagged conversations yet",
      filtered ? "Try a wider date range or another label, or reset the filters."
        : "Conversations appear here when the assistant flags a message or a signal.",
      filtered ? h("button", { type: "button", class: "btn btn-small", on: { click: () => { els.form.reset(); applyFilters(); } } }, "Reset filters") : null));
    return;
  }
  const table = h("table", { class: "table", "data-testid": "conversations" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Conversation"),
      h("th", { scope: "col", class: "col-agent" }, "Agent"),
      h("th", { scope: "col" }, "Labels"),
      h("th", { scope: "col", class: "col-signals" }, "Signals"),
      h("th", { scope: "col", class: "col-time" }, "Last message"),
      h("th", { scope: "col" }, "Review"))),
    h("tbody", {}, state.rows.map(rowEl)));
  fill(els.list, table,
    state.hasMore ? h("div", { class: "load-more" },
      h("button", { type: "button", class: "btn btn-small", on: { click: () => loadRows({ more: true }) } }, "Load more")) : null);
}

function rowEl(r) {
  const selected = r.id === state.selectedId;
  const open = () => openConversation(r.id);
  return h("tr", {
    class: ["row", selected && "selected", r._new && "has-new"], "data-testid": "conversation-row", dataset: { id: r.id },
    tabindex: "0", "aria-selected": selected ? "true" : "false",
    on: {
      click: open,
      keydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } },
    },
  },
  h("td", { class: "cell-id" },
    h("div", { class: "cell-strong" }, r._new ? h("span", { class: "new-dot", title: "New alert", "aria-label": "new alert" }) : null, r.id),
    h("div", { class: "muted small" }, h("span", { class: "agent-inline" }, `${r.agent} · `),
      r.customer_id ? `${r.customer_id} · ` : "", r.messages == null ? "" : plural(r.messages, "message"))),
  h("td", { class: "col-agent" }, r.agent),
  h("td", {}, h("div", { class: "chips" }, (r.labels || []).map((l) => chip(l)),
    (r.signals || []).map((s) => h("span", { class: "sig-inline" }, chip(s, { kind: "signal" }))))),
  h("td", { class: "col-signals" }, h("div", { class: "chips" }, (r.signals || []).length
    ? r.signals.map((s) => chip(s, { kind: "signal" })) : h("span", { class: "muted" }, "—"))),
  h("td", { class: "col-time" }, timeEl(r.last_message_at, "relative")),
  h("td", {}, reviewedBadge(r.reviewed)));
}

function reviewedBadge(reviewed) {
  return reviewed
    ? h("span", { class: "badge badge-reviewed", "data-testid": "reviewed-badge", dataset: { reviewed: "true" } }, icon("check", 12), "Reviewed")
    : h("span", { class: "badge badge-open", "data-testid": "reviewed-badge", dataset: { reviewed: "false" } }, "To review");
}

// ---------------------------------------------------------------------------------------------
// The transcript

function idFromHash() {
  const m = /^#c=(.+)$/.exec(location.hash);
  if (!m) return null;
  try { return decodeURIComponent(m[1]); } catch { return null; }
}

function renderDetailEmpty() {
  fill(els.detail, stateBlock("empty", "Select a conversation",
    "Pick a row to read the transcript, see what the assistant flagged, and confirm or dismiss each flag."));
}

let detailRequest = 0;
async function openConversation(id, { fromHash = false, quiet = false } = {}) {
  if (!state.token) return;
  const mine = ++detailRequest;
  const switching = id !== state.selectedId;
  state.selectedId = id;
  const row = state.rows.find((r) => r.id === id);
  if (row && row._new) row._new = false;
  if (!fromHash || idFromHash() !== id) history.replaceState(null, "", `${location.pathname}${location.search}#c=${encodeURIComponent(id)}`);
  if (state.loaded) renderRows();
  if (switching || !quiet) fill(els.detail, stateBlock("loading", null, "Loading the transcript…"));
  try {
    const t = await api(`/api/audit/conversations/${encodeURIComponent(id)}`, { token: state.token });
    if (mine !== detailRequest) return;
    state.transcript = t;
    renderDetail({ keepScroll: quiet && !switching });
  } catch (err) {
    if (mine !== detailRequest || handleAuthError(err)) return;
    fill(els.detail, stateBlock("error", err.status === 404 ? "Conversation not found" : "Could not load the transcript", err.message,
      h("button", { type: "button", class: "btn btn-small", on: { click: () => openConversation(id) } }, "Try again")));
  }
}

function isFlagged(m) {
  return (m.labels || []).length > 0 || (m.signals || []).length > 0;
}

/** Latest confirm/dismiss on the message; else the latest on the whole conversation. Notes decide nothing. */
function verdictOf(m, t) {
  const pick = (list) => [...list].filter((r) => r.action === "confirm" || r.action === "dismiss")
    .sort((a, b) => (String(a.created_at).localeCompare(String(b.created_at))) || (a.id - b.id)).at(-1) || null;
  return pick(m.reviews || []) || pick((t.reviews || []).filter((r) => r.message_id == null));
}

function renderDetail({ keepScroll = false } = {}) {
  const t = state.transcript;
  if (!t) return;
  const scroller = els.detail.querySelector(".detail-body");
  const top = keepScroll && scroller ? scroller.scrollTop : 0;
  const messages = t.messages || [];
  const flagged = messages.filter(isFlagged);
  const signals = [...new Set(messages.flatMap((m) => m.signals || []))];
  const convReviews = (t.reviews || []).filter((r) => r.message_id == null);

  const head = h("div", { class: "detail-head" },
    h("div", { class: "detail-title" },
      h("h2", {}, t.id),
      h("span", { id: "detail-reviewed" }, reviewedBadge(t.reviewed))),
    h("dl", { class: "facts" },
      fact("Agent", t.agent),
      fact("Customer", t.customer_id || "—"),
      fact("Started", timeEl(t.created_at)),
      fact("Last message", timeEl(t.last_message_at)),
      fact("Flagged", `${flagged.length} of ${messages.length} messages`)),
    signals.length ? h("div", { class: "chips" }, h("span", { class: "muted small" }, "Signals"), signals.map((s) => chip(s, { kind: "signal" }))) : null);

  const body = h("div", { class: "detail-body" },
    messages.length ? messages.map((m) => auditMessage(m, t))
      : stateBlock("empty", "No messages", "This conversation has no stored messages."),
    h("section", { class: "conv-review", "aria-label": "Notes on the whole conversation" },
      h("h3", { class: "section-title" }, "Conversation notes"),
      h("div", { class: "review-log", id: "conv-review-log" }, convReviews.map(reviewLine)),
      noteForm()));
  fill(els.detail, head, body);
  if (keepScroll) body.scrollTop = top;
}

function fact(term, value) {
  return h("div", { class: "fact" }, h("dt", {}, term), h("dd", {}, value));
}

function auditMessage(m, t) {
  const flagged = isFlagged(m);
  const customer = m.role === "customer";
  const verdict = flagged ? verdictOf(m, t) : null;
  const scores = m.scores || {};
  const hasScores = flagged && customer && Object.keys(scores).length > 0;
  return h("article", {
    class: ["audit-msg", customer ? "from-customer" : "from-agent", flagged && "flagged",
      verdict && `verdict-${verdict.action}`],
    "data-testid": "audit-message", dataset: { messageId: m.id, role: m.role, flagged: flagged ? "true" : "false" },
  },
  h("header", { class: "audit-msg-head" },
    h("span", { class: ["role-tag", customer ? "role-customer" : "role-agent"] }, customer ? "Customer" : "Agent"),
    h("span", { class: "muted small" }, `#${m.index}`),
    timeEl(m.created_at),
    h("span", { class: "spacer" }),
    verdict ? h("span", { class: ["badge", verdict.action === "confirm" ? "badge-confirm" : "badge-dismiss"], "data-testid": "verdict",
      title: `${verdict.supervisor || ""} · ${verdict.created_at || ""}` },
    verdict.action === "confirm" ? "Confirmed" : "Dismissed · false flag") : null),
  h("div", { class: "audit-text", lang: DEVANAGARI.test(m.text) ? "hi" : null, dir: "auto" }, m.text),
  flagged || hasScores ? h("div", { class: "audit-flags" },
    (m.labels || []).map((l) => chip(l, { score: scores[l], testid: "label" })),
    (m.signals || []).map((s) => chip(s, { kind: "signal", testid: "signal" })),
    hasScores ? scoresDetails(scores, m.labels || []) : null) : null,
  (m.nudges || []).length ? h("div", { class: "shown-nudges" }, m.nudges.map(shownNudge)) : null,
  (m.reviews || []).length ? h("div", { class: "review-log" }, m.reviews.map(reviewLine)) : null,
  flagged ? reviewControls(m, verdict) : null);
}

function scoresDetails(scores, labels) {
  const keys = LABELS.filter((l) => l in scores).concat(Object.keys(scores).filter((l) => !LABELS.includes(l)));
  return h("details", { class: "scores" },
    h("summary", {}, "Scores"),
    h("div", { class: "score-bars" }, keys.map((l) => {
      const v = Math.max(0, Math.min(1, Number(scores[l]) || 0));
      return h("div", { class: ["score-row", labels.includes(l) && "on"] },
        h("span", { class: "score-name" }, labelName(l)),
        h("span", { class: "score-track", role: "meter", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(Math.round(v * 100)), "aria-label": labelName(l) },
          h("span", { class: "score-fill", style: `width:${(v * 100).toFixed(1)}%` })),
        h("span", { class: "score-val" }, pct(v)));
    })));
}

function shownNudge(n) {
  const sev = ["info", "warning", "critical"].includes(n.severity) ? n.severity : "info";
  const fb = n.feedback === "helpful" ? h("span", { class: "badge badge-helpful" }, icon("thumbUp", 12), "Agent: helpful")
    : n.feedback === "wrong" ? h("span", { class: "badge badge-wrong" }, icon("thumbDown", 12), "Agent: wrong")
      : h("span", { class: "muted small" }, "no feedback");
  return h("div", { class: ["shown-nudge", `sev-${sev}`], "data-testid": "shown-nudge", dataset: { guideline: n.guideline } },
    h("span", { class: "sev-dot", title: n.severity, "aria-hidden": "true" }),
    shownNudgeTitle(n),
    h("span", { class: "shown-nudge-meta" }, fb, h("span", { class: "muted small" }, n.acked ? "· read" : "· not read yet")));
}

function shownNudgeTitle(n) {
  const english = guidelineName(n.guideline);
  const seen = String(n.title || "").trim();
  const differs = seen && !sameTitle(seen, english);
  return h("span", { class: "shown-nudge-title" },
    h("span", { class: "muted" }, "Nudge shown: "),
    h("span", { class: "shown-nudge-name", lang: "en", title: differs ? null : n.advice }, english || seen),
    differs ? " " : null,
    differs ? h("span", { class: "shown-nudge-seen" },
      h("span", { class: "muted" }, "— as seen by the agent: "),
      h("span", { class: "shown-nudge-original", lang: DEVANAGARI.test(seen) ? "hi" : null, dir: "auto", title: n.advice }, seen))
      : null);
}

function reviewLine(r) {
  const words = { confirm: "Confirmed", dismiss: "Dismissed as a false flag", note: "Note" }[r.action] || r.action;
  return h("div", { class: ["review-line", `review-${r.action}`], "data-testid": "review" },
    h("span", { class: "review-action" }, words),
    h("span", { class: "muted small" }, " by ", r.supervisor || "?", " · ", timeEl(r.created_at, "relative")),
    r.note ? h("div", { class: "review-note-text" }, r.note) : null);
}

function reviewControls(m, verdict) {
  const note = h("input", { type: "text", class: "input input-small review-note", "data-testid": "review-note",
    placeholder: "Note (optional)", maxlength: "2000", "aria-label": `Note on message ${m.index}` });
  const err = h("span", { class: "inline-error", role: "alert" });
  const hint = h("span", { class: "inline-hint", role: "status" });
  const current = verdict ? verdict.action : null;
  const buttons = [];
  const act = (action) => async (e) => {
    e.preventDefault();
    err.textContent = "";
    hint.textContent = "";
    if (action === "note" && !note.value.trim()) { err.textContent = "Write a note first."; note.focus(); return; }
    // the verdict already chosen: nothing new to record unless a note comes with it
    if (action === current && !note.value.trim()) {
      hint.textContent = action === "confirm" ? "Already confirmed. Choose Dismiss to change the verdict."
        : "Already dismissed. Choose Confirm to change the verdict.";
      return;
    }
    await postReview({ action, message_id: m.id, note: note.value.trim() }, buttons, err);
  };
  const by = verdict ? ` (by ${verdict.supervisor || "a supervisor"})` : "";
  const verdictButton = (action, testid, iconName, label, pressedTitle, otherTitle) => {
    const pressed = current === action;
    return h("button", {
      type: "button", class: ["btn", "btn-small", `btn-${action}`, pressed && "selected"], "data-testid": testid,
      "aria-pressed": pressed ? "true" : "false",
      title: pressed ? `${pressedTitle}${by}` : current ? otherTitle : null,
      on: { click: act(action) },
    }, icon(iconName, 14), label);
  };
  buttons.push(
    verdictButton("confirm", "review-confirm", "check", "Confirm", "Current verdict: confirmed", "Change the verdict to confirmed"),
    verdictButton("dismiss", "review-dismiss", "x", "Dismiss (false flag)", "Current verdict: dismissed as a false flag",
      "Change the verdict to a false flag"),
    h("button", { type: "button", class: "btn btn-small btn-ghost", "data-testid": "review-add-note", on: { click: act("note") } }, "Add note"));
  note.addEventListener("keydown", (e) => { if (e.key === "Enter") act("note")(e); });
  return h("div", { class: "review-controls" },
    h("div", { class: "btn-group verdict-group", role: "group", "aria-label": `Verdict on message ${m.index}` }, buttons.slice(0, 2)),
    note, buttons[2], hint, err);
}

function noteForm() {
  const note = h("input", { type: "text", class: "input input-small", "data-testid": "conversation-note",
    placeholder: "A note on the whole conversation", maxlength: "2000", "aria-label": "Note on the whole conversation" });
  const err = h("span", { class: "inline-error", role: "alert" });
  const button = h("button", { type: "submit", class: "btn btn-small" }, "Add note");
  return h("form", { class: "review-controls", on: { submit: async (e) => {
    e.preventDefault();
    if (!note.value.trim()) { err.textContent = "Write a note first."; note.focus(); return; }
    await postReview({ action: "note", note: note.value.trim() }, [button], err);
  } } }, note, button, err);
}

async function postReview(body, buttons, err) {
  const t = state.transcript;
  if (!t) return;
  const id = t.id;
  err.textContent = "";
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const review = await api(`/api/audit/conversations/${encodeURIComponent(id)}/reviews`, { token: state.token, method: "POST", body });
    if (!state.transcript || state.transcript.id !== id) return;
    const r = { supervisor: state.me ? state.me.name : "", ...review };
    t.reviews = (t.reviews || []).concat([r]);
    if (r.message_id != null) {
      const m = (t.messages || []).find((x) => x.id === r.message_id);
      if (m) m.reviews = (m.reviews || []).concat([r]);
    }
    t.reviewed = true;
    const row = state.rows.find((x) => x.id === id);
    if (row) row.reviewed = true;
    renderDetail({ keepScroll: true });
    renderRows();
    const again = r.message_id != null
      ? els.detail.querySelector(`[data-testid="audit-message"][data-message-id="${r.message_id}"] [data-testid="review-${r.action === "note" ? "add-note" : r.action}"]`)
      : els.detail.querySelector('[data-testid="conversation-note"]');
    if (again) again.focus({ preventScroll: true });
    toast(null, { title: { confirm: "Flag confirmed", dismiss: "Flag dismissed", note: "Note saved" }[r.action], kind: "success", timeout: 2000 });
  } catch (e) {
    if (handleAuthError(e)) return;
    err.textContent = e.message;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// ---------------------------------------------------------------------------------------------
// Exports

async function exportFile(button) {
  if (!state.token) return;
  const format = button.dataset.format;
  const q = filterQuery(formFilters());
  q.set("format", format);
  const label = button.textContent;
  button.disabled = true;
  button.classList.add("busy");
  button.setAttribute("aria-busy", "true");
  try {
    const ext = format === "csv" ? "csv" : "jsonl";
    const { name, size } = await download(`/api/audit/export?${q}`, state.token, `export-${format}.${ext}`);
    toast(`${name} · ${formatSize(size)}`, { title: "Export downloaded", kind: "success", timeout: 4000 });
  } catch (err) {
    if (!handleAuthError(err)) toast(err.message, { title: "Export failed", kind: "error", timeout: 8000 });
  } finally {
    button.disabled = !state.token;
    button.classList.remove("busy");
    button.removeAttribute("aria-busy");
    button.textContent = label;
  }
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// ---------------------------------------------------------------------------------------------
// Live alerts

function onSocketMessage(msg) {
  if (msg.type !== "alert") return;
  state.alerts.unshift({ ...msg, _at: Date.now() });
  if (state.alerts.length > MAX_ALERTS) state.alerts.length = MAX_ALERTS;
  if (!els.app.classList.contains("alerts-open") && !alertsAlwaysVisible()) state.unseenAlerts += 1;
  renderAlerts();
  const sev = msg.severity === "critical" ? "critical" : msg.severity === "info" ? "info" : "warning";
  if (!alertsOnScreen()) alertToast(msg, sev);
  const row = state.rows.find((r) => r.id === msg.conversation_id);
  if (row) { row._new = true; renderRows(); }
  else if (state.loaded) showNewActivity();
  if (msg.conversation_id === state.selectedId) openConversation(msg.conversation_id, { quiet: true });
}

// one toast for a burst of alerts: it counts them and opens the alerts panel
let grouped = null;
function alertToast(msg, sev) {
  const rank = { info: 0, warning: 1, critical: 2 };
  const count = grouped ? grouped.count + 1 : 1;
  const kind = grouped && rank[grouped.kind] > rank[sev] ? grouped.kind : sev;
  if (grouped) { const old = grouped; grouped = null; old.close(); }
  const where = `${msg.agent ? `${msg.agent} · ` : ""}${msg.conversation_id}`;
  const entry = { count, kind };
  entry.close = toast(count > 1 ? `Latest: ${labelName(msg.kind)} · ${where}` : where, {
    title: count > 1 ? `${count} new alerts` : labelName(msg.kind), kind, timeout: 10000,
    action: count > 1 ? { label: "Show", run: () => setAlertsOpen(true) }
      : { label: "Open", run: () => openConversation(msg.conversation_id) },
    onClose: () => { if (grouped === entry) grouped = null; },
  });
  grouped = entry;
}

function showNewActivity() {
  fill(els.newActivity,
    h("span", {}, "New flagged activity since this list was loaded."),
    h("button", { type: "button", class: "link-btn", on: { click: () => loadRows() } }, "Refresh"));
  els.newActivity.hidden = false;
}

function alertsOnScreen() {
  return alertsAlwaysVisible() || els.app.classList.contains("alerts-open");
}

function alertsAlwaysVisible() {
  return getComputedStyle(els.alertsPanel).position !== "fixed";
}

function setAlertsOpen(open) {
  els.app.classList.toggle("alerts-open", open);
  els.alertsToggle.setAttribute("aria-expanded", String(open));
  if (open) {
    state.unseenAlerts = 0;
    renderAlertCount();
    els.alertsClose.focus();
  } else if (document.activeElement && els.alertsPanel.contains(document.activeElement)) {
    els.alertsToggle.focus();
  }
}

function renderAlertCount() {
  els.alertsCount.textContent = String(state.unseenAlerts);
  els.alertsCount.hidden = state.unseenAlerts === 0;
}

function renderAlerts() {
  renderAlertCount();
  els.alertsClear.hidden = state.alerts.length === 0;
  if (!state.alerts.length) {
    fill(els.alerts, h("li", { class: "alerts-empty" }, stateBlock("empty", "No alerts yet",
      "Persistent advances, rising anger and insults show up here the moment they happen.")));
    return;
  }
  fill(els.alerts, state.alerts.map((a) => {
    const sev = a.severity === "critical" ? "critical" : a.severity === "info" ? "info" : "warning";
    return h("li", {},
      h("button", { type: "button", class: ["alert-item", `sev-${sev}`], "data-testid": "alert",
        dataset: { kind: a.kind, conversationId: a.conversation_id, messageId: a.message_id },
        on: { click: () => { openConversation(a.conversation_id); if (!alertsAlwaysVisible()) setAlertsOpen(false); } } },
      h("span", { class: "alert-top" },
        h("span", { class: "sev-dot", "aria-hidden": "true" }),
        h("span", { class: "alert-kind" }, labelName(a.kind)),
        h("span", { class: "alert-time" }, timeEl(a.created_at, "relative"))),
      h("span", { class: "alert-meta" }, a.agent ? `${a.agent} · ` : "", a.conversation_id),
      a.text ? h("span", { class: "alert-text", lang: DEVANAGARI.test(a.text) ? "hi" : null, dir: "auto" }, a.text) : null,
      (a.labels || []).length ? h("span", { class: "chips" }, a.labels.map((l) => chip(l))) : null));
  }));
}

setInterval(() => {
  for (const t of document.querySelectorAll(".alert-time time, .col-time time")) t.textContent = relativeTime(t.getAttribute("datetime"));
}, 30_000);

start();
export { state };
