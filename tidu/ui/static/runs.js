// The run database as a page: filtered list, one run (config, metrics per epoch as charts),
// several runs overlaid with their config differences highlighted, a search's trials.
import { getJSON, el, showError } from "./app.js";
import { PALETTE, lineChart, parallelCoordinates, scatter } from "./charts.js";

const selected = new Set();
const fmt = v => (v === null || v === undefined ? "" : typeof v === "number" ? +v.toPrecision(4) : String(v));

async function load() {
  const form = document.getElementById("runs-filter");
  const query = new URLSearchParams([...new FormData(form)].filter(([, v]) => v !== ""));
  query.set("limit", 200);
  try {
    const data = await getJSON(`/api/runs?${query}`);
    showError("");
    document.getElementById("runs-count").textContent = `${data.runs.length} of ${data.total} runs`;
    const body = document.querySelector("#runs-table tbody");
    body.replaceChildren(...data.runs.map(r => {
      const box = el("input", { type: "checkbox", checked: selected.has(r.id),
        onchange: e => (e.target.checked ? selected.add(r.id) : selected.delete(r.id)) });
      const row = el("tr", { "data-run": r.id },
        el("td", {}, box), el("td", {}, r.id), el("td", {}, r.kind), el("td", {}, r.name || ""),
        el("td", {}, r.status), el("td", {}, (r.started_at || "").replace("T", " ").slice(0, 19)),
        el("td", {}, fmt(r.duration)),
        el("td", {}, Object.entries(r.summary || {}).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")));
      row.addEventListener("click", e => { if (e.target !== box) showRun(r.id); });
      return row;
    }));
  } catch (err) { showError(err.message); }
}

function seriesChart(title, runs, metric) {
  const canvas = el("canvas", { width: 600, height: 220 });
  const series = [];
  runs.forEach((run, k) => {
    for (const [name, points] of Object.entries(run.series)) {
      if (metric !== undefined ? name !== metric : !name.includes(title)) continue;
      series.push({ name: runs.length > 1 ? `#${run.id} ${name}` : name, x: points.map(p => p[0]), y: points.map(p => p[1]),
        color: runs.length > 1 ? PALETTE[k % PALETTE.length] : undefined, dash: name.startsWith("val_") ? [5, 3] : [] });
    }
  });
  return series.length ? [canvas, () => lineChart(canvas, series, { title, xlabel: "epoch" })] : null;
}

function charts(view, runs) {
  const names = [...new Set(runs.flatMap(r => Object.keys(r.series)))];
  const groups = [...new Set(names.map(n => n.replace(/^val_/, "")))];
  const draws = [];
  for (const group of groups) {
    const made = seriesChart(group, runs);
    if (made) { view.append(made[0]); draws.push(made[1]); }
  }
  requestAnimationFrame(() => draws.forEach(d => d()));
}

function configTable(rows, highlight) {
  return el("table", { class: "config" }, rows.map(([k, ...vs]) =>
    el("tr", {}, el("th", {}, k), vs.map(v => el("td", { class: highlight ? "diff" : "" }, fmt(typeof v === "object" && v !== null ? JSON.stringify(v) : v))))));
}

function flatten(value, prefix = "", out = {}) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = value;
  return out;
}

async function showRun(id) {
  const view = document.getElementById("run-view");
  try {
    const run = await getJSON(`/api/runs/${id}`);
    document.querySelectorAll("#runs-table tr").forEach(tr => tr.classList.toggle("selected", +tr.dataset.run === id));
    view.replaceChildren(
      el("h2", {}, `Run ${run.id} · ${run.kind} · ${run.name || ""} · ${run.status}`),
      el("p", {}, el("a", { href: `/api/runs/${run.id}/csv`, download: `tidu-run-${run.id}.csv` }, "Export CSV"),
        run.error ? el("span", { class: "no" }, `  ${run.error}`) : ""),
      el("h3", {}, "Final metrics"), configTable(Object.entries(run.metrics || {})),
      el("h3", {}, "Config"), configTable(Object.entries(flatten(run.config))));
    charts(view, [run]);
    if (run.kind === "search") await showTrials(view, run.id);
  } catch (err) { showError(err.message); }
}

async function showTrials(view, id) {
  const t = await getJSON(`/api/runs/${id}/trials`);
  if (!t.trials.length) return;
  view.append(el("h3", {}, `Trials: ${t.score || "score"} vs parameters`));
  const scores = t.trials.map(r => r.score);
  const draws = [];
  for (const p of t.params) {
    const canvas = el("canvas", { width: 300, height: 200, class: "trial-scatter" });
    const values = t.trials.map(r => r.params[p]);
    const numeric = values.every(v => typeof v === "number");
    const positive = numeric && values.every(v => v > 0);
    const spread = positive ? Math.max(...values) / Math.min(...values) : 1;
    const cats = [...new Set(values.map(String))];
    view.append(canvas);
    draws.push(() => scatter(canvas, t.trials.map((r, i) => ({ x: numeric ? values[i] : cats.indexOf(String(values[i])), y: scores[i] })),
      { title: `${t.score} vs ${p}${numeric ? "" : " (" + cats.join(", ") + ")"}`, xlog: spread > 50 }));
  }
  const par = el("canvas", { width: 600, height: 220, class: "parallel" });
  view.append(el("h3", {}, "Parallel coordinates (colour: score)"), par);
  draws.push(() => parallelCoordinates(par, [...t.params.map(p => ({ name: p, values: t.trials.map(r => r.params[p] ?? null) })),
    { name: t.score || "score", values: scores }], scores));
  requestAnimationFrame(() => draws.forEach(d => d()));
}

async function showOverlay() {
  const view = document.getElementById("run-view");
  if (selected.size < 2) return showError("select two or more runs (the boxes) to overlay them");
  try {
    const o = await getJSON(`/api/overlay?ids=${[...selected].join(",")}`);
    showError("");
    const ids = o.runs.map(r => `#${r.id}`);
    const diffRows = Object.entries(o.differences).map(([k, vs]) => [k, ...vs]);
    view.replaceChildren(el("h2", { class: "overlay-title" }, `Overlay of runs ${ids.join(", ")}`),
      el("h3", {}, `Config differences (${diffRows.length})`),
      diffRows.length ? el("table", { class: "config" }, el("tr", {}, el("th", {}, "key"), ids.map(i => el("th", {}, i))),
        diffRows.map(([k, ...vs]) => el("tr", {}, el("th", {}, k), vs.map(v => el("td", { class: "diff" }, fmt(typeof v === "object" && v !== null ? JSON.stringify(v) : v))))))
        : el("p", {}, "The configs are identical."));
    charts(view, o.runs);
  } catch (err) { showError(err.message); }
}

export async function initRuns() {
  document.getElementById("runs-filter").addEventListener("submit", e => { e.preventDefault(); load(); });
  document.getElementById("runs-overlay").addEventListener("click", showOverlay);
  await load();
  return { route: () => load() };
}
