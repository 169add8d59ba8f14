// Agent console: my conversations, the transcript with nudges inline, live nudges, draft checks.
import {
  $, ApiError, LiveSocket, TokenStore, api, chip, debounce, fill, h, icon, parseTime, plural,
  relativeTime, renderConnection, signInStrip, stateBlock, timeEl, toast,
} from "./common.js";

const POLL_TRANSCRIPT_MS = 15_000;
const POLL_LIST_MS = 45_000;
const WS_REPLY_TIMEOUT_MS = 4_000;
const DEVANAGARI = /[\u0900-\u097F]/;

const state = {
  token: "",
  me: null,
  language: "en",
  conversations: [],
  listLoaded: false,
  selectedId: null,
  transcript: null,       // the last GET /api/conversations/{id} of the selected conversation
  signature: "",          // what the transcript on screen was rendered from
  nudges: new Map(),      // nudge id -> nudge JSON (latest known state)
  unacked: new Map(),     // nudge id -> conversation id, for the badges in the list
  pendingOps: new Map(),  // "ack:ID" | "feedback:ID" -> {timer, run}
  socket: null,
  replayed: [],
  timers: [],
  draftChecked: "",
};

const els = {
  app: $("#app"),
  conn: $("#conn"),
  signin: $("#signin"),
  list: $("#conversations"),
  head: $("#chat-head"),
  transcript: $("#transcript"),
  draftForm: $("#draft-form"),
  draft: $("#draft"),
  draftResults: $("#draft-results"),
  draftError: $("#draft-error"),
  checkDraft: $("#check-draft"),
  refresh: $("#refresh-conversations"),
};

const store = new TokenStore("assistant.agent.token");
let strip = null;

// ---------------------------------------------------------------------------------------------
// Sign in / out

function start() {
  strip = signInStrip(els.signin, {
    store,
    expectRole: "agent",
    otherPage: "Supervisors use the audit page at /audit.",
    onSignedIn: (me, token) => signedIn(me, token),
    onSignedOut: () => signedOut(),
  });
  els.refresh.addEventListener("click", () => loadConversations({ announce: true }));
  els.draftForm.addEventListener("submit", (e) => { e.preventDefault(); checkDraft(); });
  els.draft.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); checkDraft(); }
  });
  els.draft.addEventListener("input", () => {
    const stale = els.draft.value.trim() !== state.draftChecked;
    els.draftResults.classList.toggle("stale", stale && els.draftResults.childElementCount > 0);
  });
  window.addEventListener("hashchange", () => {
    const id = idFromHash();
    if (id && id !== state.selectedId && state.token) select(id, { fromHash: true });
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && state.token) { loadConversations(); if (state.selectedId) loadTranscript({ quiet: true }); }
  });
  watchTranscript();
  renderConnection(els.conn, "closed");
}

function signedIn(me, token) {
  state.me = me;
  state.token = token;
  state.language = me.language || "en";
  els.app.dataset.signedIn = "true";
  renderEmptyChat();
  loadConversations().then(() => {
    const id = idFromHash();
    if (id) select(id, { fromHash: true });
  });
  state.socket = new LiveSocket("/ws/agent", token, {
    onMessage: onSocketMessage,
    onStatus: (s, info) => {
      renderConnection(els.conn, s, info);
      if (s === "rejected") strip.signOut(`Live updates refused: ${info.reason}. Sign in again.`);
    },
    onClose: () => flushPendingOpsOverRest(),
  }).start();
  state.timers.push(setInterval(() => { if (!document.hidden && state.selectedId) loadTranscript({ quiet: true }); }, POLL_TRANSCRIPT_MS));
  state.timers.push(setInterval(() => { if (!document.hidden) loadConversations(); }, POLL_LIST_MS));
}

function signedOut() {
  if (state.socket) state.socket.stop();
  state.socket = null;
  state.timers.forEach(clearInterval);
  Object.assign(state, {
    token: "", me: null, conversations: [], listLoaded: false, selectedId: null, transcript: null, signature: "",
    timers: [], replayed: [], draftChecked: "",
  });
  state.nudges.clear();
  state.unacked.clear();
  state.pendingOps.forEach((op) => clearTimeout(op.timer));
  state.pendingOps.clear();
  els.app.dataset.signedIn = "false";
  fill(els.list);
  fill(els.head);
  fill(els.transcript);
  fill(els.draftResults);
  els.draftError.textContent = "";
  renderConnection(els.conn, "closed");
}

/** Any 401 means the token was revoked or is wrong: go back to the sign-in strip. */
function handleAuthError(err) {
  if (err instanceof ApiError && err.status === 401 && state.token) {
    strip.signOut(`Signed out: ${err.message}`);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Conversation list

function idFromHash() {
  const m = /^#c=(.+)$/.exec(location.hash);
  if (!m) return null;
  try { return decodeURIComponent(m[1]); } catch { return null; }
}

let listRequest = 0;
async function loadConversations({ announce = false } = {}) {
  if (!state.token) return;
  const mine = ++listRequest;
  if (!state.listLoaded) fill(els.list, stateBlock("loading", null, "Loading conversations…"));
  els.refresh.classList.add("spinning");
  try {
    const list = await api("/api/conversations?limit=200", { token: state.token });
    if (mine !== listRequest || !state.token) return;
    state.conversations = Array.isArray(list) ? list : [];
    state.listLoaded = true;
    renderList();
    if (announce) toast(null, { title: "Conversations refreshed", kind: "success", timeout: 2000 });
  } catch (err) {
    if (mine !== listRequest || handleAuthError(err)) return;
    if (!state.listLoaded) {
      fill(els.list, stateBlock("error", "Could not load your conversations", err.message,
        h("button", { type: "button", class: "btn btn-small", on: { click: () => loadConversations() } }, "Try again")));
    } else if (announce) {
      toast(err.message, { title: "Could not refresh", kind: "error" });
    }
  } finally {
    if (mine === listRequest) els.refresh.classList.remove("spinning");
  }
}
const refreshListSoon = debounce(() => loadConversations(), 400);

function unackedCount(conversationId) {
  let n = 0;
  for (const cid of state.unacked.values()) if (cid === conversationId) n += 1;
  return n;
}

function renderList() {
  if (!state.conversations.length) {
    fill(els.list, stateBlock("empty", "No conversations yet",
      "Conversations assigned to you appear here as soon as the first message arrives."));
    return;
  }
  const items = state.conversations.map((c) => {
    const pending = unackedCount(c.id);
    const selected = c.id === state.selectedId;
    return h("li", {},
      h("button", {
        type: "button", class: ["conv-item", selected && "selected", c.flagged && "flagged"],
        "data-testid": "conversation", dataset: { id: c.id }, "aria-current": selected ? "true" : null,
        on: { click: () => select(c.id) },
      },
      h("span", { class: "conv-main" },
        h("span", { class: "conv-title" }, c.customer_id ? c.customer_id : c.id),
        h("span", { class: "conv-sub" }, c.customer_id ? c.id : "no customer id")),
      h("span", { class: "conv-side" },
        h("span", { class: "conv-time" }, timeEl(c.last_message_at, "relative")),
        pending ? h("span", { class: "badge badge-count", title: `${pending} guideline${pending > 1 ? "s" : ""} to look at`,
          "aria-label": `${pending} new nudges` }, String(pending))
          : c.flagged ? h("span", { class: "flag-dot", title: "Flagged conversation", "aria-label": "flagged" }) : null)));
  });
  fill(els.list, h("ul", { class: "conv-list" }, items));
}

// ---------------------------------------------------------------------------------------------
// Transcript

function renderEmptyChat() {
  fill(els.head);
  fill(els.transcript, stateBlock("empty", "Pick a conversation",
    "Choose one on the left to see the transcript and any guidance for it. You can check a draft reply at any time."));
}

async function select(id, { fromHash = false } = {}) {
  if (!state.token) return;
  state.selectedId = id;
  state.transcript = null;
  state.signature = "";
  if (!fromHash || idFromHash() !== id) history.replaceState(null, "", `#c=${encodeURIComponent(id)}`);
  renderList();
  fill(els.head, h("div", { class: "chat-title" }, h("h2", {}, id)));
  fill(els.transcript, stateBlock("loading", null, "Loading the transcript…"));
  await loadTranscript({ scrollToEnd: true });
}

let transcriptRequest = 0;
async function loadTranscript({ quiet = false, scrollToEnd = false } = {}) {
  const id = state.selectedId;
  if (!id || !state.token) return;
  const mine = ++transcriptRequest;
  try {
    const data = await api(`/api/conversations/${encodeURIComponent(id)}`, { token: state.token });
    if (mine !== transcriptRequest || id !== state.selectedId) return;
    state.transcript = data;
    for (const m of data.messages || []) for (const n of m.nudges || []) rememberNudge(n);
    renderTranscript({ scrollToEnd });
    renderList();
  } catch (err) {
    if (mine !== transcriptRequest || handleAuthError(err)) return;
    if (quiet && state.transcript) return; // keep what is on screen; the next poll retries
    fill(els.transcript, stateBlock("error", err.status === 404 ? "Conversation not found" : "Could not load the transcript",
      err.message,
      h("button", { type: "button", class: "btn btn-small", on: { click: () => select(id) } }, "Try again")));
  }
}
const reloadTranscriptSoon = debounce(() => loadTranscript({ quiet: true }), 250);

function rememberNudge(n) {
  if (!n || !n.id) return;
  const known = state.nudges.get(n.id);
  // a local ack/feedback not yet confirmed by the server wins over an older copy
  const merged = { ...n };
  if (known && known._local) {
    if (known.acked) merged.acked = true;
    if (known.feedback) merged.feedback = known.feedback;
    merged._local = true;
  }
  state.nudges.set(n.id, merged);
  if (merged.acked) state.unacked.delete(n.id);
  else state.unacked.set(n.id, n.conversation_id);
}

function signatureOf(t) {
  return JSON.stringify((t.messages || []).map((m) => [m.id, m.labels, m.signals,
    (m.nudges || []).map((n) => {
      const k = state.nudges.get(n.id) || n;
      return [n.id, k.acked, k.feedback];
    })]));
}

function renderTranscript({ scrollToEnd = false } = {}) {
  const t = state.transcript;
  if (!t) return;
  const sig = signatureOf(t);
  const box = els.transcript;
  const following = atLatest();
  if (sig === state.signature && !scrollToEnd) { renderHead(t); return; }
  // keep keyboard focus on the same button across a re-render
  const focused = document.activeElement && box.contains(document.activeElement)
    ? focusKey(document.activeElement) : null;
  const scrollTop = box.scrollTop;
  state.signature = sig;
  renderHead(t);
  const messages = t.messages || [];
  if (!messages.length) {
    fill(box, stateBlock("empty", "No messages yet", "Messages appear here as the conversation goes on."));
    return;
  }
  const rows = [];
  let lastDay = "";
  for (const m of messages) {
    const d = parseTime(m.created_at);
    const day = d ? d.toDateString() : "";
    if (day && day !== lastDay) {
      rows.push(h("div", { class: "day-sep", role: "separator" }, h("span", {}, d.toLocaleDateString(undefined,
        { weekday: "long", month: "long", day: "numeric" }))));
      lastDay = day;
    }
    rows.push(messageRow(m));
  }
  fill(box, rows);
  if (scrollToEnd || following) showLatest();
  else box.scrollTop = scrollTop;
  updateOverflowHint(box);
  if (focused) {
    const again = box.querySelector(focused);
    if (again) again.focus({ preventScroll: true });
  }
}

function focusKey(node) {
  const card = node.closest("[data-nudge-id]");
  const testid = node.getAttribute("data-testid");
  if (card && testid) return `[data-nudge-id="${card.dataset.nudgeId}"] [data-testid="${testid}"]`;
  return null;
}

function renderHead(t) {
  const last = (t.messages || []).at(-1);
  const signals = last ? last.signals || [] : [];
  fill(els.head,
    h("div", { class: "chat-title" },
      h("h2", {}, t.customer_id || t.id),
      h("span", { class: "muted small" }, t.customer_id ? `Conversation ${t.id}` : "No customer id"),
      t.flagged ? h("span", { class: "badge badge-flag" }, "Flagged") : null),
    h("div", { class: "chat-signals" },
      signals.map((s) => chip(s, { kind: "signal", testid: "signal" })),
      h("span", { class: "muted small" }, plural((t.messages || []).length, "message"))));
}

function textBlock(text, cls) {
  return h("div", { class: cls, lang: DEVANAGARI.test(text) ? "hi" : null, dir: "auto" }, text);
}

function messageRow(m) {
  const isCustomer = m.role === "customer";
  const scores = m.scores || {};
  const bubble = h("div", {
    class: ["bubble", isCustomer ? "bubble-customer" : "bubble-agent", (m.labels || []).length && "bubble-flagged"],
    "data-testid": "message", dataset: { messageId: m.id, role: m.role },
  },
  textBlock(m.text, "bubble-text"),
  h("div", { class: "bubble-meta" },
    h("span", { class: "bubble-who" }, isCustomer ? "Customer" : "You"),
    timeEl(m.created_at)),
  isCustomer && (m.labels || []).length
    ? h("div", { class: "bubble-labels" }, m.labels.map((l) => chip(l, { score: scores[l], testid: "label" })))
    : null);
  const nudges = (m.nudges || []).map((n) => nudgeCard(state.nudges.get(n.id) || n));
  return h("div", { class: ["msg-row", isCustomer ? "row-customer" : "row-agent"], dataset: { rowId: m.id } },
    bubble,
    h("div", { class: "nudge-stack", dataset: { for: m.id } }, nudges));
}

// ---------------------------------------------------------------------------------------------
// Keeping the latest message in view
//
// While the agent is at the latest message ("following"), anything that changes the transcript's height (the
// draft check opening or closing, the draft box resized, the window resized) or adds a message keeps that
// message and its nudges on screen. When the latest message and its nudges are taller than the transcript,
// the message goes to the top and its nudges follow below it (a fade says there is more to scroll to).

let followLatest = true;

function lastRow() {
  const rows = els.transcript.querySelectorAll(".msg-row");
  return rows.length ? rows[rows.length - 1] : null;
}

/** Is the agent looking at the latest message: at the end, or with its top in view? */
function atLatest() {
  const box = els.transcript;
  if (box.scrollHeight - box.scrollTop - box.clientHeight < 80) return true;
  const row = lastRow();
  if (!row) return false;
  const r = row.getBoundingClientRect();
  const b = box.getBoundingClientRect();
  return r.top >= b.top - 4 && r.top < b.bottom - 24;
}

/** Scroll to the end, or, when the latest message and its nudges do not fit, put the message at the top. */
function showLatest() {
  const box = els.transcript;
  const row = lastRow();
  if (!row) { box.scrollTop = box.scrollHeight; return; }
  const top = box.scrollTop + row.getBoundingClientRect().top - box.getBoundingClientRect().top - 12;
  box.scrollTop = Math.max(0, top); // past the end when it all fits: the browser stops at the end
  followLatest = true;
}

/** A fade at the bottom edge of a scrolling box while there is more below. */
function updateOverflowHint(el) {
  el.classList.toggle("more-below", el.scrollHeight - el.scrollTop - el.clientHeight > 6);
}

function watchTranscript() {
  const box = els.transcript;
  box.addEventListener("scroll", () => { followLatest = atLatest(); updateOverflowHint(box); }, { passive: true });
  els.draftResults.addEventListener("scroll", () => updateOverflowHint(els.draftResults), { passive: true });
  if (typeof ResizeObserver === "undefined") return;
  new ResizeObserver(() => {
    if (followLatest && state.transcript && lastRow()) showLatest();
    updateOverflowHint(box);
  }).observe(box);
  new ResizeObserver(() => updateOverflowHint(els.draftResults)).observe(els.draftResults);
}

// ---------------------------------------------------------------------------------------------
// Nudge cards

const SEVERITY = { info: "Tip", warning: "Take care", critical: "Act now" };

function triggerChips(n) {
  const chips = [];
  const labels = n.labels || [];
  // a signal (or draft) trigger: its labels come from several messages, so one message's scores would mislead
  const signal = n.trigger && !labels.includes(n.trigger);
  if (signal) chips.push(chip(n.trigger, { kind: "signal" }));
  for (const l of labels) chips.push(chip(l, { score: signal ? undefined : (n.scores || {})[l] }));
  return chips;
}

function nudgeCard(n) {
  const sev = ["info", "warning", "critical"].includes(n.severity) ? n.severity : "info";
  const lang = state.language;
  const card = h("article", {
    class: ["nudge", `sev-${sev}`, n.acked && "acked"],
    "data-testid": "nudge",
    dataset: { guideline: n.guideline, messageId: n.message_id, nudgeId: n.id, conversationId: n.conversation_id,
      severity: sev, acked: n.acked ? "true" : "false", feedback: n.feedback || "" },
    "aria-label": `Guideline: ${n.title}`,
    on: {
      mouseenter: () => markEvidence(n, true), mouseleave: () => markEvidence(n, false),
      focusin: () => markEvidence(n, true), focusout: () => markEvidence(n, false),
    },
  });
  const feedbackBtn = (value, label, iconName) => h("button", {
    type: "button", class: ["btn", "btn-small", "btn-feedback", n.feedback === value && "active"],
    "data-testid": `nudge-${value}`, "aria-pressed": n.feedback === value ? "true" : "false",
    on: { click: () => sendFeedback(n.id, value) },
  }, icon(iconName, 14), label);

  if (n.acked) {
    card.append(
      h("div", { class: "nudge-compact" },
        h("span", { class: "nudge-compact-icon" }, icon("check", 14)),
        h("span", { class: "nudge-compact-title", lang }, n.title),
        n.feedback ? h("span", { class: ["badge", `badge-${n.feedback}`] }, n.feedback === "helpful" ? "Helpful" : "Marked wrong") : null,
        h("button", { type: "button", class: "link-btn", "aria-expanded": "false", on: { click: (e) => toggleCompact(card, e.currentTarget) } }, "Show advice")),
      h("div", { class: "nudge-full", hidden: true },
        h("p", { class: "nudge-advice", lang }, n.advice),
        h("div", { class: "nudge-foot" },
          h("div", { class: "nudge-triggers" }, triggerChips(n)),
          h("div", { class: "nudge-actions" }, feedbackBtn("helpful", "Helpful", "thumbUp"), feedbackBtn("wrong", "Wrong", "thumbDown")))));
    return card;
  }

  card.append(
    h("div", { class: "nudge-icon", "aria-hidden": "true" }, icon(sev, 18)),
    h("div", { class: "nudge-body" },
      h("div", { class: "nudge-kicker" }, SEVERITY[sev]),
      h("h3", { class: "nudge-title", lang }, n.title),
      h("p", { class: "nudge-advice", lang }, n.advice),
      h("div", { class: "nudge-foot" },
        h("div", { class: "nudge-triggers" }, h("span", { class: "muted small" }, "Because of"), triggerChips(n)),
        h("div", { class: "nudge-actions" },
          feedbackBtn("helpful", "Helpful", "thumbUp"),
          feedbackBtn("wrong", "Wrong", "thumbDown"),
          h("button", { type: "button", class: "btn btn-small btn-ack", "data-testid": "nudge-ack", on: { click: () => sendAck(n.id) } },
            icon("check", 14), "Got it")))));
  return card;
}

function toggleCompact(card, button) {
  const full = card.querySelector(".nudge-full");
  full.hidden = !full.hidden;
  button.setAttribute("aria-expanded", String(!full.hidden));
  button.textContent = full.hidden ? "Show advice" : "Hide advice";
}

function markEvidence(n, on) {
  for (const id of n.evidence || []) {
    const b = els.transcript.querySelector(`[data-testid="message"][data-message-id="${CSS.escape(String(id))}"]`);
    if (b) b.classList.toggle("evidence", on);
  }
}

/** Put (or refresh) the card of nudge `n` beside its message, if that message is on screen. */
function placeNudge(n) {
  if (n.conversation_id !== state.selectedId) return false;
  const row = els.transcript.querySelector(`.msg-row[data-row-id="${CSS.escape(String(n.message_id))}"]`);
  if (!row) return false;
  const stack = row.querySelector(".nudge-stack");
  const card = nudgeCard(state.nudges.get(n.id) || n);
  const old = stack.querySelector(`[data-nudge-id="${CSS.escape(String(n.id))}"]`);
  if (old) old.replaceWith(card);
  else {
    const following = row === lastRow() && atLatest();
    stack.appendChild(card);
    card.classList.add("arrived");
    const box = els.transcript;
    const r = card.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    if (following) showLatest();
    else if (r.bottom > b.bottom || r.top < b.top) card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    updateOverflowHint(box);
  }
  // keep the transcript copy in sync so a re-render shows the same thing
  const msg = (state.transcript?.messages || []).find((m) => String(m.id) === String(n.message_id));
  if (msg) {
    msg.nudges = msg.nudges || [];
    const i = msg.nudges.findIndex((x) => x.id === n.id);
    if (i >= 0) msg.nudges[i] = n; else msg.nudges.push(n);
    state.signature = signatureOf(state.transcript);
  }
  return true;
}

function updateNudge(id, patch) {
  const n = state.nudges.get(id);
  if (!n) return;
  Object.assign(n, patch);
  if (n.acked) state.unacked.delete(id); else state.unacked.set(id, n.conversation_id);
  placeNudge(n);
  renderList();
}

// ack and feedback go over the socket; the REST endpoints take over when it is down or silent
function sendAck(id) {
  const n = state.nudges.get(id);
  if (!n) return;
  const before = { acked: n.acked, _local: n._local };
  updateNudge(id, { acked: true, _local: true });
  runOp(`ack:${id}`, { type: "ack", nudge_id: id },
    () => api(`/api/nudges/${id}/ack`, { token: state.token, method: "POST" }),
    (err) => { updateNudge(id, before); toast(err, { title: "Could not mark it as read", kind: "error" }); });
  // move focus somewhere sensible: the collapsed card's toggle
  const card = els.transcript.querySelector(`[data-nudge-id="${id}"] .link-btn`);
  if (card) card.focus({ preventScroll: true });
}

function sendFeedback(id, value) {
  const n = state.nudges.get(id);
  if (!n) return;
  const before = { feedback: n.feedback, _local: n._local };
  updateNudge(id, { feedback: value, _local: true });
  const again = els.transcript.querySelector(`[data-nudge-id="${id}"] [data-testid="nudge-${value}"]`);
  if (again) again.focus({ preventScroll: true });
  runOp(`feedback:${id}`, { type: "feedback", nudge_id: id, value },
    () => api(`/api/nudges/${id}/feedback`, { token: state.token, method: "POST", body: { value } }),
    (err) => { updateNudge(id, before); toast(err, { title: "Could not save your feedback", kind: "error" }); });
  if (value !== before.feedback) {
    toast(value === "helpful" ? "Thanks — glad it helped." : "Thanks — this helps us improve the guidance.",
      { kind: "success", timeout: 2500 });
  }
}

function runOp(key, frame, rest, fail) {
  const old = state.pendingOps.get(key);
  if (old) clearTimeout(old.timer);
  const viaRest = async () => {
    state.pendingOps.delete(key);
    try { await rest(); } catch (err) { if (!handleAuthError(err)) fail(err.message); }
  };
  if (state.socket && state.socket.send(frame)) {
    const timer = setTimeout(viaRest, WS_REPLY_TIMEOUT_MS);
    state.pendingOps.set(key, { timer, run: viaRest, fail });
  } else {
    viaRest();
  }
}

function flushPendingOpsOverRest() {
  for (const op of [...state.pendingOps.values()]) { clearTimeout(op.timer); op.run(); }
}

// ---------------------------------------------------------------------------------------------
// Live nudges

function onSocketMessage(msg) {
  switch (msg.type) {
    case "hello":
      if (msg.language) state.language = msg.language;
      break;
    case "nudge":
      onNudge(msg);
      break;
    case "ack":
    case "feedback": {
      const key = `${msg.type}:${msg.nudge_id}`;
      const op = state.pendingOps.get(key);
      if (op) {
        clearTimeout(op.timer);
        state.pendingOps.delete(key);
        if (msg.ok === false) op.fail(msg.error || "the server did not accept it");
      }
      break;
    }
    default:
      break; // pong and anything newer
  }
}

function onNudge(msg) {
  const { type, ...n } = msg;
  if (!n.id) return;
  const known = state.nudges.has(n.id);
  rememberNudge(n);
  const nudge = state.nudges.get(n.id);
  if (!state.conversations.some((c) => c.id === n.conversation_id)) refreshListSoon();
  if (n.conversation_id === state.selectedId) {
    if (!placeNudge(nudge)) reloadTranscriptSoon();
  } else if (!known && !nudge.acked) {
    if (n.replayed) queueReplayed(nudge);
    else queueFresh(nudge);
  }
  renderList();
}

const announceReplayed = debounce(() => {
  const items = state.replayed.filter((n) => !n.acked && n.conversation_id !== state.selectedId);
  state.replayed = [];
  if (!items.length) return;
  const convs = new Set(items.map((n) => n.conversation_id));
  const first = items[0].conversation_id;
  toast(`${items.length} guideline${items.length > 1 ? "s" : ""} in ${convs.size} conversation${convs.size > 1 ? "s" : ""} still need a look.`,
    { title: "While you were away", kind: "info", action: { label: "Open", run: () => select(first) }, timeout: 8000 });
}, 600);

// nudges raised by one message arrive together: one toast per burst, not one per nudge
let fresh = [];
const announceFresh = debounce(() => {
  const items = fresh.filter((n) => !n.acked && n.conversation_id !== state.selectedId);
  fresh = [];
  if (!items.length) return;
  const rank = { info: 0, warning: 1, critical: 2 };
  const top = items.reduce((a, b) => ((rank[b.severity] || 0) > (rank[a.severity] || 0) ? b : a));
  const convs = [...new Set(items.map((n) => n.conversation_id))];
  const where = convs.length === 1 ? conversationName(convs[0]) : `${convs.length} conversations`;
  toast(items.length === 1 ? top.title : items.map((n) => n.title).join(" · "), {
    title: `New guidance · ${where}`, kind: top.severity === "critical" ? "critical" : top.severity === "info" ? "info" : "warning",
    action: { label: "Open", run: () => select(top.conversation_id) }, timeout: 9000,
  });
}, 250);

function queueFresh(n) {
  fresh.push(n);
  announceFresh();
}

function conversationName(id) {
  const c = state.conversations.find((x) => x.id === id);
  return c && c.customer_id ? `${c.customer_id} (${id})` : id;
}

function queueReplayed(n) {
  state.replayed.push(n);
  announceReplayed();
}

// ---------------------------------------------------------------------------------------------
// Draft check

let draftRequest = 0;
async function checkDraft() {
  const text = els.draft.value.trim();
  els.draftError.textContent = "";
  if (!state.token) { els.draftError.textContent = "Sign in first."; return; }
  if (!text) { els.draftError.textContent = "Write a reply to check."; els.draft.focus(); return; }
  const mine = ++draftRequest;
  els.checkDraft.disabled = true;
  els.checkDraft.classList.add("busy");
  els.checkDraft.textContent = "Checking…";
  try {
    const body = { text };
    if (state.selectedId) body.conversation_id = state.selectedId;
    const out = await api("/api/drafts", { token: state.token, method: "POST", body });
    if (mine !== draftRequest) return;
    state.draftChecked = text;
    renderDraftResults(out);
  } catch (err) {
    if (mine !== draftRequest || handleAuthError(err)) return;
    els.draftError.textContent = err.message;
  } finally {
    if (mine === draftRequest) {
      els.checkDraft.disabled = false;
      els.checkDraft.classList.remove("busy");
      els.checkDraft.textContent = "Check draft";
    }
  }
}

const DRAFT_KICKER = {
  personal_contact: { en: "You are about to share a personal contact", hi: "आप एक निजी संपर्क साझा करने वाले हैं" },
  anger: { en: "Your reply sounds heated", hi: "आपका जवाब गुस्से भरा लग रहा है" },
  insult: { en: "Your reply may come across as insulting", hi: "आपका जवाब अपमानजनक लग सकता है" },
};

function renderDraftResults(out) {
  renderDraftResultsInto(out);
  els.draftResults.scrollTop = 0;
  updateOverflowHint(els.draftResults);
}

function renderDraftResultsInto(out) {
  els.draftResults.classList.remove("stale");
  const nudges = (out && out.nudges) || [];
  if (!nudges.length) {
    fill(els.draftResults, h("div", { class: "draft-ok", "data-testid": "draft-ok" },
      icon("check", 16), h("span", {}, "Looks good — nothing in this draft goes against the guidelines."),
      closeButton()));
    return;
  }
  const lang = state.language;
  fill(els.draftResults,
    h("div", { class: "draft-head" },
      h("span", {}, `Before you send: ${nudges.length} thing${nudges.length > 1 ? "s" : ""} to fix`),
      closeButton()),
    nudges.map((n) => {
      const sev = ["info", "warning", "critical"].includes(n.severity) ? n.severity : "warning";
      const kicker = DRAFT_KICKER[n.trigger];
      const kickerLang = kicker && kicker[lang] ? lang : "en";
      const found = n.trigger === "personal_contact" ? (n.evidence || []).filter(Boolean) : [];
      return h("article", { class: ["nudge", "nudge-draft", `sev-${sev}`], "data-testid": "draft-nudge",
        dataset: { guideline: n.guideline, trigger: n.trigger, severity: sev } },
      h("div", { class: "nudge-icon", "aria-hidden": "true" }, icon(sev, 18)),
      h("div", { class: "nudge-body" },
        kicker ? h("div", { class: "nudge-lead", lang: kickerLang }, kicker[kickerLang]) : null,
        h("h3", { class: "nudge-title", lang }, n.title),
        h("p", { class: "nudge-advice", lang }, n.advice),
        found.length ? h("div", { class: "nudge-triggers" }, h("span", { class: "muted small" }, "Found in your draft"),
          found.map((f) => h("code", { class: "found" }, f))) : null,
        !found.length && triggerChips(n).length
          ? h("div", { class: "nudge-triggers" }, h("span", { class: "muted small" }, "Because of"), triggerChips(n)) : null));
    }));
}

function closeButton() {
  return h("button", { type: "button", class: "icon-btn", "aria-label": "Hide the draft check", on: { click: () => { fill(els.draftResults); els.draft.focus(); } } }, icon("x", 14));
}

// keep relative times fresh
setInterval(() => {
  for (const t of document.querySelectorAll(".conv-time time")) {
    t.textContent = relativeTime(t.getAttribute("datetime"));
  }
}, 30_000);

start();
// exported for tests that drive the page directly
export { state };
