// A prompt's page: the template editor, its variables, the samples, the live preview, save.

import { api, problemText, promptPath } from "./api.js";
import { codeEditor } from "./codeeditor.js";
import { diffView } from "./diff.js";
import { fill, h, messageBox, promptHref, short, when } from "./dom.js";
import { label } from "./overview.js";
import { findingPlace, livePreview } from "./preview.js";
import { saveFlow } from "./save.js";
import { mayPreview, whyNoSave } from "./session.js";
import { variablesPanel } from "./variables.js";
import { variantTabs } from "./variants.js";

/** The view: `leave()`, and `sessionChanged()` to offer what a new key may do while the
 * editor keeps its text (a save refused for a removed key is sent again with the new one). */
export function showPrompt(main, brand, type, locale = "") {
  const controller = new AbortController();
  let shown = null; // once loaded: { render }
  let loads = 0;
  const start = () => {
    const mine = ++loads;
    fill(main, heading(brand, type, "edit", locale), h("p", {}, "Loading the prompt…"));
    load(main, brand, type, locale, controller.signal, () => mine === loads)
      .then((made) => { if (made && mine === loads) shown = made; });
  };
  start();
  return {
    leave: () => controller.abort(),
    sessionChanged: () => (shown ? shown.render() : start()),
  };
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

async function load(main, brand, type, locale, signal, latest) {
  let answers;
  try {
    answers = await Promise.all([
      api("GET", promptPath(brand, type, "/source", locale), undefined, { signal }),
      api("GET", `/v1/variables?type=${encodeURIComponent(type)}`, undefined, { signal }),
      api("GET", promptPath(brand, type, "", locale), undefined, { signal }),
    ]);
  } catch {
    return null; // left the view
  }
  if (!latest()) return null;
  const [source, runtime, live] = answers;
  if (!source.ok) {
    fill(main, heading(brand, type, "edit", locale),
      h("p", { class: "message error", role: "alert" }, problemText(source)));
    return null;
  }
  return build(main, { brand, type, locale, source: source.data,
                       runtime: runtime.ok ? runtime.data.variables : [],
                       live: live.ok ? live.data : null, signal });
}

/** The parts that outlive a change of key (the editor and its text, the state, the messages),
 * and `render()`, which lays out what the session's key may do around them. */
function build(main, { brand, type, locale, source, runtime, live, signal }) {
  const state = {
    brand, type, locale, version: source.version, own: source.own, saved: source.template,
    declared: structuredClone(source.variables || {}), declaredChanged: false,
    samples: source.samples || [], description: source.description || "",
    translatedFrom: source.translated_from, baseVersion: source.base_version, upToDate: false,
    variants: structuredClone(source.variants || []), variantsChanged: false,
    savedVariants: structuredClone(source.variants || []),
    current: "control", variantList: () => [],
    resave: null, // the message of a save the server refused the key for, to send again
    refusal: null, // the draft's first error finding, while it has one: no save then
  };
  const editor = codeEditor({ id: "template", label: "Template", value: source.template,
                              describedBy: "findings-title" });
  const parts = {
    editor,
    findings: h("ul", { class: "findings", id: "findings" }),
    notice: messageBox({ id: "notice" }),
    result: messageBox({ id: "save-result", tabindex: "-1" }),
    conflictBox: h("section", { id: "conflict", class: "conflict", hidden: true,
                                "aria-labelledby": "conflict-title" }),
    info: h("p", { class: "sub", id: "source-info" }, sourceInfo(source, live)),
  };
  // A failed save's banner is about the text it sent: once the text changes it is old news.
  editor.textarea.addEventListener("input", () => {
    if (parts.result.kind === "error") parts.result.clear();
  });
  let drawn = null;
  const render = () => {
    if (drawn) drawn.abort();
    drawn = new AbortController();
    draw(main, { brand, type, locale, source, runtime, state, parts, redraw: render,
                 signal: AbortSignal.any([signal, drawn.signal]) });
  };
  render();
  return { render };
}

function draw(main, { brand, type, locale, source, runtime, state, parts, redraw, signal }) {
  const { editor, findings, notice, result, conflictBox, info } = parts;
  const saveWhy = h("p", { class: "message error save-why", id: "save-why", tabindex: "-1",
                           hidden: true });
  const saveButton = h("button", { type: "button", class: "primary", id: "save",
                                   title: "Save (Ctrl+S)", "aria-keyshortcuts": "Control+S",
                                   "aria-describedby": "save-why" }, "Save…");
  const checked = (refusal) => {
    state.refusal = refusal;
    saveButton.disabled = Boolean(refusal);
    saveWhy.hidden = !refusal;
    const where = refusal ? findingPlace(refusal) : "";
    fill(saveWhy, refusal ? `Save is off until this error is fixed (${where.charAt(0)
      .toLowerCase()}${where.slice(1)}): ${refusal.message}` : "");
  };
  const blocked = whyNoSave(brand);
  let preview = null;
  const tabs = variantTabs({ state, editor, disabled: Boolean(blocked),
                             onChange: () => { if (preview) preview.schedule(); } });
  state.variantList = tabs.list;
  preview = mayPreview() ? livePreview({ brand, type, editor, state, findings, signal,
                                         onChecked: checked }) : null;
  const saver = blocked ? null : saveFlow({
    brand, type, editor, state, result, conflictBox, findings, info,
    blocked: async () => {
      if (preview) await preview.settled(); // the findings of the text as it is now
      if (state.refusal) saveWhy.focus();
      return state.refusal ? saveWhy.textContent : "";
    },
  });
  // Neither a save nor a preview: typing would change nothing anyone sees.
  const readOnly = !saver && !preview ? blocked : "";
  editor.readOnly(readOnly);
  if (blocked && !readOnly) notice.say("info", blocked);
  else notice.clear();
  if (saver) {
    saveButton.addEventListener("click", () => saver.save());
    saveShortcut(editor, saver, signal);
  }
  const variables = variablesPanel({ type, state, editor, runtime, disabled: Boolean(readOnly),
                                     original: source.variables || {} });
  const buttons = h("div", { class: "buttons" }, saver ? saveButton : null,
    readOnly ? null : h("button", { type: "button", id: "revert", onclick: () => {
      variables.reset();
      editor.value = state.saved;
      if (state.variantsChanged) {
        state.variants = structuredClone(state.savedVariants);
        state.variantsChanged = false;
        redraw(); // the tabs as saved
        return;
      }
      editor.textarea.dispatchEvent(new Event("input", { bubbles: true }));
    } }, "Undo all changes"));

  fill(main, heading(brand, type, "edit", locale), info,
    locale ? translation(state, source, !saver) : null,
    notice, result, conflictBox,
    h("div", { class: "workspace" },
      h("section", { class: "edit-col", "aria-label": "Edit" }, tabs.root,
        h("h2", { id: "findings-title", class: "small" }, "Findings"), findings, buttons,
        saver ? saveWhy : null),
      variables.root,
      h("section", { class: "preview-col", "aria-labelledby": "preview-title" },
        h("h2", { id: "preview-title" }, "Preview"),
        preview ? preview.root : h("p", { class: "message info" },
          "This key may not preview; ask for a key with scope preview or write."))));
  if (preview) preview.refresh();
  if (saver && state.resave) {
    const message = state.resave; // refused for the old key: the new one may save it
    state.resave = null;
    saver.send(message);
  }
}

function saveShortcut(editor, saver, signal) {
  editor.textarea.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault(); // Ctrl+S (Cmd+S) saves, as in every editor
      saver.save();
    }
  }, { signal });
}

/** A translation: the base version it was made from, stale or not, and a way to say it is
 * up to date with the base text now (its `translated_from`, sent with the save); when stale,
 * what changed in the base text since (as `promptsync validate` shows it). */
function translation(state, source, readOnly) {
  const { translatedFrom: made, baseVersion: base } = state;
  const stale = made != null && base != null && made < base;
  const box = h("div", { class: `message ${stale ? "error" : "info"}`, id: "translation" });
  if (base == null) return null;
  if (!state.own) {
    state.upToDate = true; // a new translation is made from the base text as it is now
    return fill(box, `Saving creates this translation, made from the base text's version ${base}.`);
  }
  const check = h("input", { type: "checkbox", id: "up-to-date" });
  check.checked = state.upToDate;
  check.addEventListener("change", () => { state.upToDate = check.checked; });
  fill(box, stale ? h("strong", {}, `Stale: translated from version ${made}; the base ` +
    `text is at version ${base}. `) : `Translated from the base text's version ${made}. `,
    readOnly || made === base ? null : h("span", { class: "check" }, check,
      h("label", { for: "up-to-date" }, ` It now matches the base text's version ${base}`)));
  return [box, stale ? baseChange(made, base, source) : null];
}

function baseChange(made, base, source) {
  const title = h("h2", { id: "base-change-title" },
    `What changed in the base text since version ${made}`);
  const then = source.base_template_then;
  return h("section", { id: "base-change", class: "base-change",
                        "aria-labelledby": "base-change-title" }, title,
    then == null
      ? [h("p", { class: "help" }, `Version ${made} of the base text is not in this ` +
          `repository's history, so the change cannot be shown. The base text now (version ${base}):`),
        h("pre", { class: "diff", tabindex: "0" }, source.base_template || "")]
      : [h("p", { class: "help" }, `Version ${made} (red) to version ${base} (green): carry ` +
          "the change over into the translation."),
        diffView(then, source.base_template || "", { "aria-label": "The base text's change" })]);
}

function sourceInfo(source, live) {
  const file = source.own ? `${source.path}, version ${source.version}, at ${short(source.commit)}`
    : `inherited from ${source.path} (saving creates this brand's own file, version 1)`;
  if (!live) return `File: ${file}.`;
  const origin = { own: "its own text", default: "brand default's text", builtin: "the built-in text" };
  const since = live.live_since ? ` since ${when(live.live_since)}` : "";
  return `File: ${file}. Live: ${origin[live.resolved_from]}, version ${live.version}${since}.`;
}
