// The overview: brands x the six prompt types, each cell saying where the runtime's text
// comes from (the brand's own, inherited from default, built-in), its version and when it
// went live. One request, one pass that builds the table off-document: 200 prompts draw at once.

import { api, problemText } from "./api.js";
import { fill, h, promptHref, when } from "./dom.js";

export const TYPES = ["SYSTEM_PROMPT", "GREETING", "FAREWELL", "REJECTION", "CLARIFICATION", "HANDOFF"];
const SOURCE = { own: "own", default: "inherited", builtin: "built-in" };
const SOURCE_HELP = {
  own: "the brand's own prompt",
  default: "inherited from brand default",
  builtin: "the built-in text shipped with promptsync",
};

export function showOverview(main) {
  const filter = h("input", { id: "brand-filter", type: "search", autocomplete: "off",
                              placeholder: "e.g. acme" });
  const count = h("p", { class: "help", id: "brand-count", "aria-live": "polite" });
  const holder = h("div", { class: "matrix-holder" }, h("p", {}, "Loading the prompts…"));
  fill(main,
    h("h1", {}, "Prompts by brand"),
    h("p", { class: "lede" }, "What the chat runtime serves now for each brand and prompt " +
      "type. Open a cell to edit it with a live preview."),
    h("div", { class: "filter" }, h("label", { for: "brand-filter" }, "Filter brands"), filter),
    legend(), count, holder);
  const controller = new AbortController();
  load(holder, filter, count, controller.signal);
  return () => controller.abort();
}

async function load(holder, filter, count, signal) {
  let answer;
  try {
    answer = await api("GET", "/v1/prompts", undefined, { signal });
  } catch {
    return; // left the view
  }
  if (!answer.ok) {
    fill(holder, h("p", { class: "message error", role: "alert" }, problemText(answer)));
    return;
  }
  const rows = byBrand(answer.data.prompts);
  const table = matrix(rows);
  fill(holder, table);
  const apply = () => {
    const words = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const tr of table.tBodies[0].rows) {
      tr.hidden = words !== "" && !tr.dataset.brand.includes(words);
      if (!tr.hidden) shown += 1;
    }
    count.textContent = `${shown} of ${rows.size} brands shown`;
  };
  filter.addEventListener("input", apply);
  apply();
}

function byBrand(cells) {
  const rows = new Map();
  for (const cell of cells) {
    if (!rows.has(cell.brand)) rows.set(cell.brand, new Map());
    rows.get(cell.brand).set(cell.type, cell);
  }
  return rows;
}

function matrix(rows) {
  const head = h("tr", {}, h("th", { scope: "col" }, "Brand"),
    TYPES.map((t) => h("th", { scope: "col" }, label(t))));
  const body = document.createDocumentFragment();
  for (const [brand, cells] of rows) {
    const tr = h("tr", {}, h("th", { scope: "row" }, brand));
    tr.dataset.brand = brand;
    for (const type of TYPES) tr.append(cellOf(brand, type, cells.get(type)));
    body.append(tr);
  }
  return h("table", { class: "matrix", id: "matrix" },
    h("caption", { class: "visually-hidden" }, "Prompts by brand and type"),
    h("thead", {}, head), h("tbody", {}, body));
}

function cellOf(brand, type, cell) {
  if (!cell) return h("td", {}, "–");
  const source = cell.resolved_from;
  const where = source === "default" ? "from default" : SOURCE[source];
  const live = cell.live_since ? `live ${when(cell.live_since)}` : "";
  return h("td", { class: `cell ${source}` },
    h("a", { href: promptHref(brand, type), title: SOURCE_HELP[source],
             "aria-label": `${brand} ${label(type)}: ${SOURCE_HELP[source]}, version ${cell.version}` },
      h("span", { class: `badge ${source}` }, where),
      h("span", { class: "version" }, `v${cell.version}`),
      live ? h("span", { class: "live" }, live) : null));
}

export function label(type) {
  return type.toLowerCase().replace("_", " ");
}

function legend() {
  return h("ul", { class: "legend", "aria-label": "What a cell says" },
    Object.entries(SOURCE).map(([key, text]) =>
      h("li", {}, h("span", { class: `badge ${key}` }, text), ` ${SOURCE_HELP[key]}`)));
}
