// The operator console page: plain ES module, no build. It polls /api/status every second for the
// nodes, their restarts and the reviver's samples of their heartbeat vitals (the charts show the last
// 5 minutes), and posts actions to /api/action. Text from the realm is only ever set as textContent.
const POLL_MS = 1000;
const KEEP_SAMPLES = 300;
const COLORS = ["#4aa3ff", "#3fb950", "#d29922", "#f778ba", "#a371f7", "#56d4dd", "#ff7b72", "#e3b341"];

const $ = (sel) => document.querySelector(sel);
let token = sessionStorage.getItem("realm-console-token") ?? "";
let status = null;
let pollTimer = 0;
const samples = []; // {at, tick: {zone: ms}, players: {label: n}}, from the reviver

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else if (k === "data") for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = dv;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** Fills a table body with a row per item, or one line saying there is none. */
function fill(tbody, items, columns, empty, row) {
  tbody.replaceChildren(...(items.length === 0 ? [el("tr", {}, el("td", { colspan: String(columns), class: "muted" }, empty))] : items.map(row)));
}

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, body) {
  const init = { headers: { authorization: `Bearer ${token}` } };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const data = await res.json().catch(() => undefined);
  if (res.status === 401) {
    logout(data?.error ?? "wrong operator token");
    throw new ApiError(401, data);
  }
  if (res.status === 503 && data?.notLeader) showBanner(data);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function showBanner(data) {
  const b = $("#banner");
  b.replaceChildren(data.error ?? "this reviver does not lead");
  if (data.console) b.append(" ", el("a", { href: `http://${data.console}/` }, "open the leader's console"));
  b.hidden = false;
}

const ago = (ms) => (ms === undefined ? "-" : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
const utc = (ms) => (ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "-");
const mib = (b) => (b === undefined ? "-" : `${Math.round(b / 2 ** 20)} MiB`);
const kib = (n) => (n === undefined ? "-" : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);

// ---- login

async function login(candidate) {
  token = candidate;
  try {
    status = await api("/api/status");
  } catch (err) {
    if (err.status !== 401) $("#login-error").textContent = err.message;
    return;
  }
  sessionStorage.setItem("realm-console-token", token);
  $("#login").hidden = true;
  $("#tabs").hidden = false;
  $("#logout").hidden = false;
  $("#login-error").textContent = "";
  fillRealmSelects();
  show(location.hash.slice(1) || "nodes");
  render();
  schedulePoll();
}

function logout(why) {
  clearTimeout(pollTimer);
  token = "";
  sessionStorage.removeItem("realm-console-token");
  for (const s of document.querySelectorAll("[data-page]")) s.hidden = true;
  $("#tabs").hidden = true;
  $("#logout").hidden = true;
  $("#login").hidden = false;
  $("#login-error").textContent = why ?? "";
  $("#reviver").textContent = "";
}

function schedulePoll() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, POLL_MS);
}

async function poll() {
  try {
    status = await api(`/api/status?since=${samples.at(-1)?.at ?? 0}`);
    $("#banner").hidden = true;
    render();
  } catch (err) {
    if (err.status === 401) return;
  }
  schedulePoll();
}

// ---- pages

function show(page) {
  const known = [...document.querySelectorAll("[data-page]")].map((s) => s.dataset.page);
  if (!known.includes(page)) page = "nodes";
  for (const s of document.querySelectorAll("[data-page]")) s.hidden = s.dataset.page !== page;
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("active", a.dataset.tab === page);
  if (page === "backups") loadBackups();
  if (page === "audit") loadAudit();
  if (page === "live") drawLive();
}

function fillRealmSelects() {
  for (const id of ["#backup-realm", "#notice-realm", "#restart-realm"]) {
    const s = $(id);
    s.replaceChildren(...status.realms.map((r) => el("option", { value: r.name }, r.name)));
  }
}

function render() {
  $("#reviver").textContent = `${status.reviver} · leader`;
  record();
  renderNodes();
  if (!$('[data-page="live"]').hidden) drawLive();
}

function renderNodes() {
  const nodes = status.nodes;
  const count = (pred) => nodes.filter(pred).length;
  const players = status.realms.reduce((n, r) => n + (nodes.find((x) => x.id === r.realmNode)?.vitals.players ?? 0), 0);
  const restarts = nodes.reduce((n, x) => n + x.restarts, 0);
  $("#summary").replaceChildren(
    ...[
      [`${count((n) => n.state === "up")} / ${nodes.length}`, "nodes up"],
      [count((n) => n.state === "down" || n.state === "starting"), "restarting"],
      [count((n) => n.state === "given-up"), "given up"],
      [restarts, "restarts this run"],
      [players, "players in the realms"],
    ].map(([v, label]) => el("div", { class: "stat" }, el("b", {}, v), el("span", {}, label))),
  );
  $("#nodes tbody").replaceChildren(
    ...nodes.map((n) => {
      const last = n.history.at(-1);
      const cause = n.reason ?? (last ? `${last.cause} (${utc(last.at).slice(11)})` : "");
      const restart = n.kind === "reviver" && n.id === status.reviver ? "" : el("button", { class: "small ghost", onclick: () => restartNode(n.id) }, "Restart");
      return el(
        "tr",
        { data: { node: n.id, state: n.state } },
        el("td", { class: "mono" }, n.id),
        el("td", {}, n.kind),
        el("td", {}, n.realm ?? "-"),
        el("td", { class: "state" }, el("span", { class: `pill ${n.state}` }, n.state)),
        el("td", { class: "pid mono" }, n.pid ?? "-"),
        el("td", { class: "num restarts" }, n.restarts),
        el("td", { class: "num" }, ago(n.heartbeatAgeMs)),
        el("td", { class: "num" }, mib(n.vitals.rssBytes)),
        el("td", { class: "cause" }, cause),
        el("td", {}, restart),
      );
    }),
  );
  const changes = status.changes.slice(0, 12);
  fill($("#changes tbody"), changes, 4, "no node changed state since this reviver took the lead", (c) =>
    el(
      "tr",
      { data: { node: c.node, state: c.to } },
      el("td", { class: "mono" }, utc(c.at).slice(11) + `.${String(c.at % 1000).padStart(3, "0")}`),
      el("td", { class: "mono" }, c.node),
      el("td", {}, el("span", { class: `pill ${c.from}` }, c.from), " → ", el("span", { class: `pill ${c.to}` }, c.to)),
      el("td", {}, c.cause ?? ""),
    ),
  );
  const history = nodes.flatMap((n) => n.history.map((h) => ({ node: n.id, ...h }))).sort((a, b) => b.at - a.at).slice(0, 30);
  fill($("#history tbody"), history, 5, "no restarts in this run", (h) =>
    el("tr", { data: { node: h.node } }, el("td", { class: "mono" }, utc(h.at)), el("td", { class: "mono" }, h.node), el("td", {}, h.cause), el("td", { class: "num" }, h.recoveredMs === undefined ? "-" : `${(h.recoveredMs / 1000).toFixed(2)} s`), el("td", { class: "muted" }, h.procedure)),
  );
}

async function restartNode(id) {
  if (!confirm(`Restart ${id}? It is stopped and started again; its dependants are told.`)) return;
  try {
    await act({ action: "node.restart", node: id });
  } catch {
    // act() shows the reason in the banner
  }
}

// ---- live charts and map

/** Keeps the samples the reviver took (once a second, the last 5 minutes). */
function record() {
  samples.push(...status.samples.filter((s) => s.at > (samples.at(-1)?.at ?? 0)));
  samples.splice(0, Math.max(0, samples.length - KEEP_SAMPLES));
}

function drawLive() {
  chart($("#chart-tick"), $("#legend-tick"), (s) => s.tick, "ms");
  chart($("#chart-players"), $("#legend-players"), (s) => s.players, "");
  drawMaps();
}

/** A line per series over the samples this page has seen; a gap where a node was not up. */
function chart(canvas, legend, pick, unit) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight || 220;
  canvas.width = w * dpr;
  canvas.height = h * dpr;
  const g = canvas.getContext("2d");
  g.scale(dpr, dpr);
  const keys = [...new Set(samples.flatMap((s) => Object.keys(pick(s))))].sort();
  const max = Math.max(1, ...samples.flatMap((s) => Object.values(pick(s))));
  const top = niceCeil(max);
  const pad = { l: 44, r: 10, t: 8, b: 22 };
  const t0 = samples[0]?.at ?? 0;
  const t1 = samples.at(-1)?.at ?? 1;
  const x = (at) => pad.l + ((at - t0) / Math.max(1, t1 - t0)) * (w - pad.l - pad.r);
  const y = (v) => h - pad.b - (v / top) * (h - pad.t - pad.b);
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = "#7f8c99";
  g.strokeStyle = "#2a343f";
  g.lineWidth = 1;
  for (let k = 0; k <= 4; k++) {
    const v = (top * k) / 4;
    g.beginPath();
    g.moveTo(pad.l, y(v) + 0.5);
    g.lineTo(w - pad.r, y(v) + 0.5);
    g.stroke();
    g.fillText(`${+v.toFixed(2)}${unit}`, 4, y(v) + 4);
  }
  const span = Math.round((t1 - t0) / 1000);
  g.fillText(span >= 120 ? `${Math.round(span / 60)} min ago` : `${span} s ago`, pad.l, h - 6);
  g.fillText("now", w - pad.r - 22, h - 6);
  keys.forEach((key, i) => {
    g.strokeStyle = COLORS[i % COLORS.length];
    g.lineWidth = 1.8;
    g.beginPath();
    let drawing = false;
    samples.forEach((s) => {
      const v = pick(s)[key];
      if (v === undefined) return void (drawing = false);
      if (drawing) g.lineTo(x(s.at), y(v));
      else g.moveTo(x(s.at), y(v));
      drawing = true;
    });
    g.stroke();
  });
  const last = samples.at(-1);
  legend.replaceChildren(
    ...keys.map((key, i) => {
      const sw = el("i");
      sw.style.background = COLORS[i % COLORS.length];
      const v = last ? pick(last)[key] : undefined;
      return el("span", {}, sw, `${key} ${v === undefined ? "down" : `${+v.toFixed(2)}${unit}`}`);
    }),
  );
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((c) => c >= v) ?? v;
}

/** Players per cell, per realm, as the zones last counted them: asked every few seconds while the map is on screen. */
const density = new Map();
let densityAskedAt = 0;
const DENSITY_EVERY_MS = 3000;

function refreshDensity() {
  if ($("#maps").offsetParent === null || Date.now() - densityAskedAt < DENSITY_EVERY_MS) return;
  densityAskedAt = Date.now();
  for (const r of status.realms) {
    api(`/api/density?realm=${encodeURIComponent(r.name)}`).then(
      (d) => {
        density.set(r.name, d);
        drawMaps();
      },
      () => density.delete(r.name),
    );
  }
}

function drawMaps() {
  refreshDensity();
  const box = $("#maps");
  const figures = status.realms.map((r) => {
    const size = 520;
    const scale = size / Math.max(r.world.width, r.world.height);
    const canvas = el("canvas", { width: String(Math.round(r.world.width * scale * 2)), height: String(Math.round(r.world.height * scale * 2)) });
    canvas.style.width = `${Math.round(r.world.width * scale)}px`;
    canvas.style.height = `${Math.round(r.world.height * scale)}px`;
    const g = canvas.getContext("2d");
    g.scale(2 * scale, 2 * scale);
    const dens = r.zones.map((z) => {
      const node = status.nodes.find((n) => n.id === z.id);
      return { z, node, players: node?.vitals.players ?? 0 };
    });
    g.fillStyle = "#0b1015";
    g.fillRect(0, 0, r.world.width, r.world.height);
    for (const d of dens) {
      if (d.node?.state === "up") continue;
      const [x0, y0, x1, y1] = d.z.region;
      g.fillStyle = "rgba(248,81,73,0.35)";
      g.fillRect(x0, y0, x1 - x0, y1 - y0);
    }
    // each cell by its players, the most crowded brightest
    const cells = density.get(r.name);
    if (cells) {
      const most = Math.max(1, ...cells.cells.map(([, n]) => n));
      for (const [at, n] of cells.cells) {
        g.fillStyle = `rgba(74,163,255,${0.25 + 0.75 * (n / most)})`;
        g.fillRect((at % cells.cols) * cells.cell, Math.floor(at / cells.cols) * cells.cell, cells.cell, cells.cell);
      }
    }
    // the cell grid, faint: the interest-group size players are published by
    g.strokeStyle = "rgba(255,255,255,0.05)";
    g.lineWidth = 1 / scale;
    for (let cx = r.world.cell; cx < r.world.width; cx += r.world.cell) line(g, cx, 0, cx, r.world.height);
    for (let cy = r.world.cell; cy < r.world.height; cy += r.world.cell) line(g, 0, cy, r.world.width, cy);
    g.strokeStyle = "#7f8c99";
    g.lineWidth = 2 / scale;
    g.font = `${12 / scale}px system-ui, sans-serif`;
    for (const d of dens) {
      const [x0, y0, x1, y1] = d.z.region;
      g.strokeRect(x0, y0, x1 - x0, y1 - y0);
      g.fillStyle = "#d7dee6";
      g.fillText(d.z.id, x0 + 8 / scale, y0 + 18 / scale);
      g.fillStyle = "#7f8c99";
      g.fillText(d.node?.state === "up" ? `${d.players} player${d.players === 1 ? "" : "s"}` : d.node?.state ?? "unknown", x0 + 8 / scale, y0 + 36 / scale);
    }
    return el("figure", {}, canvas, el("figcaption", {}, `${r.name}: ${r.world.width} × ${r.world.height}, cells of ${r.world.cell}`));
  });
  box.replaceChildren(...figures);
}

function line(g, x0, y0, x1, y1) {
  g.beginPath();
  g.moveTo(x0, y0);
  g.lineTo(x1, y1);
  g.stroke();
}

// ---- actions

/** Posts an action; shows its answer in `out` (or the banner) and returns it. */
async function act(body, out) {
  const buttons = document.querySelectorAll("button");
  for (const b of buttons) b.disabled = true;
  if (out) {
    out.className = "result";
    out.textContent = `${body.action}: working…`;
  }
  try {
    const r = await api("/api/action", body);
    if (out) {
      out.className = "result ok";
      out.textContent = r.message;
    }
    return r;
  } catch (err) {
    if (out) {
      out.className = "result fail";
      out.textContent = err.message;
    } else showBanner({ error: err.message });
    throw err;
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

async function loadBackups() {
  const realm = $("#backup-realm").value;
  try {
    const rows = await api(`/api/backups?realm=${encodeURIComponent(realm)}`);
    fill($("#backups tbody"), rows, 10, "no snapshots yet", (r) =>
      el(
        "tr",
        { data: { snapshot: String(r.id), state: r.state } },
        el("td", { class: "mono" }, r.id),
        el("td", { class: "state" }, el("span", { class: `pill ${r.state}` }, r.state)),
        el("td", {}, r.trigger),
        el("td", { class: "mono" }, utc(r.startedAt)),
        el("td", { class: "num" }, r.seq ?? "-"),
        el("td", { class: "num" }, kib(r.bytes)),
        el("td", { class: "num" }, r.tookMs === undefined ? "-" : `${r.tookMs} ms`),
        el("td", { class: "mono" }, r.sha256 ? `${r.sha256.slice(0, 12)}…` : "-"),
        el("td", {}, r.error ?? ""),
        el("td", {}, r.state === "verified" ? el("button", { class: "small ghost", onclick: () => verify(r.id) }, "Verify") : ""),
      ),
    );
  } catch (err) {
    $("#backup-result").textContent = err.message;
  }
}

async function verify(id) {
  await act({ action: "backup.verify", realm: $("#backup-realm").value, snapshotId: id }, $("#backup-result")).catch(() => undefined);
  loadBackups();
}

async function findPlayers(e) {
  e?.preventDefault();
  const q = $("#find").value.trim();
  const out = $("#player-result");
  try {
    const rows = await api(`/api/players?q=${encodeURIComponent(q)}`);
    out.className = "result";
    out.textContent = rows.length === 0 ? `no account starts with "${q}"` : `${rows.length} account${rows.length === 1 ? "" : "s"}`;
    $("#players tbody").replaceChildren(
      ...rows.map((p) =>
        el(
          "tr",
          { data: { account: p.name } },
          el("td", { class: "mono" }, p.name),
          el("td", {}, p.session ? el("span", { class: "pill up" }, p.session.realm) : el("span", { class: "muted" }, "offline")),
          el("td", { class: "mono" }, p.session?.clientNode ?? "-"),
          el("td", { class: "mono" }, p.session ? utc(p.session.since) : "-"),
          el("td", {}, p.banned ? el("span", { class: "pill down" }, p.banReason) : ""),
          el(
            "td",
            {},
            el("button", { class: "small ghost kick", onclick: () => playerAction("player.kick", p.name) }, "Kick"),
            " ",
            p.banned ? "" : el("button", { class: "small danger ban", onclick: () => playerAction("player.ban", p.name) }, "Ban"),
          ),
        ),
      ),
    );
  } catch (err) {
    out.className = "result fail";
    out.textContent = err.message;
  }
}

async function playerAction(action, name) {
  const reason = prompt(`${action === "player.ban" ? "Ban" : "Kick"} ${name}: reason (shown in the audit)`, action === "player.ban" ? "banned by an operator" : "kicked by an operator");
  if (reason === null) return;
  await act({ action, name, reason: reason.trim() || undefined }, $("#player-result")).catch(() => undefined);
  const message = $("#player-result").textContent;
  await findPlayers();
  $("#player-result").textContent = message;
}

async function loadAudit() {
  try {
    const rows = await api("/api/audit");
    $("#audit tbody").replaceChildren(
      ...rows.map((a) =>
        el("tr", {}, el("td", { class: "mono" }, utc(a.at)), el("td", {}, `#${a.tokenId}`), el("td", { class: "mono" }, a.ip), el("td", { class: "mono" }, a.action), el("td", { class: "mono" }, JSON.stringify(a.target)), el("td", {}, el("span", { class: `pill ${a.ok ? "up" : "down"}` }, a.ok ? "done" : "refused"), " ", a.result)),
      ),
    );
  } catch {
    // the banner or the login form says why
  }
}

// ---- wiring

$("#login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  void login($("#token").value.trim());
});
$("#logout").addEventListener("click", () => logout());
window.addEventListener("hashchange", () => token && show(location.hash.slice(1)));
$("#backup-realm").addEventListener("change", loadBackups);
$("#backup-take").addEventListener("click", async () => {
  await act({ action: "backup.take", realm: $("#backup-realm").value }, $("#backup-result")).catch(() => undefined);
  loadBackups();
});
$("#find-form").addEventListener("submit", findPlayers);
$("#notice-form").addEventListener("submit", (e) => {
  e.preventDefault();
  void act({ action: "notice", realm: $("#notice-realm").value, text: $("#notice-text").value }, $("#notice-result")).catch(() => undefined);
});
$("#restart-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const realm = $("#restart-realm").value;
  const minutes = Number($("#restart-minutes").value);
  if (!confirm(`Restart ${realm} in ${minutes} minutes? Its players are warned, saved and closed.`)) return;
  void act({ action: "realm.restart", realm, inSeconds: Math.round(minutes * 60) }, $("#restart-result")).catch(() => undefined);
});
$("#restart-cancel").addEventListener("click", () => void act({ action: "realm.restart.cancel", realm: $("#restart-realm").value }, $("#restart-result")).catch(() => undefined));
if (token) void login(token);
