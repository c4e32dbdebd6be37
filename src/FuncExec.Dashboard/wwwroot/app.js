// FuncExec dashboard: draws the view the scheduler pushes on /api/events (server-sent events,
// a few times a second) and sends kill and cancel with the cluster secret kept in sessionStorage.
"use strict";

const SECRET_KEY = "funcexec-secret";
const $ = (id) => document.getElementById(id);
let auth = { secretConfigured: false, loopback: true, canRead: true, canAct: false };
let last = null;          // the latest view
let serverSkew = 0;       // server clock minus ours, ms
let throughputChart = null;
let timelineChart = null;
let timeline = { lanes: [], spans: [] };
let windowSeconds = 300;

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const badge = (state) => `<span class="badge ${esc(state)}">${esc(state)}</span>`;
// Cores as the CLI and the node's log show them: runs of neighbours joined by a dash ("0-3,6"), as the kernel lists them.
const coreList = (cores) => {
  const sorted = [...new Set(cores)].sort((x, y) => x - y);
  const parts = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
};
const clock = (ms) => (ms ? new Date(ms).toLocaleTimeString([], { hour12: false }) : "");
function duration(ms) {
  if (ms == null || ms < 0) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60000);
  return `${m} min ${Math.floor((ms % 60000) / 1000)} s`;
}
const secret = () => sessionStorage.getItem(SECRET_KEY) || "";

function toast(text, isError) {
  const t = $("toast");
  t.textContent = text;
  t.className = "toast" + (isError ? " error" : "");
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}

// Rows keyed by id, cells updated one by one: a cell is rewritten only when its content changed,
// so a task's buttons stay the same elements while its running time ticks on, and a click is
// never lost to a refresh. A cell is markup built with esc() ("..." or { h }), or text ({ text }),
// which is set as text and never parsed: what user code wrote (an error's message) goes that way.
function renderRows(tbody, rows, emptyText, columns) {
  const seen = new Set();
  let i = 0;
  for (const row of rows) {
    seen.add(row.key);
    let tr = tbody.querySelector(`tr[data-key="${CSS.escape(row.key)}"]`);
    if (!tr) {
      tr = document.createElement("tr");
      tr.dataset.key = row.key;
    }
    row.cells.forEach((cell, c) => {
      const { h, text, cls, title } = typeof cell === "string" ? { h: cell } : cell;
      const td = tr.children[c] || tr.appendChild(document.createElement("td"));
      if (text !== undefined) {
        if (td._text !== text) {
          td.textContent = text;
          td._text = text;
          td._html = undefined;
        }
      } else if (td._html !== h) {
        td.innerHTML = h;
        td._html = h;
        td._text = undefined;
      }
      if (td.className !== (cls || "")) td.className = cls || "";
      if (td.title !== (title || "")) td.title = title || "";
    });
    while (tr.children.length > row.cells.length) tr.lastChild.remove();
    tr.className = row.className || "";
    for (const [k, v] of Object.entries(row.data || {})) {
      if (tr.dataset[k] !== String(v)) tr.dataset[k] = v;
    }
    if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] || null);
    i++;
  }
  for (const tr of [...tbody.children]) {
    if (!seen.has(tr.dataset.key)) tr.remove();
  }
  if (rows.length === 0) {
    tbody.innerHTML = `<tr data-key="empty"><td class="empty" colspan="${columns}">${esc(emptyText)}</td></tr>`;
  }
}

function renderSummary(v) {
  const s = v.summary;
  $("scheduler-name").textContent = v.scheduler;
  if (v.insecure !== undefined) $("insecure").hidden = !v.insecure;
  document.title = `FuncExec ${v.scheduler}`;
  $("summary").innerHTML = [
    ["nodes", s.nodes], ["busy workers", `${s.busyWorkers} / ${s.workers}`], ["running", s.running],
    ["queued", s.queued], ["completed", s.completed], ["tasks/s", s.rate.toFixed(s.rate < 10 ? 1 : 0)], ["clients", s.clients],
  ].map(([k, val]) => `<span class="chip">${k} <b>${esc(val)}</b></span>`).join("");
}

function renderNodes(v) {
  renderRows($("nodes").tBodies[0], v.nodes.map((n) => {
    const state = !n.connected ? "disconnected" : n.stuck ? "stuck" : "ok";
    return {
      key: `node-${n.index}`,
      className: n.stuck || !n.connected ? "stuck" : "",
      data: { node: n.name, stuck: n.stuck },
      cells: [esc(n.name), esc(n.address), { cls: "pulse", h: `${(n.pulseAgeMs / 1000).toFixed(1)} s ago` }, String(n.workers.length), badge(state)],
    };
  }), "no nodes have joined", 5);
}

function renderWorkers(v) {
  const rows = [];
  for (const n of v.nodes) {
    for (const w of n.workers) {
      const cpu = w.cpu < 0 ? "–" : `<span class="cpu"><i style="width:${Math.min(100, w.cpu)}%"></i></span>${w.cpu.toFixed(0)}%`;
      const task = w.task ? `#${w.task} ${esc(w.taskName)}` : "";
      rows.push({
        key: `worker-${n.index}-${w.id}`,
        className: "worker",
        data: { worker: w.name, state: w.state, task: w.task, core: w.core },
        cells: [esc(w.name), String(w.core), badge(w.state), { cls: "name", h: task }, cpu],
      });
    }
  }
  renderRows($("workers").tBodies[0], rows, "no workers", 5);
}

function matches(t, f) {
  if (!f) return true;
  f = f.toLowerCase();
  return String(t.id).includes(f) || t.name.toLowerCase().includes(f) || t.state.includes(f)
    || (t.worker || "").toLowerCase().includes(f) || (t.errorType || "").toLowerCase().includes(f) || String(t.computation) === f;
}

function renderTasks(v) {
  const now = Date.now() + serverSkew;
  const f = $("filter").value.trim();
  const all = [...v.tasks.running, ...v.tasks.queued, ...v.tasks.finished];
  const shown = all.filter((t) => matches(t, f));
  renderRows($("tasks").tBodies[0], shown.map((t) => {
    const live = t.state === "running" || t.state === "queued";
    const took = t.started ? duration((t.finished ?? now) - t.started) : "";
    const actions = live
      ? `<button class="act cancel" data-action="cancel" data-task-id="${t.id}">Cancel</button>`
        + `<button class="act kill" data-action="kill" data-task-id="${t.id}">Kill</button>`
      : "";
    const error = t.errorType
      ? { cls: "error", text: `${t.errorType}: ${t.errorMessage ?? ""}`, title: "show the error with its stack and causes" }
      : "";
    return {
      key: `task-${t.id}`,
      data: { taskId: t.id, state: t.state },
      cells: [
        String(t.id), { cls: "name", h: `<span title="${esc(t.name)}">${esc(t.name)}</span>` }, badge(t.state), esc(t.worker || ""),
        coreList(t.cores), clock(t.started), took, String(t.attempts || ""), t.computation !== "0" ? esc(t.computation) : "", error, actions,
      ],
    };
  }), f ? "no task matches the filter" : "no tasks yet", 11);
  const more = v.tasks.queuedTotal > v.tasks.queued.length ? ` (${v.tasks.queuedTotal} queued in all)` : "";
  $("task-counts").textContent = `${v.tasks.running.length} running, ${v.tasks.queued.length} queued, ${v.tasks.finished.length} latest finished${more}`
    + (f ? ` — ${shown.length} match` : "");
}

function renderComputations(v) {
  renderRows($("computations").tBodies[0], v.computations.map((c) => {
    const state = !c.open ? "closed" : c.active ? "active" : "waiting";
    return {
      key: `comp-${c.id}-${c.open}`,
      data: { computation: c.id },
      cells: [
        esc(c.id), { cls: "name", h: esc(c.name) }, c.exclusive ? "exclusive" : "shared", badge(state),
        String(c.queued), String(c.onWorkers), String(c.done), String(c.failed), esc(c.client || ""),
      ],
    };
  }), "no computations (tasks submitted without one run in their client's implicit computation)", 9);
  renderRows($("clients").tBodies[0], v.clients.map((c) => ({
    key: `client-${c.name}-${c.address}`,
    data: { client: c.name },
    cells: [esc(c.name), esc(c.address), clock(c.connected), c.computations.join(", ")],
  })), "no clients connected", 4);
  $("log").innerHTML = v.log.map((e) => `<li class="${esc(e.kind)}"><time>${clock(e.time)}</time>${esc(e.text)}</li>`).join("")
    || `<li class="empty">nothing yet</li>`;
}

// --- a task's error ---------------------------------------------------------------------------

// One error and its causes, nested as the chain is. Its texts come from user code on a worker:
// each is set with textContent, so markup in a message shows as the characters it is.
function errorNode(e, top) {
  const node = document.createElement("div");
  node.className = "error-node";
  const head = document.createElement("div");
  head.className = "error-head";
  const type = document.createElement("span");
  type.className = "error-type";
  type.textContent = e.type;
  const message = document.createElement("span");
  message.className = "error-message";
  message.textContent = e.message;
  head.append(type, ": ", message);
  node.append(head);
  if (e.stack) {
    const details = document.createElement("details");
    details.open = top;
    const summary = document.createElement("summary");
    summary.textContent = "stack";
    const pre = document.createElement("pre");
    pre.textContent = e.stack;
    details.append(summary, pre);
    node.append(details);
  }
  if (e.inner.length > 0) {
    const causes = document.createElement("div");
    causes.className = "error-causes";
    const label = document.createElement("div");
    label.className = "error-label";
    label.textContent = e.inner.length === 1 ? "caused by" : `caused by (${e.inner.length})`;
    causes.append(label, ...e.inner.map((cause) => errorNode(cause, false)));
    node.append(causes);
  }
  return node;
}

async function showError(taskId) {
  const panel = $("task-error");
  const body = $("task-error-body");
  panel.hidden = false;
  panel.dataset.taskId = taskId;
  panel.dataset.loaded = "false";
  $("task-error-title").textContent = `#${taskId}`;
  body.textContent = "loading…";
  const r = await fetch(`api/tasks/${encodeURIComponent(taskId)}/error`);
  const reply = await r.json().catch(() => ({}));
  if (panel.dataset.taskId !== String(taskId)) return; // another task's error was asked for meanwhile
  if (!r.ok) {
    body.textContent = reply.error || `no error kept for task ${taskId} (${r.status})`;
    panel.dataset.loaded = "missing";
  } else {
    $("task-error-title").textContent = `#${reply.id} ${reply.name} (${reply.state})`;
    body.replaceChildren(errorNode(reply.error, true));
    panel.dataset.loaded = "true";
  }
  panel.scrollIntoView({ block: "nearest" });
}

$("task-error-close").addEventListener("click", () => {
  $("task-error").hidden = true;
  delete $("task-error").dataset.taskId;
});

// --- charts (uPlot) ---------------------------------------------------------------------------

const chartWidth = (el) => Math.max(300, el.clientWidth);

function renderThroughput(v) {
  const el = $("throughput");
  const xs = v.throughput.counts.map((_, i) => v.throughput.start + i);
  const data = [xs, v.throughput.counts];
  if (!throughputChart) {
    throughputChart = new uPlot({
      width: chartWidth(el), height: 180,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(5, max * 1.1)] } },
      series: [{}, { label: "tasks/s", stroke: "#2563eb", fill: "rgba(37,99,235,0.15)", width: 1.5, points: { show: false } }],
      axes: [{}, { label: "tasks/s", size: 60 }],
      legend: { live: true },
    }, data, el);
  } else {
    throughputChart.setData(data);
  }
}

const stateColor = {
  running: "#2563eb", succeeded: "#16a34a", failed: "#dc2626", killed: "#ea580c",
  cancelled: "#6b7280", "timed-out": "#9333ea",
};

// The timeline is a uPlot chart with no line series: uPlot gives the time axis, lane labels and
// sizing, and a draw hook paints one bar per busy span in plot coordinates.
// Lane 0 at the top: lane i sits at y = lanes - 1 - i.
const laneY = (i) => timeline.lanes.length - 1 - i;

function drawSpans(u) {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  const laneHeight = height / Math.max(1, timeline.lanes.length);
  for (const s of timeline.spans) {
    const x0 = u.valToPos(s.start / 1000, "x", true);
    const x1 = Math.max(x0 + 2 * devicePixelRatio, u.valToPos(s.end / 1000, "x", true));
    const y = u.valToPos(laneY(s.lane), "y", true) - laneHeight * 0.35;
    ctx.fillStyle = stateColor[s.state] || "#6b7280";
    ctx.globalAlpha = s.state === "running" ? 0.9 : 0.7;
    ctx.fillRect(x0, y, x1 - x0, laneHeight * 0.7);
    if (x1 - x0 > 60 * devicePixelRatio) {
      ctx.globalAlpha = 1;
      ctx.fillStyle = "#fff";
      ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
      ctx.textBaseline = "middle";
      const label = s.count > 1 ? `${s.count} tasks` : `#${s.task} ${s.name}`;
      ctx.fillText(label, x0 + 4 * devicePixelRatio, y + laneHeight * 0.35, x1 - x0 - 8 * devicePixelRatio);
    }
  }
  ctx.restore();
}

function renderTimeline(v) {
  timeline = v.timeline;
  const el = $("timeline");
  const now = v.now / 1000;
  const lanes = Math.max(1, timeline.lanes.length);
  const data = [[now - windowSeconds, now], [null, null]];
  const height = Math.max(120, 60 + lanes * 28);
  if (!timelineChart || timelineChart._lanes !== lanes) {
    timelineChart?.destroy();
    timelineChart = new uPlot({
      width: chartWidth(el), height,
      scales: {
        x: { time: true, range: () => [last.now / 1000 - windowSeconds, last.now / 1000] },
        y: { range: () => [-0.5, lanes - 0.5] },
      },
      series: [{}, { label: "busy", show: false }],
      axes: [{}, {
        size: 110, splits: () => timeline.lanes.map((_, i) => laneY(i)),
        values: (u, splits) => splits.map((y) => timeline.lanes[laneY(y)] ?? ""), grid: { show: false },
      }],
      legend: { show: false },
      cursor: { y: false, points: { show: false } },
      hooks: { draw: [drawSpans] },
    }, data, el);
    timelineChart._lanes = lanes;
  } else {
    timelineChart.setData(data);
  }
}

window.addEventListener("resize", () => {
  throughputChart?.setSize({ width: chartWidth($("throughput")), height: 180 });
  if (timelineChart) timelineChart.setSize({ width: chartWidth($("timeline")), height: timelineChart.height });
});

// --- live feed --------------------------------------------------------------------------------

function render(v) {
  last = v;
  serverSkew = v.now - Date.now();
  windowSeconds = Math.max(60, v.throughput.counts.length - 1);
  renderSummary(v);
  renderNodes(v);
  renderWorkers(v);
  renderTasks(v);
  renderComputations(v);
  renderThroughput(v);
  renderTimeline(v);
}

function connect() {
  const source = new EventSource("api/events");
  source.addEventListener("view", (e) => {
    $("connection").dataset.state = "live";
    $("connection").textContent = "live";
    render(JSON.parse(e.data));
  });
  source.onerror = () => {
    $("connection").dataset.state = "lost";
    $("connection").textContent = "reconnecting…";
  };
}

// --- secret and actions -----------------------------------------------------------------------

function renderAuth() {
  const has = secret() !== "";
  let text;
  if (!auth.secretConfigured) text = auth.canAct ? "actions allowed (loopback, no cluster secret)" : "actions need loopback (no cluster secret)";
  else text = has ? "actions unlocked" : "kill and cancel need the cluster secret";
  $("auth-state").textContent = text;
  $("auth").dataset.unlocked = String(has || auth.canAct);
  const ask = auth.secretConfigured && !has;
  $("secret").hidden = !ask;
  $("unlock").hidden = !ask;
  $("lock").hidden = !(auth.secretConfigured && has);
}

async function login(value) {
  const r = await fetch("api/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ secret: value }) });
  if (r.ok) {
    sessionStorage.setItem(SECRET_KEY, value);
    toast("secret accepted: kill and cancel are unlocked");
    return true;
  }
  const body = await r.json().catch(() => ({}));
  toast(body.error || `login failed (${r.status})`, true);
  return false;
}

$("auth").addEventListener("submit", async (e) => {
  e.preventDefault();
  const value = $("secret").value;
  if (value && await login(value)) {
    $("secret").value = "";
    renderAuth();
    if (!auth.canRead) start();
  }
});

$("lock").addEventListener("click", async () => {
  sessionStorage.removeItem(SECRET_KEY);
  await fetch("api/logout", { method: "POST" });
  renderAuth();
});

$("tasks").addEventListener("click", async (e) => {
  const errorCell = e.target.closest("td.error");
  if (errorCell) {
    showError(errorCell.parentElement.dataset.taskId);
    return;
  }
  const button = e.target.closest("button[data-action]");
  if (!button) return;
  const { action, taskId } = button.dataset;
  if (auth.secretConfigured && !secret()) {
    toast(`${action} needs the cluster secret: enter it at the top right`, true);
    $("secret").focus();
    return;
  }
  button.disabled = true;
  const r = await fetch(`api/tasks/${taskId}/${action}`, { method: "POST", headers: { "X-FuncExec-Secret": secret() } });
  const body = await r.json().catch(() => ({}));
  if (r.status === 401 || r.status === 403) {
    if (auth.secretConfigured) sessionStorage.removeItem(SECRET_KEY);
    renderAuth();
    toast(body.error || `refused (${r.status})`, true);
  } else if (r.status === 404) {
    toast(`task ${taskId} has already finished`);
  } else {
    toast(`task ${taskId}: ${action} ${body.outcome === "sent" ? "sent to its worker" : body.outcome}`);
  }
  button.disabled = false;
});

$("filter").addEventListener("input", () => { if (last) renderTasks(last); });

let started = false;
function start() {
  if (started) return;
  started = true;
  connect();
}

(async () => {
  const r = await fetch("api/auth");
  auth = await r.json();
  renderAuth();
  if (auth.canRead) start();
  else toast("this dashboard is read off loopback: enter the cluster secret to see it", true);
})();
