// The playground: one panel per configuration (two in A/B mode), each with its own
// WebSocket to the server, which trains and sends frames; the page only draws.
import { getJSON, el, showError } from "./app.js";
import { boundary, fittedCurve, heatMap, lineChart } from "./charts.js";

const LABELS = {
  dataset: "dataset", n_samples: "samples", noise: "noise", val_fraction: "validation share",
  seed: "seed", scaling: "input scaling", hidden: "hidden widths", activation: "activation",
  init: "initialization", optimizer: "optimizer", lr: "learning rate", momentum: "momentum",
  beta1: "β1", beta2: "β2", rho: "ρ (Adadelta, RMSProp α)", weight_decay: "weight decay (AdamW)",
  schedule: "lr schedule", step_epochs: "step every (epochs)", gamma: "step factor γ",
  horizon_epochs: "cosine horizon (epochs)", warmup_epochs: "warm-up (epochs)",
  batch_size: "batch size (0 = full)", loss: "loss", smoothing: "label smoothing ε", l1: "L1 λ",
  l2: "L2 λ", dropout: "dropout p", batchnorm: "batch norm", clip: "clip grad norm (0 = off)",
};
const SLIDERS = { noise: 0.01, val_fraction: 0.05 };
const INIT_NAMES = { small: "N(0, 0.01²)", large: "N(0, 1)", default: "PyTorch default" };

let schema = null;
const panels = [];
const state = { playing: false };
window.tiduPlayground = { panels, state };

function knobInput(name, value) {
  if (schema.choices[name]) {
    return el("select", { name }, schema.choices[name].map(c =>
      el("option", { value: c, selected: c === value }, name === "init" && INIT_NAMES[c] ? INIT_NAMES[c] : c)));
  }
  if (name === "hidden") return el("input", { name, value: value.join(", "), size: 10 });
  if (name === "batchnorm") return el("input", { name, type: "checkbox", checked: value });
  const r = schema.ranges[name];
  if (SLIDERS[name]) return el("input", { name, type: "range", min: r.min, max: r.max, step: SLIDERS[name], value });
  return el("input", { name, type: "number", min: r.min, max: r.max, step: r.integer ? 1 : "any", value });
}

class Panel {
  constructor(label, config) {
    this.label = label; this.config = { ...config }; this.data = null; this.frame = null;
    this.rate = { frames: 0, since: performance.now(), fps: 0 };  // this panel's frames/s
    this.root = document.getElementById("panel-template").content.firstElementChild.cloneNode(true);
    this.root.dataset.panel = label;
    this.q = sel => this.root.querySelector(sel);
    this.buildForm();
    document.getElementById("pg-panels").append(this.root);
    this.connect();
  }

  buildForm() {
    const form = this.q(".knobs");
    form.replaceChildren();
    for (const name of Object.keys(schema.defaults)) {
      const input = knobInput(name, this.config[name]);
      const shown = SLIDERS[name] ? el("span", { class: "value" }, this.config[name]) : "";
      input.addEventListener("change", () => this.knobChanged());
      if (SLIDERS[name]) input.addEventListener("input", () => { shown.textContent = input.value; });
      form.append(el("label", { "data-knob": name }, LABELS[name] || name, shown, input));
    }
    form.append(el("div", { class: "field-error" }));
    form.addEventListener("submit", e => e.preventDefault());
  }

  readForm() {
    const config = {};
    for (const input of this.q(".knobs").querySelectorAll("[name]")) {
      const name = input.name;
      if (name === "batchnorm") config[name] = input.checked;
      else if (schema.choices[name]) config[name] = input.value;
      else if (name === "hidden") config[name] = input.value;  // the server parses "16, 16"
      else config[name] = input.value === "" ? input.value : Number(input.value);
    }
    return config;
  }

  setConfig(config) {
    this.config = { ...config };
    this.buildForm();
    markDifferences();
    this.send({ op: "config", config: this.config });
  }

  knobChanged() {
    this.send({ op: "config", config: this.readForm() });
  }

  connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${proto}://${location.host}/ws/playground`);
    this.ws.onopen = () => this.send({ op: "config", config: this.config });
    this.ws.onmessage = e => this.receive(JSON.parse(e.data));
    this.ws.onclose = e => { if (e.code !== 1000) showError(`playground ${this.label}: connection closed (${e.reason || e.code})`); };
  }

  send(msg) { if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg)); }

  receive(msg) {
    if (msg.type === "error") return this.showFieldError(msg);
    if (msg.type === "reset") {
      this.config = msg.config; this.data = msg; this.checked = {};
      this.buildForm(); markDifferences(); this.showFieldError(null);
      this.until = undefined;  // a new run: keepInStep gives it its limit at its first frame
      if (state.playing) this.send({ op: "play" });
      return;
    }
    if (msg.type === "frame") { this.draw(msg); return keepInStep(); }
    if (msg.type === "checked") { this.checked[msg.kind] = msg.remedies; return this.drawFindings(); }
    if (msg.type === "saved") document.getElementById("pg-status").textContent = `saved as run ${msg.run_id} (${msg.name})`;
  }

  showFieldError(msg) {
    const box = this.q(".field-error");
    this.q(".knobs").querySelectorAll(".bad").forEach(n => n.classList.remove("bad"));
    box.textContent = msg ? msg.message : "";
    if (msg && msg.field) {
      const input = this.q(`.knobs [name="${msg.field}"]`);
      if (input) input.classList.add("bad");
    }
  }

  draw(f) {
    this.frame = f;
    const rate = this.rate, now = performance.now();
    rate.frames++;
    if (now - rate.since > 1000) { rate.fps = rate.frames * 1000 / (now - rate.since); rate.frames = 0; rate.since = now; }
    if (!this.data) return;
    if (f.curve) fittedCurve(this.q("canvas.boundary"), f.curve, this.data);
    else boundary(this.q("canvas.boundary"), f, this.data);
    const c = f.curves, m = f.metrics;
    lineChart(this.q("canvas.loss"), [
      { name: "train loss", x: c.epoch, y: c.loss }, { name: "validation loss", x: c.epoch, y: c.val_loss }],
      { title: "loss per epoch", log: true, xlabel: "epoch" });
    if (c.accuracy) lineChart(this.q("canvas.acc"), [
      { name: "train acc", x: c.epoch, y: c.accuracy }, { name: "validation acc", x: c.epoch, y: c.val_accuracy }],
      { title: "accuracy per epoch", xlabel: "epoch" });
    heatMap(this.q("canvas.heat"), f.heat.log10_grad, this.data.layers, f.heat.steps);
    lineChart(this.q("canvas.ratio"), this.data.layers.map((name, j) => ({ name, x: f.heat.steps, y: f.update_ratios[j] || [] })),
      { title: "update / weight ratio ‖Δθ‖/‖θ‖ per layer (≈1e-3 is healthy)", log: true, xlabel: "step" });
    const pct = v => (v === null || v === undefined ? "–" : (100 * v).toFixed(0) + "%");
    const num = v => (v === null || v === undefined ? "–" : (+v).toPrecision(4));
    this.root.dataset.valAccuracy = m.val_accuracy ?? "";
    this.root.dataset.step = f.step;
    this.q(".readout").textContent =
      `step ${f.step}   epoch ${f.epoch}   lr ${num(f.lr)}\n` +
      `loss ${num(m.loss)}   validation loss ${num(m.val_loss)}\n` +
      (m.accuracy !== undefined ? `accuracy ${pct(m.accuracy)}   validation accuracy ${pct(m.val_accuracy)}\n` : "") +
      `dead units ${pct(f.dead)}   saturated units ${pct(f.saturated)}\n` +
      (f.diverged ? `diverged at step ${f.diverged.step}: non-finite values (${f.diverged.where})\n` : "") +
      `${rate.fps.toFixed(1)} frames/s`;
    this.drawFindings();
  }

  drawFindings() {
    const box = this.q(".findings"), f = this.frame;
    if (!f) return;
    box.replaceChildren();
    if (!f.findings.length) {
      box.append(el("p", { class: "healthy" }, f.step ? "Diagnosis: no problem found so far." : "Press play to train."));
      return;
    }
    for (const finding of f.findings) {
      const checked = this.checked[finding.kind];
      const items = finding.remedies.map(r => {
        const result = checked && checked.find(c => c.key === r.key);
        return el("li", {},
          `${r.name} (${r.term}) `,
          r.applicable ? el("button", { class: "apply", "data-remedy": r.key, onclick: () => this.send({ op: "remedy", key: r.key }) }, "Apply") : el("span", { class: "muted" }, "(not a playground knob)"),
          result ? el("span", { class: result.removed ? "ok" : "no", "data-removed": String(result.removed), "data-steps": result.steps },
            result.removed ? ` ✓ removes it (${result.steps} steps)` : ` ✗ still there (${result.steps} steps)`) : "");
      });
      box.append(el("div", { class: "finding", "data-kind": finding.kind },
        el("h3", {}, finding.kind.replaceAll("_", " ")), el("div", {}, finding.summary),
        el("ul", {}, items),
        el("button", { class: "check", onclick: e => { e.target.disabled = true; e.target.textContent = "checking…"; this.send({ op: "check", kind: finding.kind }); } },
          "Check remedies (train each, same seed)")));
    }
  }

  close() { this.ws.close(1000); this.root.remove(); }
}

function markDifferences() {
  const [a, b] = panels;
  if (!a) return;
  a.root.querySelector(".panel-title").textContent = b ? "A" : "";
  if (!b) return;
  const diff = Object.keys(schema.defaults).filter(k => JSON.stringify(a.config[k]) !== JSON.stringify(b.config[k]));
  b.root.querySelector(".panel-title").textContent = `B — differs in: ${diff.join(", ") || "nothing yet (change one knob)"}`;
  for (const p of [a, b]) p.root.querySelectorAll(".knobs label").forEach(l => l.classList.toggle("changed", diff.includes(l.dataset.knob)));
}

// A/B lockstep: neither panel trains more than LEAD steps ahead of the other, so the two
// runs are compared at (nearly) the same step.
const LEAD = 200;
function keepInStep() {
  if (!state.playing || panels.length < 2 || panels.some(p => !p.frame)) return;
  const limit = Math.min(...panels.map(p => p.frame.step)) + LEAD;
  for (const p of panels) {
    if (p.frame.diverged) continue;
    if (p.until === undefined || (p.until !== limit && p.until - p.frame.step < LEAD / 2)) {
      p.until = limit;
      p.send({ op: "play", until: limit });
    }
  }
}

function setAB(on, configB) {
  if (on && panels.length === 1) panels.push(new Panel("B", configB || panels[0].config));
  if (!on && panels.length === 2) panels.pop().close();
  document.getElementById("pg-ab").checked = on;
  markDifferences();
}

function applyPreset(name) {
  const p = schema.presets[name];
  if (!p) return showError(`no playground preset ${name}`);
  document.getElementById("pg-preset").value = name;
  document.getElementById("pg-watch").textContent = `${p.title} (lab ${p.experiment}) — watch ${p.watch}.`;
  setPlaying(false);
  panels[0].setConfig(p.a);
  setAB(!!p.b, p.b);
  if (p.b) panels[1].setConfig(p.b);
}

function setPlaying(on) {
  state.playing = on;
  document.getElementById("pg-play").textContent = on ? "❚❚ Pause" : "▶ Play";
  for (const p of panels) {
    p.until = undefined;
    p.send({ op: on ? "play" : "pause" });
  }
  keepInStep();
}

export async function initPlayground(params) {
  schema = await getJSON("/api/playground");
  const presetSelect = document.getElementById("pg-preset");
  for (const [name, p] of Object.entries(schema.presets)) presetSelect.append(el("option", { value: name }, p.title));
  presetSelect.addEventListener("change", () => presetSelect.value && applyPreset(presetSelect.value));
  panels.push(new Panel("A", schema.defaults));
  document.getElementById("pg-play").onclick = () => setPlaying(!state.playing);
  document.getElementById("pg-step").onclick = () => { setPlaying(false); panels.forEach(p => p.send({ op: "step" })); };
  document.getElementById("pg-reset").onclick = () => panels.forEach(p => p.send({ op: "reset" }));
  document.getElementById("pg-ab").onchange = e => setAB(e.target.checked);
  document.getElementById("pg-save").onclick = () => panels.forEach(p =>
    p.send({ op: "save", name: (document.getElementById("pg-save-name").value || "playground") + (panels.length > 1 ? ` ${p.label}` : "") }));
  const api = { route: q => q.get("preset") && applyPreset(q.get("preset")) };
  api.route(params);
  return api;
}
