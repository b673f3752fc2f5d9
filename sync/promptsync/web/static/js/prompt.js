// A prompt's page: the template editor, its variables, the samples, the live preview, save.

import { api, problemText, promptPath } from "./api.js";
import { codeEditor } from "./codeeditor.js";
import { fill, h, messageBox, promptHref, short, when } from "./dom.js";
import { label } from "./overview.js";
import { livePreview } from "./preview.js";
import { saveFlow } from "./save.js";
import { mayPreview, whyNoSave } from "./session.js";
import { variablesPanel } from "./variables.js";

export function showPrompt(main, brand, type, locale = "") {
  const controller = new AbortController();
  fill(main, heading(brand, type, "edit", locale), h("p", {}, "Loading the prompt…"));
  load(main, brand, type, locale, controller.signal);
  return () => controller.abort();
}

export function heading(brand, type, current, locale = "") {
  const tab = (name, text, href) => h("a", { href, class: "tab",
    "aria-current": current === name ? "page" : null }, text);
  return h("div", { class: "prompt-head" },
    h("p", { class: "crumbs" }, h("a", { href: "#/" }, "Overview"), " / ", brand),
    h("h1", {}, `${brand} / ${label(type.toUpperCase())}`,
      locale ? h("span", { class: "locale-tag" }, ` translation: ${locale}`) : null),
    h("nav", { class: "tabs", "aria-label": "This prompt" },
      tab("edit", "Edit", promptHref(brand, type, "", locale)),
      tab("history", "History", promptHref(brand, type, "/history", locale))));
}

async function load(main, brand, type, locale, signal) {
  let answers;
  try {
    answers = await Promise.all([
      api("GET", promptPath(brand, type, "/source", locale), undefined, { signal }),
      api("GET", `/v1/variables?type=${encodeURIComponent(type)}`, undefined, { signal }),
      api("GET", promptPath(brand, type, "", locale), undefined, { signal }),
    ]);
  } catch {
    return; // left the view
  }
  const [source, runtime, live] = answers;
  if (!source.ok) {
    fill(main, heading(brand, type, "edit", locale),
      h("p", { class: "message error", role: "alert" }, problemText(source)));
    return;
  }
  build(main, { brand, type, locale, source: source.data,
                runtime: runtime.ok ? runtime.data.variables : [],
                live: live.ok ? live.data : null, signal });
}

function build(main, { brand, type, locale, source, runtime, live, signal }) {
  const state = {
    brand, type, locale, version: source.version, own: source.own, saved: source.template,
    declared: structuredClone(source.variables || {}), declaredChanged: false,
    samples: source.samples || [], description: source.description || "",
    translatedFrom: source.translated_from, baseVersion: source.base_version, upToDate: false,
  };
  const editor = codeEditor({ id: "template", label: "Template", value: source.template,
                              describedBy: "findings-title" });
  const findings = h("ul", { class: "findings", id: "findings" });
  const notice = messageBox({ id: "notice" });
  const result = messageBox({ id: "save-result", tabindex: "-1" });
  const conflictBox = h("section", { id: "conflict", class: "conflict", hidden: true,
                                     "aria-labelledby": "conflict-title" });
  const info = h("p", { class: "sub", id: "source-info" }, sourceInfo(source, live));
  const variables = variablesPanel({ type, state, editor, runtime,
                                     original: source.variables || {} });
  const preview = mayPreview() ? livePreview({ brand, type, editor, state, findings, signal })
    : null;
  const blocked = whyNoSave(brand);
  const saver = blocked ? null : saveFlow({ brand, type, editor, state, result, conflictBox,
                                            findings, info });
  if (blocked) notice.say("info", blocked);
  else saveShortcut(editor, saver);

  const buttons = h("div", { class: "buttons" },
    saver ? h("button", { type: "button", class: "primary", id: "save", title: "Save (Ctrl+S)",
                          "aria-keyshortcuts": "Control+S", onclick: () => saver.save() },
      "Save…") : null,
    h("button", { type: "button", id: "revert", onclick: () => {
      variables.reset();
      editor.value = state.saved;
      editor.textarea.dispatchEvent(new Event("input", { bubbles: true }));
    } }, "Undo all changes"));

  fill(main, heading(brand, type, "edit", locale), info,
    locale ? translation(state, !saver) : null,
    notice, result, conflictBox,
    h("div", { class: "workspace" },
      h("section", { class: "edit-col", "aria-label": "Edit" }, editor.root,
        h("h2", { id: "findings-title", class: "small" }, "Findings"), findings, buttons),
      variables.root,
      h("section", { class: "preview-col", "aria-labelledby": "preview-title" },
        h("h2", { id: "preview-title" }, "Preview"),
        preview ? preview.root : h("p", { class: "message info" },
          "This key may not preview; ask for a key with scope preview or write."))));
  if (preview) preview.refresh();
}

function saveShortcut(editor, saver) {
  editor.textarea.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault(); // Ctrl+S (Cmd+S) saves, as in every editor
      saver.save();
    }
  });
}

/** A translation: the base version it was made from, stale or not, and a way to say it is
 * up to date with the base text now (its `translated_from`, sent with the save). */
function translation(state, readOnly) {
  const { translatedFrom: made, baseVersion: base } = state;
  const stale = made != null && base != null && made < base;
  const box = h("div", { class: `message ${stale ? "error" : "info"}`, id: "translation" });
  if (base == null) return null;
  if (!state.own) {
    state.upToDate = true; // a new translation is made from the base text as it is now
    return fill(box, `Saving creates this translation, made from the base text's version ${base}.`);
  }
  const check = h("input", { type: "checkbox", id: "up-to-date" });
  check.addEventListener("change", () => { state.upToDate = check.checked; });
  return fill(box, stale ? h("strong", {}, `Stale: translated from version ${made}; the base ` +
    `text is at version ${base}. `) : `Translated from the base text's version ${made}. `,
    readOnly || made === base ? null : h("span", { class: "check" }, check,
      h("label", { for: "up-to-date" }, ` It now matches the base text's version ${base}`)));
}

function sourceInfo(source, live) {
  const file = source.own ? `${source.path}, version ${source.version}, at ${short(source.commit)}`
    : `inherited from ${source.path} (saving creates this brand's own file, version 1)`;
  if (!live) return `File: ${file}.`;
  const origin = { own: "its own text", default: "brand default's text", builtin: "the built-in text" };
  const since = live.live_since ? ` since ${when(live.live_since)}` : "";
  return `File: ${file}. Live: ${origin[live.resolved_from]}, version ${live.version}${since}.`;
}
