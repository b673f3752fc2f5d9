// The overview: brands x the six prompt types, each cell saying where the runtime's text
// comes from (the brand's own, inherited from default, built-in), its version and when it
// went live; its translations, stale ones said so; with a language chosen (applied as it is
// typed), whether the cell is translated into it or falls back to another language. One
// request, one pass that builds the table off-document: 200 prompts draw at once.

import { api, problemText } from "./api.js";
import { fill, h, promptHref, when } from "./dom.js";
import { fleetBadge } from "./fleet.js";

export const TYPES = ["SYSTEM_PROMPT", "GREETING", "FAREWELL", "REJECTION", "CLARIFICATION", "HANDOFF"];
const SOURCE = { own: "own", default: "from default", builtin: "built-in" };
const SOURCE_HELP = {
  own: "the brand's own prompt",
  default: "inherited from brand default",
  builtin: "the built-in text shipped with promptsync",
};
const chosen = { locale: "", words: "" }; // kept while the page is open, across views
const TYPING = 200; // ms of quiet in the Language box before the matrix is asked for it

export function showOverview(main) {
  const filter = h("input", { id: "brand-filter", type: "search", autocomplete: "off",
                              placeholder: "e.g. acme" });
  filter.value = chosen.words;
  const locale = h("input", { id: "locale", type: "text", list: "known-locales", size: 10,
                              autocomplete: "off", spellcheck: "false", placeholder: "e.g. de",
                              "aria-describedby": "locale-help" });
  locale.value = chosen.locale;
  const known = h("datalist", { id: "known-locales" });
  const count = h("p", { class: "help", id: "brand-count", "aria-live": "polite" });
  const holder = h("div", { class: "matrix-holder" }, h("p", {}, "Loading the prompts…"));
  const controller = new AbortController();
  fill(main,
    h("h1", {}, "Prompts by brand"),
    h("p", { class: "lede" }, "What the chat runtime serves now for each brand and prompt " +
      "type. Open a cell to edit it with a live preview."),
    fleetBadge(controller.signal),
    h("div", { class: "controls" },
      h("div", { class: "filter" }, h("label", { for: "brand-filter" }, "Filter brands"), filter),
      h("div", { class: "filter" }, h("label", { for: "locale" }, "Language"), locale, known,
        h("span", { class: "help", id: "locale-help" }, "a locale tag; empty: the base texts"))),
    legend(), count, holder);
  const view = { holder, filter, count, known, signal: controller.signal, loading: null };
  load(view);
  let typing = 0;
  locale.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      if (locale.value.trim() === chosen.locale) return;
      chosen.locale = locale.value.trim();
      load(view);
    }, TYPING);
  });
  return () => { clearTimeout(typing); controller.abort(); };
}

async function load(view) {
  const { holder, filter, count, known } = view;
  if (view.loading) view.loading.abort(); // the language asked before: its answer is moot
  view.loading = new AbortController();
  const signal = AbortSignal.any([view.signal, view.loading.signal]);
  const asked = chosen.locale;
  let answer;
  let coverage;
  try {
    const query = asked ? `?locale=${encodeURIComponent(asked)}` : "";
    // What is live (the list), and what the branch translates (coverage: stale translations,
    // the locales the brands declare).
    [answer, coverage] = await Promise.all([
      api("GET", `/v1/prompts${query}`, undefined, { signal }),
      api("GET", `/v1/coverage${query}`, undefined, { signal }),
    ]);
  } catch {
    return; // left the view
  }
  if (asked !== chosen.locale) return; // another language was chosen meanwhile
  if (!answer.ok) {
    fill(holder, h("p", { class: "message error", role: "alert" }, problemText(answer)));
    return;
  }
  const cells = answer.data.prompts;
  const declared = coverage.ok ? coverage.data.locales : [];
  fill(known, [...new Set([...declared, ...cells.flatMap((c) => c.locales || [])])].sort()
    .map((tag) => h("option", { value: tag })));
  const stale = staleCells(coverage.ok ? coverage.data.cells : [], asked);
  const rows = byBrand(cells);
  const table = matrix(rows, asked, stale);
  fill(holder, table);
  const apply = () => {
    chosen.words = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const tr of table.tBodies[0].rows) {
      tr.hidden = chosen.words !== "" && !tr.dataset.brand.includes(chosen.words);
      if (!tr.hidden) shown += 1;
    }
    count.textContent = `${shown} of ${rows.size} brands shown`;
  };
  filter.oninput = apply;
  apply();
}

/** "brand TYPE" -> the stale coverage cell of the language asked; with none asked, the
 * locales of the brand's own translations that are stale. */
function staleCells(cells, asked) {
  const found = new Map();
  for (const c of cells.filter((cell) => cell.stale)) {
    const key = `${c.brand} ${c.type}`;
    if (asked) found.set(key, c);
    else if (c.answered_by && c.answered_by.brand === c.brand) {
      found.set(key, [...(found.get(key) || []), c.answered_by.locale]);
    }
  }
  return found;
}

function byBrand(cells) {
  const rows = new Map();
  for (const cell of cells) {
    if (!rows.has(cell.brand)) rows.set(cell.brand, new Map());
    rows.get(cell.brand).set(cell.type, cell);
  }
  return rows;
}

function matrix(rows, asked, stale) {
  const head = h("tr", {}, h("th", { scope: "col" }, "Brand"),
    TYPES.map((t) => h("th", { scope: "col" }, label(t))));
  const body = document.createDocumentFragment();
  for (const [brand, cells] of rows) {
    const tr = h("tr", {}, h("th", { scope: "row" }, brand));
    tr.dataset.brand = brand;
    for (const type of TYPES) {
      tr.append(cellOf(brand, type, cells.get(type), asked, stale.get(`${brand} ${type}`)));
    }
    body.append(tr);
  }
  return h("table", { class: "matrix", id: "matrix" },
    h("caption", { class: "visually-hidden" }, "Prompts by brand and type"),
    h("thead", {}, head), h("tbody", {}, body));
}

function cellOf(brand, type, cell, asked, stale) {
  if (!cell) return h("td", {}, "–");
  const source = cell.resolved_from;
  const where = SOURCE[source];
  const live = cell.live_since ? `live ${when(cell.live_since)}` : "";
  const language = asked ? [languageOf(cell, asked, stale)] : translations(cell, stale || []);
  const said = language.map((span) => `, ${span.textContent}`).join("");
  return h("td", { class: `cell ${source}` },
    h("a", { href: promptHref(brand, type, "", asked), title: SOURCE_HELP[source],
             "aria-label": `${brand} ${label(type)}: ${SOURCE_HELP[source]}, version ` +
               `${cell.version}${said}` },
      h("span", { class: `badge ${source}` }, where),
      h("span", { class: "version" }, `v${cell.version}`),
      language,
      live ? h("span", { class: "live" }, live) : null));
}

/** The brand's own translations of the cell, the stale ones apart: a translation whose base
 * text changed since is not one to show in green. */
function translations(cell, stale) {
  const own = cell.locales || [];
  const fresh = own.filter((tag) => !stale.includes(tag));
  const old = own.filter((tag) => stale.includes(tag));
  return [fresh.length ? h("span", { class: "lang translated" }, `translated: ${fresh.join(", ")}`) : null,
          old.length ? h("span", { class: "lang stale" }, `stale: ${old.join(", ")}`) : null]
    .filter(Boolean);
}

/** Whether the text that answers is in the asked language, or a fallback to another. */
function languageOf(cell, asked, stale) {
  const got = cell.answered_locale || "";
  if (stale) {
    return h("span", { class: "lang stale" }, `stale: translated from v${stale.translated_from}` +
      `, the base is at v${stale.base_version}`);
  }
  if (got && sameLanguage(got, asked)) {
    return h("span", { class: "lang translated" }, got.toLowerCase() === asked.toLowerCase()
      ? `translated (${got})` : `translated (${got}, for ${asked})`);
  }
  return h("span", { class: "lang fallback" }, `no ${asked}: ${got || "base"} text`);
}

function sameLanguage(a, b) {
  return a.split(/[-_]/)[0].toLowerCase() === b.split(/[-_]/)[0].toLowerCase();
}

export function label(type) {
  return type.toLowerCase().replace("_", " ");
}

function legend() {
  return h("ul", { class: "legend", "aria-label": "What a cell says" },
    Object.entries(SOURCE).map(([key, text]) =>
      h("li", {}, h("span", { class: `badge ${key}` }, text), ` ${SOURCE_HELP[key]}`)));
}
