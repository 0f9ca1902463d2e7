// The lab: every claim with its latest verdict, its report section, a run from the page with
// progress, and the playground preset that shows it.
import { getJSON, el, showError } from "./app.js";

const BADGE = { held: "held", "not held": "not", mixed: "mixed" };

function badge(status) {
  return status ? el("span", { class: BADGE[status] || "" }, status) : el("span", { class: "muted" }, "not run yet");
}

async function load() {
  const { experiments, report } = await getJSON("/api/lab");
  document.querySelector("#lab-table tbody").replaceChildren(...experiments.map(e => {
    const latest = e.latest;
    return el("tr", { "data-exp": e.id },
      el("td", {}, e.id),
      el("td", {}, el("b", {}, e.title), el("div", { lang: "zh", class: "muted" }, e.claim_zh), el("div", {}, e.claim_en)),
      el("td", { class: "verdict" }, badge(latest && latest.status),
        latest ? el("div", { class: "muted" }, `${(latest.ended_at || "").slice(0, 10)} · expected ${e.expected}`) : ""),
      el("td", {},
        el("button", { class: "run", onclick: ev => run(e.id, ev.target) }, "Run"), " ",
        report ? el("a", { href: `/lab/report#${e.id}`, target: "_blank" }, "report section")
          : el("span", { class: "muted", title: "run `tidu lab` (make demo) to write the report" }, "no report yet"), " ",
        e.preset ? el("a", { class: "preset", href: `#playground?preset=${e.preset}` }, "playground") :
          el("span", { class: "muted", title: "needs sequences, images, search or a Hessian" }, "no playground preset")));
  }));
}

async function run(id, button) {
  const view = document.getElementById("lab-view");
  button.disabled = true;
  const bar = el("progress", { max: 1 }), note = el("span", { class: "muted" }, " starting…");
  view.replaceChildren(el("p", { class: "job" }, `${id}: `, bar, note));
  try {
    const { job_id } = await getJSON(`/api/lab/${id}/run`, { method: "POST" });
    for (;;) {
      const s = await getJSON(`/api/lab/jobs/${job_id}`);
      if (s.progress !== null) bar.value = s.progress; else bar.removeAttribute("value");
      note.textContent = ` ${s.elapsed.toFixed(1)} s` + (s.expected_seconds ? ` of about ${s.expected_seconds.toFixed(1)} s` : "");
      if (s.state !== "running") {
        if (s.state === "failed") showError(`${id} failed: ${s.error}`);
        const section = el("div", { class: "section" });
        section.innerHTML = s.section_html || "";  // the lab report's own HTML (escaped by it)
        view.replaceChildren(el("p", { class: "job done" }, `${id}: ${s.status || s.state} in ${s.elapsed.toFixed(1)} s`), section);
        await load();
        break;
      }
      await new Promise(r => setTimeout(r, 300));
    }
  } catch (err) { showError(err.message); }
  button.disabled = false;
}

export async function initLab() {
  await load();
  return { route: () => load() };
}
