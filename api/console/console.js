// The Chat-Rec console: a plain page over the HTTP API (no framework, no build step, nothing from the internet).
// Every request goes to a path relative to the page, so the console also works behind a path prefix.
"use strict";

const K = 5; // recommendations per answer
const MAX_K = 100; // the API's limit
const MORE_TEXT = "show me more";
const SVG_NS = "http://www.w3.org/2000/svg";
const LABEL_COLOURS = {
  User: "#f79767",
  Item: "#57c7e3",
  Movie: "#57c7e3",
  Genre: "#8dcc93",
  Person: "#c990c0",
  Tag: "#ffc454",
};
const FALLBACK_COLOURS = ["#4c8eda", "#ecb5c9", "#da7194", "#569480", "#d9c8ae", "#f16667"];

const $ = (selector) => document.querySelector(selector);

const memory = new Map(); // where settings live when the browser keeps no localStorage
const settings = {
  get(name, fallback = "") {
    try {
      return localStorage.getItem(`chatrec.${name}`) ?? fallback;
    } catch {
      return memory.get(name) ?? fallback; // storage disabled: settings last as long as the page
    }
  },
  set(name, value) {
    try {
      if (value) localStorage.setItem(`chatrec.${name}`, value);
      else localStorage.removeItem(`chatrec.${name}`);
    } catch {
      if (value) memory.set(name, value);
      else memory.delete(name);
    }
  },
};

const state = { sessionId: null, userId: null, busy: false, retry: null, svgCount: 0 };

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// ---- HTTP -------------------------------------------------------------------------------------------------------

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const key = settings.get("apiKey");
  if (key) headers["X-API-Key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, `Could not reach the API (${err.message}). Is the server running?`);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    let detail = data && data.detail !== undefined ? data.detail : text.trim().slice(0, 300);
    if (typeof detail !== "string") detail = JSON.stringify(detail);
    throw new ApiError(response.status, `${response.status} ${response.statusText || ""}: ${detail || "no detail"}`);
  }
  return data;
}

const sessionPath = (id) => `v1/sessions/${encodeURIComponent(id)}`;

function newTurnId() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  (window.crypto || { getRandomValues: (a) => a.map(() => Math.floor(Math.random() * 256)) }).getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- small DOM helpers ------------------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function showError(err, retry = null) {
  const message = err instanceof ApiError ? err.message : `Unexpected error: ${err && err.message ? err.message : err}`;
  const hint = err instanceof ApiError && err.status === 401 ? " Enter the API key under Settings." : "";
  $("#error-text").textContent = message + hint;
  state.retry = retry;
  $("#error-retry").hidden = !retry;
  $("#error").hidden = false;
  if (hint) $("#settings").open = true;
}

function clearError() {
  $("#error").hidden = true;
  state.retry = null;
}

function setBusy(busy) {
  state.busy = busy;
  for (const id of ["#send", "#more"]) $(id).disabled = busy;
  $("#chat-form").setAttribute("aria-busy", String(busy));
}

// ---- sessions and the chat log ----------------------------------------------------------------------------------

function setSession(sessionId, userId) {
  state.sessionId = sessionId;
  state.userId = userId;
  settings.set("session", sessionId ? JSON.stringify({ sessionId, userId }) : "");
  const info = $("#session");
  info.replaceChildren();
  if (!sessionId) {
    info.textContent = "No session yet: the first message starts one.";
    return;
  }
  info.append(
    "Session ",
    el("code", { "data-testid": "session-id", text: sessionId }),
    " for user ",
    el("code", { "data-testid": "session-user", text: userId }),
  );
}

async function startSession() {
  const userId = $("#user-id").value.trim();
  const out = await api("POST", "v1/sessions", userId ? { user_id: userId } : {});
  setSession(out.session_id, out.user_id);
  $("#log").replaceChildren();
  renderParse(null);
  renderRecommendations([]);
  renderWhy([]);
}

async function resumeSession() {
  let saved = null;
  try {
    saved = JSON.parse(settings.get("session", "null"));
  } catch {
    saved = null;
  }
  if (!saved || !saved.sessionId) return;
  setSession(saved.sessionId, saved.userId);
  try {
    await loadHistory();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) setSession(null, null); // the database was reset
    else showError(err);
  }
}

async function loadHistory() {
  const turns = [];
  let after = 0;
  for (let page = 0; page < 20 && after !== null; page++) {
    const detail = await api("GET", `${sessionPath(state.sessionId)}?after_seq=${after}&limit=100`);
    turns.push(...detail.turns);
    after = detail.next_after_seq;
  }
  $("#log").replaceChildren(...turns.map((t) => turnItem(t.role, t.text, t.mentions, t.status)));
  scrollLog();
}

function turnItem(role, text, mentions = [], status = null) {
  const item = el("li", { class: `turn ${role}`, "data-testid": "turn", "data-role": role });
  if (status && status !== "answered") item.dataset.status = status;
  item.append(el("span", { class: "who", text: role === "user" ? "you" : role }), highlighted(text, mentions));
  return item;
}

function highlighted(text, mentions) {
  // The grounded spans of a turn, marked with their polarity (only where the offsets really fit the text).
  const body = el("span", { class: "text" });
  let at = 0;
  const spans = [...(mentions || [])]
    .filter((m) => m.start >= 0 && m.end <= text.length && m.start < m.end)
    .sort((a, b) => a.start - b.start);
  for (const m of spans) {
    if (m.start < at) continue;
    body.append(text.slice(at, m.start));
    const title = `${m.label}: ${m.name} (${m.polarity})`;
    body.append(el("mark", { class: `mention ${m.polarity}`, title, text: text.slice(m.start, m.end) }));
    at = m.end;
  }
  body.append(text.slice(at));
  return body;
}

function scrollLog() {
  const log = $("#log");
  log.scrollTop = log.scrollHeight;
}

async function send(text, k = K, turnId = newTurnId()) {
  text = text.trim();
  if (!text || state.busy) return;
  clearError();
  setBusy(true);
  const pending = turnItem("user", text, [], "pending");
  try {
    if (!state.sessionId) await startSession();
    $("#log").append(pending);
    scrollLog();
    const out = await api("POST", `${sessionPath(state.sessionId)}/messages`, {
      text,
      k,
      explain: true,
      turn_id: turnId,
    });
    pending.remove();
    $("#log").append(turnItem("user", text, out.parse.mentions), turnItem("assistant", out.reply));
    scrollLog();
    renderParse(out.parse);
    if (out.strategy) renderRecommendations(out.recommendations, text); // a list was ranked (maybe empty)
    renderWhy(out.explanations);
    try {
      await loadHistory(); // the session's turns as the server recorded them
    } catch (err) {
      showError(err);
    }
    return out;
  } catch (err) {
    pending.dataset.status = "failed";
    if (!$("#message").value) $("#message").value = text; // nothing typed is lost
    showError(err, () => send(text, k, turnId)); // the same turn id: a retry never records the turn twice
    return null;
  } finally {
    setBusy(false);
    $("#message").focus();
  }
}

// ---- what was understood ----------------------------------------------------------------------------------------

function renderParse(parse) {
  const box = $("#parse");
  box.replaceChildren();
  if (!parse) {
    box.append(el("p", { class: "muted", text: "Nothing yet." }));
    return;
  }
  box.append(
    el(
      "p",
      { class: "intent" },
      "Intent ",
      el("strong", { "data-testid": "intent", text: parse.intent }),
      el("span", { class: "muted", text: ` · parser ${parse.parser}` }),
    ),
  );
  const mentions = el("ul", { class: "chips", "data-testid": "mentions", "aria-label": "Grounded entities" });
  for (const m of parse.mentions) {
    const sign = m.polarity === "like" ? "+" : m.polarity === "dislike" ? "−" : "·";
    mentions.append(
      el(
        "li",
        {
          class: `chip ${m.polarity}`,
          "data-testid": "mention",
          "data-polarity": m.polarity,
          "data-node-id": m.node_id,
          title: `“${m.text}” → ${m.label} ${m.node_id} (confidence ${m.confidence.toFixed(2)}, seen: ${m.seen})`,
        },
        el("span", { class: "sign", "aria-hidden": "true", text: sign }),
        el("span", { class: "dot", style: `background:${colourOf(m.label)}`, "aria-hidden": "true" }),
        `${m.name} `,
        el("span", { class: "muted", text: `${m.label}, ${m.polarity}` }),
      ),
    );
  }
  if (!parse.mentions.length) mentions.append(el("li", { class: "muted", text: "No entity grounded." }));
  box.append(mentions);
  const c = parse.constraints;
  const parts = [];
  if (c.year_min !== null || c.year_max !== null) parts.push(`years ${c.year_min ?? "…"}–${c.year_max ?? "…"}`);
  if (c.genres_required.length) parts.push(`only ${c.genres_required.join(", ")}`);
  if (c.genres_excluded.length) parts.push(`no ${c.genres_excluded.join(", ")}`);
  if (c.not_seen) parts.push("not seen yet");
  box.append(
    el("p", { class: "constraints", "data-testid": "constraints" }, "Constraints: ", parts.join(" · ") || "none"),
  );
}

// ---- recommendations and their paths ----------------------------------------------------------------------------

function renderRecommendations(recs, asked = null) {
  // The latest list, kept while later turns ("why?", "thanks") bring none.
  $("#recs").replaceChildren(...recs.map((rec, i) => recommendationCard(rec, i + 1)));
  const empty = asked === null ? "No recommendations yet." : "Nothing in the catalog fits: loosen a constraint.";
  if (!recs.length) $("#recs").append(el("li", { class: "muted empty", text: empty }));
  $("#recs-for").textContent = asked === null ? "" : `for “${asked}”`;
  const labels = new Set(recs.flatMap((r) => (r.explanations || []).flatMap((e) => e.nodes.map((n) => n.label))));
  const legend = $("#legend");
  legend.replaceChildren();
  for (const label of [...labels].sort()) {
    legend.append(el("span", { class: "dot", style: `background:${colourOf(label)}` }), ` ${label} `);
  }
}

function renderWhy(answers) {
  const list = $("#why-list");
  const items = (answers || []).filter((a) => a.explanations.length);
  list.replaceChildren(
    ...items.map((answer) => {
      const card = el("li", { class: "card", "data-testid": "why-item", "data-item-id": answer.item_id });
      const last = answer.explanations[0].nodes.at(-1);
      card.append(el("h3", { text: last ? last.name : answer.item_id }), pathViewer(answer.explanations));
      return card;
    }),
  );
  $("#why").hidden = !items.length;
}

function splitTitle(rec) {
  const match = /^(.*) \((\d{4})\)$/.exec(rec.name);
  if (match && (rec.year === null || rec.year === undefined || String(rec.year) === match[2])) return match[1];
  return rec.name;
}

function recommendationCard(rec, rank) {
  const card = el("li", { class: "card", "data-testid": "recommendation", "data-item-id": rec.item_id });
  card.dataset.name = rec.name;
  const meta = [rec.year, rec.genres.join(", ")].filter(Boolean).join(" · ");
  const note = el("p", { class: "feedback-note", "data-testid": "feedback-note", "aria-live": "polite" });
  card.append(
    el(
      "div",
      { class: "card-head" },
      el("span", { class: "rank", "aria-hidden": "true", text: String(rank) }),
      el("h3", { "data-testid": "rec-title", text: splitTitle(rec) }),
      el("span", { class: "meta muted", "data-testid": "rec-meta", text: meta }),
      feedbackButtons(rec, card, note),
    ),
    note,
  );
  const paths = rec.explanations || [];
  if (paths.length) card.append(pathViewer(paths));
  else card.append(el("p", { class: "reason muted", "data-testid": "rec-reason", text: "No path explains it yet." }));
  return card;
}

function pathViewer(paths) {
  // A path's sentence and drawing with its Cypher, and buttons to switch between the paths.
  const box = el("div", { class: "paths" });
  const reason = el("p", { class: "reason", "data-testid": "rec-reason" });
  const figure = el("figure", { class: "path" });
  const switcher = el("div", { class: "row switcher", role: "group", "aria-label": "Explanation paths" });
  const actions = el("div", { class: "row actions" });
  const cypher = el("div", { class: "cypher-box" });
  const show = (index) => {
    const path = paths[index];
    reason.textContent = path.text;
    figure.replaceChildren(drawPath(path));
    const [copy, open, code] = cypherActions(path.cypher);
    actions.replaceChildren(...(paths.length > 1 ? [switcher] : []), copy, open);
    cypher.replaceChildren(code);
    for (const [i, button] of [...switcher.children].entries()) {
      button.setAttribute("aria-pressed", String(i === index));
    }
  };
  paths.forEach((_, i) => {
    const label = `Show explanation path ${i + 1} of ${paths.length}`;
    const button = el("button", { type: "button", class: "secondary small", "aria-label": label });
    button.textContent = `path ${i + 1}`;
    button.addEventListener("click", () => show(i));
    switcher.append(button);
  });
  box.append(reason, figure, actions, cypher);
  show(0);
  return box;
}

function colourOf(label) {
  if (LABEL_COLOURS[label]) return LABEL_COLOURS[label];
  let hash = 0;
  for (const ch of label) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return FALLBACK_COLOURS[hash % FALLBACK_COLOURS.length];
}

function shorten(text, max = 25) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function drawPath(path) {
  // The path left to right: one circle per node (coloured by label, its label above and name below), one arrow per
  // relationship in its own direction with its type (a hop between non-neighbours arcs over the nodes in between).
  const { nodes, relationships } = path;
  const step = 175;
  const radius = 15;
  const gap = radius + 3;
  const pad = 80;
  const arcs = relationships.some((rel) => Math.abs(rel.end - rel.start) > 1);
  const cy = arcs ? 86 : 46;
  const width = pad * 2 + step * Math.max(nodes.length - 1, 0);
  const height = cy + 54;
  const x = (i) => pad + step * i;
  const markerId = `arrow-${++state.svgCount}`;
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    role: "img",
    class: "path-svg",
    "data-testid": "path-svg",
    "aria-label": `Path: ${path.text}`,
    preserveAspectRatio: "xMinYMid meet",
  });
  root.style.maxWidth = `${width}px`;
  root.append(svg("title", {}, path.text));
  const marker = svg("marker", {
    id: markerId,
    viewBox: "0 0 10 10",
    refX: "9",
    refY: "5",
    markerWidth: "7",
    markerHeight: "7",
    orient: "auto-start-reverse",
  });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow-head" }));
  const defs = svg("defs");
  defs.append(marker);
  root.append(defs);

  for (const rel of relationships) {
    const [a, b] = [x(rel.start), x(rel.end)];
    const direction = Math.sign(b - a) || 1;
    const arrow = { "marker-end": `url(#${markerId})` };
    const group = svg("g", { class: "rel", "data-testid": "path-rel", "data-type": rel.type });
    const mid = (a + b) / 2;
    let labelY = cy - 8;
    if (Math.abs(rel.end - rel.start) <= 1) {
      group.append(svg("line", { x1: a + direction * gap, y1: cy, x2: b - direction * gap, y2: cy, ...arrow }));
    } else {
      const top = cy - gap;
      group.append(svg("path", { d: `M${a},${top} Q${mid},${top - 60} ${b},${top}`, fill: "none", ...arrow }));
      labelY = top - 34;
    }
    const props = rel.properties || {};
    const rating = props.rating !== undefined ? ` ${props.rating}★` : "";
    group.append(svg("text", { x: mid, y: labelY, "text-anchor": "middle", class: "rel-type" }, rel.type + rating));
    const detail = Object.entries(props)
      .map(([key, value]) => `${key}: ${value}`)
      .join(", ");
    const shown = `${nodes[rel.start].name} -[:${rel.type}${detail ? ` {${detail}}` : ""}]-> ${nodes[rel.end].name}`;
    group.append(svg("title", {}, shown));
    root.append(group);
  }

  nodes.forEach((node, i) => {
    const name = node.label === "User" && node.id === state.userId ? "you" : node.name || node.id;
    const group = svg("g", { class: "node", "data-testid": "path-node", "data-label": node.label, "data-id": node.id });
    const text = (y, cls, content) => svg("text", { x: x(i), y, "text-anchor": "middle", class: cls }, content);
    group.append(
      svg("title", {}, `${node.label}: ${node.name || node.id} (${node.id})`),
      text(cy - radius - 8, "node-label", node.label),
      svg("circle", { cx: x(i), cy, r: radius, fill: colourOf(node.label) }),
      text(cy + radius + 18, "node-name", shorten(name)),
    );
    root.append(group);
  });
  return root;
}

function browserLink(cypher) {
  const base = settings.get("browserUrl") || defaultBrowserUrl();
  const url = new URL(base, location.href);
  url.searchParams.set("cmd", "edit");
  url.searchParams.set("arg", cypher);
  return url.toString();
}

function defaultBrowserUrl() {
  return `http://${location.hostname || "127.0.0.1"}:7474/browser/`;
}

function cypherActions(cypher) {
  const code = el(
    "details",
    { class: "cypher" },
    el("summary", { text: "Cypher" }),
    el("pre", {}, el("code", { "data-testid": "cypher", text: cypher })),
  );
  const copy = el("button", {
    type: "button",
    class: "secondary small",
    "data-testid": "copy-cypher",
    "aria-label": "Copy the Cypher query of this path",
    text: "Copy Cypher",
  });
  copy.addEventListener("click", async () => {
    const copied = await copyText(cypher);
    if (copied) {
      flash(copy, "Copied");
    } else {
      code.open = true;
      selectContents(code.querySelector("code"));
      flash(copy, "Press Ctrl+C");
    }
  });
  const open = el("a", {
    class: "button secondary small",
    href: browserLink(cypher),
    target: "_blank",
    rel: "noopener",
    "data-testid": "open-browser",
    text: "Open in Neo4j Browser",
  });
  return [copy, open, code];
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      /* denied: fall back */
    }
  }
  const area = el("textarea", { readonly: true, "aria-hidden": "true", class: "offscreen" });
  area.value = text;
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

function selectContents(node) {
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

function flash(button, text) {
  const before = button.dataset.label || button.textContent;
  button.dataset.label = before;
  button.textContent = text;
  setTimeout(() => (button.textContent = before), 1500);
}

// ---- feedback -----------------------------------------------------------------------------------------------------

function feedbackButtons(rec, card, note) {
  const button = (signal, text) =>
    el("button", {
      type: "button",
      class: `small feedback ${signal}`,
      "data-testid": signal,
      "aria-label": `${text} ${rec.name}`,
      text,
      onclick: () => giveFeedback(rec, signal, card, note),
    });
  return el("div", { class: "row feedback-bar" }, button("accept", "Accept"), button("reject", "Reject"));
}

async function giveFeedback(rec, signal, card, note) {
  const buttons = card.querySelectorAll("button.feedback");
  buttons.forEach((b) => (b.disabled = true));
  clearError();
  try {
    await api("POST", "v1/feedback", { user_id: state.userId, item_id: rec.item_id, signal });
    card.dataset.feedback = signal;
    card.classList.toggle("rejected", signal === "reject");
    card.classList.toggle("accepted", signal === "accept");
    note.textContent =
      signal === "reject" ? "Rejected: it won't be suggested again (press More)." : "Accepted: similar picks move up.";
  } catch (err) {
    buttons.forEach((b) => (b.disabled = false));
    showError(err, () => giveFeedback(rec, signal, card, note));
  }
}

// ---- settings and start -----------------------------------------------------------------------------------------

function loadSettingsForm() {
  $("#api-key").value = settings.get("apiKey");
  $("#browser-url").value = settings.get("browserUrl") || defaultBrowserUrl();
  $("#browser-home").href = settings.get("browserUrl") || defaultBrowserUrl();
}

async function checkHealth() {
  const status = $("#status");
  try {
    const response = await fetch("health/ready", { headers: { Accept: "application/json" } });
    const body = await response.json();
    status.dataset.state = response.ok ? "ok" : "down";
    status.textContent = response.ok ? "API ready" : `API not ready: Neo4j ${body.neo4j}; model ${body.model}`;
  } catch (err) {
    status.dataset.state = "down";
    status.textContent = `API unreachable (${err.message})`;
  }
}

function init() {
  loadSettingsForm();
  $("#settings-form").addEventListener("submit", (event) => {
    event.preventDefault();
    settings.set("apiKey", $("#api-key").value.trim());
    const url = $("#browser-url").value.trim();
    settings.set("browserUrl", url && url !== defaultBrowserUrl() ? url : "");
    loadSettingsForm();
    $("#settings-note").textContent = "Saved.";
    setTimeout(() => ($("#settings-note").textContent = ""), 2000);
  });
  $("#settings-reset").addEventListener("click", () => {
    settings.set("apiKey", "");
    settings.set("browserUrl", "");
    loadSettingsForm();
    $("#settings-note").textContent = "Defaults restored.";
  });
  $("#error-dismiss").addEventListener("click", clearError);
  $("#error-retry").addEventListener("click", () => {
    const retry = state.retry;
    clearError();
    if (retry) retry();
  });
  $("#session-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    try {
      await startSession();
      $("#message").focus();
    } catch (err) {
      showError(err);
    }
  });
  $("#chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("#message");
    const text = input.value;
    if (!text.trim() || state.busy) return; // keep what was typed while an answer is on its way
    input.value = "";
    send(text);
  });
  $("#more").addEventListener("click", () => {
    // The same question again for a longer list: the picks so far (less any rejected) and the next ones.
    const shown = document.querySelectorAll('#recs [data-testid="recommendation"]').length;
    send(MORE_TEXT, Math.min(Math.max(shown, K) + K, MAX_K));
  });
  renderRecommendations([]);
  checkHealth();
  resumeSession();
}

document.addEventListener("DOMContentLoaded", init);
