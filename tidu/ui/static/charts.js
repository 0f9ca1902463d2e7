// Small canvas charts for tidu ui: line charts, a heat map, the decision boundary, a fitted
// curve, a scatter plot and parallel coordinates. No library: every asset is served locally.

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
  "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
// class colours of the boundary (light) and of the points (dark)
const CLASS_RGB = [[31, 119, 180], [214, 39, 40], [44, 160, 44], [255, 127, 14]];

function setup(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio); canvas.height = Math.round(h * ratio);
  }
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  g.fillStyle = "#fff"; g.fillRect(0, 0, w, h);
  g.font = "11px system-ui, sans-serif";
  return { g, w, h };
}

function finiteRange(values, log) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v) || (log && v <= 0)) continue;
    const u = log ? Math.log10(v) : v;
    if (u < lo) lo = u; if (u > hi) hi = u;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  return [lo, hi];
}

function tickLabel(v, log) {
  const x = log ? Math.pow(10, v) : v;
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-2 || a >= 1e4) ? x.toExponential(0) : +x.toPrecision(3) + "";
}

// series: [{name, x: [], y: [], color, dash}]; opts: {title, log, xlabel}
export function lineChart(canvas, series, opts = {}) {
  const { g, w, h } = setup(canvas);
  const pad = { l: 48, r: 8, t: opts.title ? 18 : 6, b: 30 };
  const xs = series.flatMap(s => s.x), ys = series.flatMap(s => s.y);
  const [x0, x1] = finiteRange(xs, false), [y0, y1] = finiteRange(ys, !!opts.log);
  const X = v => pad.l + (v - x0) / (x1 - x0 || 1) * (w - pad.l - pad.r);
  const Y = v => h - pad.b - ((opts.log ? Math.log10(v) : v) - y0) / (y1 - y0 || 1) * (h - pad.t - pad.b);
  g.strokeStyle = "#ccc"; g.fillStyle = "#555"; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = y0 + (y1 - y0) * i / 4, yy = h - pad.b - i / 4 * (h - pad.t - pad.b);
    g.beginPath(); g.moveTo(pad.l, yy); g.lineTo(w - pad.r, yy); g.stroke();
    g.fillText(tickLabel(v, !!opts.log), 2, yy + 4);
  }
  g.fillText(tickLabel(x0, false), pad.l, h - pad.b + 14);
  const right = tickLabel(x1, false);
  g.fillText(right, w - pad.r - g.measureText(right).width, h - pad.b + 14);
  if (opts.xlabel) g.fillText(opts.xlabel, (w - g.measureText(opts.xlabel).width) / 2, h - 4);
  if (opts.title) { g.fillStyle = "#222"; g.fillText(opts.title, pad.l, 12); }
  let legend = pad.l + 4;
  series.forEach((s, k) => {
    const color = s.color || PALETTE[k % PALETTE.length];
    g.strokeStyle = color; g.lineWidth = 1.6; g.setLineDash(s.dash || []);
    g.beginPath(); let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      const v = s.y[i];
      if (v === null || !Number.isFinite(v) || (opts.log && v <= 0)) { pen = false; continue; }
      pen ? g.lineTo(X(s.x[i]), Y(v)) : g.moveTo(X(s.x[i]), Y(v)); pen = true;
    }
    g.stroke(); g.setLineDash([]);
    if (s.name) {
      g.fillStyle = color; g.fillRect(legend, pad.t + 4, 10, 3);
      g.fillStyle = "#333"; g.fillText(s.name, legend + 13, pad.t + 9);
      legend += 20 + g.measureText(s.name).width;
    }
  });
}

// rows: one array per recorded step of log10 gradient norms (one per layer), null = none
export function heatMap(canvas, rows, layers, steps) {
  const { g, w, h } = setup(canvas);
  const pad = { l: 64, r: 8, t: 6, b: 18 };
  const n = rows.length, m = layers.length;
  g.fillStyle = "#555";
  layers.forEach((name, j) => g.fillText(name, 2, pad.t + (j + 0.6) * (h - pad.t - pad.b) / Math.max(m, 1)));
  if (!n || !m) return;
  const [lo, hi] = finiteRange(rows.flat(), false);
  const cw = (w - pad.l - pad.r) / n, ch = (h - pad.t - pad.b) / m;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    const v = rows[i][j];
    let fill = "#ff00ff";  // non-finite: impossible to miss
    if (v !== null && Number.isFinite(v)) {
      const t = (v - lo) / (hi - lo || 1);  // dark = small gradient, bright = large
      fill = `rgb(${Math.round(255 * Math.min(1, 2 * t))},${Math.round(200 * t)},${Math.round(90 + 60 * (1 - t))})`;
    }
    g.fillStyle = fill; g.fillRect(pad.l + i * cw, pad.t + j * ch, Math.ceil(cw), Math.ceil(ch));
  }
  g.fillStyle = "#555";
  g.fillText(`step ${steps[0]}`, pad.l, h - 4);
  const last = `${steps[n - 1]} · log10‖∇‖ ${lo.toFixed(1)} … ${hi.toFixed(1)}`;
  g.fillText(last, w - pad.r - g.measureText(last).width, h - 4);
}

function drawPoints(g, pts, X, Y, hollow) {
  for (let i = 0; i < pts.x.length; i++) {
    const c = CLASS_RGB[(pts.label[i] || 0) % CLASS_RGB.length];
    g.beginPath(); g.arc(X(pts.x[i]), Y(pts.y[i]), 3, 0, 2 * Math.PI);
    if (hollow) { g.strokeStyle = `rgb(${c})`; g.lineWidth = 1.4; g.stroke(); }
    else { g.fillStyle = `rgb(${c})`; g.fill(); g.strokeStyle = "#fff"; g.lineWidth = 0.6; g.stroke(); }
  }
}

// surface: {grid, classes, confidence}; data: {train, val, bounds}
export function boundary(canvas, surface, data) {
  const { g, w, h } = setup(canvas);
  const [x0, x1, y0, y1] = data.bounds, n = surface.grid;
  const image = g.createImageData(n, n);
  for (let k = 0; k < n * n; k++) {
    const c = CLASS_RGB[surface.classes[k] % CLASS_RGB.length], a = surface.confidence[k];
    for (let q = 0; q < 3; q++) image.data[4 * k + q] = Math.round(255 - (255 - c[q]) * 0.55 * a);
    image.data[4 * k + 3] = 255;
  }
  const off = document.createElement("canvas"); off.width = n; off.height = n;
  off.getContext("2d").putImageData(image, 0, 0);
  g.imageSmoothingEnabled = true; g.drawImage(off, 0, 0, w, h);
  const X = v => (v - x0) / (x1 - x0) * w, Y = v => h - (v - y0) / (y1 - y0) * h;
  drawPoints(g, data.train, X, Y, false);
  drawPoints(g, data.val, X, Y, true);
}

// curve: {x, y}; data: {train, val (x, y), bounds}
export function fittedCurve(canvas, curve, data) {
  const { g, w, h } = setup(canvas);
  const [x0, x1, y0, y1] = data.bounds;
  const X = v => (v - x0) / (x1 - x0) * w, Y = v => h - (v - y0) / (y1 - y0) * h;
  g.strokeStyle = "#bbb"; g.setLineDash([4, 4]); g.beginPath();
  for (let i = 0; i <= 100; i++) {
    const x = x0 + (x1 - x0) * i / 100, y = Math.sin(Math.PI * x);
    i ? g.lineTo(X(x), Y(y)) : g.moveTo(X(x), Y(y));
  }
  g.stroke(); g.setLineDash([]);
  const pts = p => ({ x: p.x, y: p.y, label: p.x.map(() => 0) });
  drawPoints(g, pts(data.train), X, Y, false);
  drawPoints(g, { ...pts(data.val), label: data.val.x.map(() => 1) }, X, Y, true);
  g.strokeStyle = "#111"; g.lineWidth = 2; g.beginPath();
  curve.x.forEach((x, i) => { const y = curve.y[i]; if (y !== null) i ? g.lineTo(X(x), Y(y)) : g.moveTo(X(x), Y(y)); });
  g.stroke();
}

// points: [{x, y, color}]
export function scatter(canvas, points, opts = {}) {
  const { g, w, h } = setup(canvas);
  const pad = { l: 48, r: 8, t: 16, b: 28 };
  const [x0, x1] = finiteRange(points.map(p => p.x), !!opts.xlog);
  const [y0, y1] = finiteRange(points.map(p => p.y), false);
  const X = v => pad.l + ((opts.xlog ? Math.log10(v) : v) - x0) / (x1 - x0) * (w - pad.l - pad.r);
  const Y = v => h - pad.b - (v - y0) / (y1 - y0) * (h - pad.t - pad.b);
  g.fillStyle = "#333"; g.fillText(opts.title || "", pad.l, 11);
  g.fillText(tickLabel(y0, false), 2, h - pad.b); g.fillText(tickLabel(y1, false), 2, pad.t + 8);
  g.fillText(tickLabel(x0, !!opts.xlog), pad.l, h - 12);
  const right = tickLabel(x1, !!opts.xlog);
  g.fillText(right, w - pad.r - g.measureText(right).width, h - 12);
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y) || p.x === null || (opts.xlog && p.x <= 0)) continue;
    g.beginPath(); g.arc(X(p.x), Y(p.y), 3.5, 0, 2 * Math.PI);
    g.fillStyle = p.color || PALETTE[0]; g.fill();
  }
}

// axes: [{name, values: [] (numbers; strings become categories)}], color per line by score
export function parallelCoordinates(canvas, axes, scores) {
  const { g, w, h } = setup(canvas);
  const pad = { l: 30, r: 30, t: 24, b: 14 };
  const n = scores.length, m = axes.length;
  if (!m) return;
  const scaled = axes.map(a => {
    const cats = [...new Set(a.values.filter(v => typeof v === "string"))];
    let nums = a.values.map(v => (typeof v === "string" ? cats.indexOf(v) : v));
    const positive = nums.filter(v => v !== null && Number.isFinite(v));
    // a parameter searched on a log scale (a learning rate) is drawn on one
    if (!cats.length && positive.length && Math.min(...positive) > 0 && Math.max(...positive) / Math.min(...positive) > 50)
      nums = nums.map(v => (v === null ? null : Math.log10(v)));
    const [lo, hi] = finiteRange(nums, false);
    return nums.map(v => (v === null || !Number.isFinite(v) ? null : (v - lo) / (hi - lo || 1)));
  });
  const [s0, s1] = finiteRange(scores, false);
  const X = j => pad.l + j * (w - pad.l - pad.r) / Math.max(m - 1, 1);
  const Y = t => h - pad.b - t * (h - pad.t - pad.b);
  g.strokeStyle = "#999";
  axes.forEach((a, j) => {
    g.beginPath(); g.moveTo(X(j), pad.t); g.lineTo(X(j), h - pad.b); g.stroke();
    g.fillStyle = "#333"; g.fillText(a.name, X(j) - g.measureText(a.name).width / 2, 12);
  });
  for (let i = 0; i < n; i++) {
    const t = scores[i] === null ? 0 : (scores[i] - s0) / (s1 - s0 || 1);
    g.strokeStyle = `rgba(${Math.round(220 * (1 - t))},${Math.round(60 + 120 * t)},${Math.round(200 * t)},0.7)`;
    g.beginPath(); let pen = false;
    for (let j = 0; j < m; j++) {
      const v = scaled[j][i];
      if (v === null) { pen = false; continue; }
      pen ? g.lineTo(X(j), Y(v)) : g.moveTo(X(j), Y(v)); pen = true;
    }
    g.stroke();
  }
}
