// The page's frame: tabs by URL hash (#playground, #runs, #lab; #playground?preset=NAME),
// one JSON fetch helper, and a banner for errors the server explains.
import { initPlayground } from "./playground.js";
import { initRuns } from "./runs.js";
import { initLab } from "./lab.js";

export function showError(message) {
  const banner = document.getElementById("banner");
  banner.textContent = message; banner.hidden = !message;
}

export async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

const started = {};
const inits = { playground: initPlayground, runs: initRuns, lab: initLab };

function route() {
  const [tab, query] = (location.hash.slice(1) || "playground").split("?");
  const name = inits[tab] ? tab : "playground";
  for (const t of Object.keys(inits)) document.getElementById(`tab-${t}`).hidden = t !== name;
  document.querySelectorAll("nav a").forEach(a => a.classList.toggle("active", a.dataset.tab === name));
  showError("");
  const params = new URLSearchParams(query || "");
  if (!started[name]) started[name] = inits[name](params);
  else started[name].then(api => api && api.route && api.route(params));
}

window.addEventListener("hashchange", route);
route();
