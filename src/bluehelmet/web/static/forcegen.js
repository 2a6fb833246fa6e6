// Force generation page: signs in with an API key kept in sessionStorage and shows what the
// REST API returns to that key (pledges, requirements, plans) with the X-API-Key header.
import { labelChart } from "./charts.js";

const KEY = "bluehelmet.apiKey";
const API = "/api/v1";
const $ = (id) => document.getElementById(id);

function status(text) {
  $("fg-status").textContent = text;
}

function itemsOf(body) {
  if (Array.isArray(body)) return body;
  for (const name of ["items", "data", "results", "pledges", "requirements", "plans"]) {
    if (body && Array.isArray(body[name])) return body[name];
  }
  return [];
}

async function api(path) {
  const response = await fetch(API + path, { headers: { "X-API-Key": sessionStorage.getItem(KEY) || "" } });
  if (response.status === 401 || response.status === 403) {
    const problem = await response.json().catch(() => ({}));
    const err = new Error(problem.detail || "the server refused this key");
    err.status = response.status;
    throw err;
  }
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

function csvCell(value) {
  const text = value === null || value === undefined ? "" : Array.isArray(value) ? value.join("; ") : String(value);
  return /[",\n]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}

// every item of a paged list (``{items, total, limit, offset}``), or a plain list as it is
async function apiAll(path) {
  const limit = 200;
  const items = [];
  for (let offset = 0; ; offset += limit) {
    const body = await api(path + "?limit=" + limit + "&offset=" + offset);
    if (Array.isArray(body)) return body;
    const page = itemsOf(body);
    items.push(...page);
    const total = typeof body.total === "number" ? body.total : items.length;
    if (page.length < limit || items.length >= total) return items;
  }
}

function renderTable(target, name, title, columns, rows) {
  const box = $(target);
  box.replaceChildren();
  const heading = document.createElement("h3");
  heading.id = "t-" + name;
  heading.textContent = title;
  box.append(heading);
  const csv = [columns.join(","), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(","))].join("\n");
  const link = document.createElement("a");
  link.className = "csv";
  link.href = URL.createObjectURL(new Blob([csv + "\n"], { type: "text/csv" }));
  link.download = name + ".csv";
  link.textContent = "Download CSV (" + rows.length + " rows)";
  const source = document.createElement("p");
  source.className = "source";
  source.append("Source: this server's REST API, as your key may see it. ", link);
  box.append(source);
  if (!rows.length) {
    const none = document.createElement("p");
    none.className = "none";
    none.textContent = "Nothing to show for this key.";
    box.append(none);
    return;
  }
  const scroll = document.createElement("div");
  scroll.className = "scroll";
  scroll.tabIndex = 0;
  scroll.setAttribute("role", "region");
  scroll.setAttribute("aria-label", title + " (table)");
  const table = document.createElement("table");
  table.dataset.table = name;
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = c;
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      td.dataset.col = c;
      const v = r[c];
      td.textContent = v === null || v === undefined ? "" : Array.isArray(v) ? v.join("; ") : typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v);
    }
  }
  scroll.append(table);
  box.append(scroll);
}

const code = (x) => x.code ?? x.id;

function coverage(requirements, pledges) {
  const pledged = new Map();
  for (const p of pledges) pledged.set(p.unit_type, (pledged.get(p.unit_type) || 0) + (p.units || 0));
  const cells = new Map();
  for (const r of requirements) {
    const key = r.mission + "|" + r.unit_type;
    const cell = cells.get(key) || { mission: r.mission, unit_type: r.unit_type, required: 0, requirements: 0 };
    cell.required += r.units || 0;
    cell.requirements += 1;
    cells.set(key, cell);
  }
  const rows = [...cells.values()].map((c) => ({ ...c, pledged: pledged.get(c.unit_type) || 0 }));
  rows.sort((a, b) => a.mission.localeCompare(b.mission) || a.unit_type.localeCompare(b.unit_type));
  return rows;
}

async function drawCoverage(rows) {
  const el = $("chart-coverage");
  const values = [];
  for (const r of rows) {
    values.push({ mission: r.mission, unit_type: r.unit_type, measure: "required", units: r.required });
    values.push({ mission: r.mission, unit_type: r.unit_type, measure: "pledged", units: r.pledged });
  }
  const spec = {
    description: "Units required and pledged per mission and unit type",
    title: { text: "Requirements against pledges", subtitle: "Source: this server's REST API. Period: as stored now." },
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "unit_type", type: "nominal", title: null },
      yOffset: { field: "measure" },
      x: { field: "units", type: "quantitative", title: "units" },
      color: { field: "measure", type: "nominal", title: null, scale: { domain: ["required", "pledged"], range: ["#495057", "#4361ee"] } },
      row: { field: "mission", type: "nominal", title: null },
      tooltip: [{ field: "mission" }, { field: "unit_type" }, { field: "measure" }, { field: "units", type: "quantitative" }],
    },
  };
  await window.vegaEmbed(el, spec, { actions: false, renderer: "svg", logLevel: 1 /* vega.Error: warnings stay out of the console */ });
  labelChart(el, spec.description);
  el.dataset.rendered = "true";
}

async function showPlan(id) {
  const plan = await api("/plans/" + encodeURIComponent(id));
  const box = $("plan-detail");
  box.replaceChildren();
  const summary = document.createElement("dl");
  summary.className = "facts";
  const facts = [
    ["Fill", plan.fill], ["LP bound (fill)", plan.lp_bound ?? plan.bound], ["MIP gap", plan.mip_gap],
    ["Greedy baseline fill", plan.baseline_fill ?? (plan.baseline && plan.baseline.fill)],
    ["Legitimacy", plan.legitimacy], ["Baseline legitimacy", plan.baseline_legitimacy],
    ["Cost (USD)", plan.cost_usd], ["Baseline cost (USD)", plan.baseline_cost_usd],
    ["Method", plan.method], ["Solver status", plan.solver_status],
  ];
  for (const [label, value] of facts) {
    if (value === undefined || value === null) continue;
    const div = document.createElement("div");
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.dataset.fact = label;
    dd.textContent = typeof value === "number" && !Number.isInteger(value) ? value.toFixed(2) : String(value);
    div.append(dt, dd);
    summary.append(div);
  }
  box.append(summary);
  const gaps = document.createElement("div");
  gaps.id = "table-gaps";
  const assignments = document.createElement("div");
  assignments.id = "table-assignments";
  box.append(gaps, assignments);
  const gapRows = itemsOf(plan.gaps ?? []).map((g) => ({
    ...g,
    missing: (g.required ?? 0) - (g.filled ?? 0),
    reasons: (g.reasons || []).map((r) => (r.cause ? r.cause + ": " : "") + (r.detail ?? "")),
  }));
  renderTable("table-gaps", "gaps", "Gaps and their reasons", ["requirement", "mission", "unit_type", "required", "filled", "missing", "reasons"], gapRows);
  renderTable("table-assignments", "assignments", "Units assigned", ["requirement", "pledge", "contributor", "mission", "unit_type", "units", "personnel", "arrival"], itemsOf(plan.assignments ?? []));
}

async function load() {
  status("Loading what this key may see...");
  try {
    const [me, pledges, requirements, plans] = await Promise.all([
      api("/me").catch((e) => { if (e.status) throw e; return null; }),
      apiAll("/pledges"),
      apiAll("/requirements").catch((e) => { if (e.status) throw e; return []; }),
      apiAll("/plans").catch((e) => { if (e.status) throw e; return []; }),
    ]);
    $("signin").hidden = true;
    $("session").hidden = false;
    $("fg-content").hidden = false;
    const who = me ? "Signed in as " + me.name + " (" + me.role + (me.country ? ", " + me.country : "") + "). " : "";
    $("session-who").textContent = who + "This key sees " + pledges.length + " pledges, " + requirements.length + " requirements and " + plans.length + " plans.";
    const rows = coverage(requirements, pledges);
    renderTable("table-coverage", "coverage", "Units required and pledged per mission and unit type", ["mission", "unit_type", "requirements", "required", "pledged"], rows);
    renderTable("table-pledges", "pledges", "Pledges", ["code", "contributor", "unit_type", "units", "readiness", "available_from"], pledges.map((p) => ({ ...p, code: code(p) })));
    renderTable("table-plans", "plans", "Saved plans compared", ["id", "name", "status", "method", "fill", "lp_bound", "baseline_fill", "legitimacy", "baseline_legitimacy", "cost_usd", "baseline_cost_usd"], plans);
    const select = $("plan-select");
    select.replaceChildren(...plans.map((p) => new Option((p.name ?? p.id) + "", p.id)));
    $("plan-form").hidden = plans.length === 0;
    if (rows.length) await drawCoverage(rows);
    if (plans.length) await showPlan(plans[plans.length - 1].id);
    status("");
    document.body.dataset.chartsRendered = rows.length ? "1" : "0";
  } catch (err) {
    if (err.status) {
      sessionStorage.removeItem(KEY);
      $("signin").hidden = false;
      $("session").hidden = true;
      $("fg-content").hidden = true;
      status("Sign-in failed: " + err.message);
    } else {
      status("Could not load: " + err.message);
    }
  }
}

$("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY, $("api-key").value.trim());
  $("api-key").value = "";
  load();
});
$("signout").addEventListener("click", () => {
  sessionStorage.removeItem(KEY);
  $("signin").hidden = false;
  $("session").hidden = true;
  $("fg-content").hidden = true;
  status("Signed out.");
});
$("plan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  showPlan($("plan-select").value).catch((e) => status("Could not load the plan: " + e.message));
});
if (sessionStorage.getItem(KEY)) load();
