// Saving: ask for a message, PUT the text with the version the editor started from. A 201
// says where the commit went and whether it is live; a 409 shows the conflict as a person
// needs it: their text beside the current one, who changed it and when, and a way on; a 401
// (the key was removed) keeps the text, asks for a key over it and saves with the new one.

import { api, problemText, promptPath } from "./api.js";
import { diffView } from "./diff.js";
import { fill, h, modal, short, when } from "./dom.js";
import { showFindings } from "./preview.js";
import { keyRefused, whyNoSave } from "./session.js";

/** `blocked()` resolves to why the draft may not be saved now (an error it has), or "". */
export function saveFlow({ brand, type, editor, state, result, conflictBox, findings, info,
                           blocked }) {
  async function save() {
    if (await blocked()) return;
    const id = `${brand}/${type.toLowerCase()}${state.locale ? `.${state.locale}` : ""}`;
    const message = await askMessage(`Edit ${id}`);
    if (message === null) return;
    await send(message);
  }

  /** PUT the editor's text now, with `message`. */
  async function send(message) {
    const answer = await api("PUT", promptPath(brand, type, "", state.locale), body(message));
    if (answer.ok) saved(answer.data);
    else if (answer.status === 409) conflict(answer.data);
    else if (answer.status === 401) refused(message);
    else failed(answer);
  }

  /** The key was refused: the session asks for another over the page; once it has one, the
   * view (drawn again for the new key) sends `state.resave`. */
  async function refused(message) {
    state.resave = message;
    result.say("error", h("strong", {}, "Not saved yet. "), "The server no longer accepts " +
      "this tab's key. Your text is kept: enter a key and the save goes through.");
    const gotKey = await keyRefused();
    if (state.resave !== message) return; // taken up by the view for the new key
    state.resave = null;
    result.say("error", h("strong", {}, "Not saved. "), gotKey ? whyNoSave(brand)
      : "Without a key the server takes no save. Your text is still here: enter a key " +
        "(top right), then save again.");
  }

  function body(message) {
    const out = { version: state.version, template: editor.value, message };
    if (state.declaredChanged || !state.own) out.variables = variablesIn(state.declared);
    if (state.variantsChanged) out.variants = state.variantList();
    if (!state.own) {
      out.samples = state.samples.map((s) => ({ name: s.name, context: s.context || {} }));
      if (state.description) out.description = state.description;
    }
    if (state.locale && state.upToDate && state.baseVersion != null) {
      out.translated_from = state.baseVersion;
    }
    return out;
  }

  function saved(data) {
    // An edit on a review branch is not on the published branch yet: the next save still
    // starts from the published version (and the server says the review is pending).
    if (data.published) {
      state.version = data.version;
      state.own = true;
      if (state.upToDate) state.translatedFrom = state.baseVersion;
    }
    state.saved = editor.value;
    state.declaredChanged = false;
    state.variantsChanged = false;
    state.savedVariants = structuredClone(state.variants);
    fill(conflictBox);
    conflictBox.hidden = true;
    const where = data.published
      ? `on ${data.branch}, ${data.live ? "live now" : "not live yet (the daemon publishes it shortly)"}`
      : `on the review branch ${data.branch}${data.pushed_to ? ` (pushed to ${data.pushed_to})` : ""}: ` +
        "it goes live when a pull request merges it";
    result.say("ok", h("strong", {}, `Saved version ${data.version}`),
      `: commit ${short(data.commit)} ${where}.`);
    fill(info, `Saved as version ${data.version} at ` +
      `${short(data.commit)} (${data.published ? data.branch : `review branch ${data.branch}`}).`);
    result.focus();
  }

  function failed(answer) {
    const found = answer.status === 422 ? answer.data.findings : null;
    if (!found) {
      result.say("error", h("strong", {}, "Not saved. "), problemText(answer));
      return;
    }
    // In the template's lines or the draft's fields, as a preview's are.
    showFindings(findings, found, editor);
    const errors = found.filter((f) => f.severity === "error").length;
    result.say("error", h("strong", {}, "Not saved. "), `The server found ${errors} ` +
      `error${errors === 1 ? "" : "s"} in the prompt, listed under the editor.`);
  }

  function conflict(data) {
    if (data.reason === "being-edited") {
      pending(data);
      return;
    }
    const current = data.current || {};
    const mine = editor.value;
    const who = current.author ? `${current.author} saved version ${current.version}` :
      `The prompt is now at version ${current.version ?? "none (deleted)"}`;
    const at = current.date ? ` on ${when(current.date)}` : "";
    const commit = current.commit ? ` (commit ${short(current.commit)}${current.subject ? `: “${current.subject}”` : ""})` : "";
    const take = h("button", { type: "button", class: "primary", id: "take-current",
                               disabled: current.template == null }, "Take the current text");
    const theirs = h("figure", { class: "side" },
      h("figcaption", {}, `Current text (version ${current.version ?? "–"})`),
      h("pre", { id: "conflict-current", tabindex: "0" }, current.template ?? ""));
    const yours = h("figure", { class: "side" }, h("figcaption", {}, "Your text (not saved)"),
      h("pre", { id: "conflict-yours", tabindex: "0" }, mine));
    const howTo = h("p", { id: "conflict-how" }, "Take the current text into the editor, " +
      "re-apply your change by hand (your text stays here beside it), then save again.");
    take.addEventListener("click", () => {
      editor.value = current.template;
      state.version = current.version;
      state.saved = current.template;
      state.own = true;
      take.remove();
      theirs.remove();
      fill(howTo, `You are now editing version ${current.version}. Re-apply your change, then save.`);
      editor.textarea.dispatchEvent(new Event("input", { bubbles: true }));
      editor.textarea.focus();
    });
    fill(conflictBox,
      h("h2", { id: "conflict-title", tabindex: "-1" }, "Someone else saved this prompt first"),
      h("p", {}, `${who}${at}${commit}. You started from version ${data.your_version}.`),
      data.reason !== "version-moved" && data.detail ? h("p", {}, data.detail) : null,
      howTo,
      h("div", { class: "sides" }, yours, theirs),
      current.template == null ? null : h("details", { open: true },
        h("summary", {}, "What differs (your text → the current text)"),
        diffView(mine, current.template, { "aria-label": "Your text compared with the current text" })),
      h("div", { class: "buttons" }, take));
    conflictBox.hidden = false;
    result.clear();
    conflictBox.querySelector("h2").focus();
  }

  /** A 409 because an earlier edit of this version waits on its review branch. */
  function pending(data) {
    const current = data.current || {};
    fill(conflictBox,
      h("h2", { id: "conflict-title", tabindex: "-1" }, "An edit of this prompt is waiting for review"),
      h("p", {}, data.detail || ""),
      h("p", {}, `Merge the pull request of ${current.branch || "that branch"} (or ask a ` +
        "reviewer to), then reload this page and edit the published text."),
      h("div", { class: "sides" },
        h("figure", { class: "side" }, h("figcaption", {}, "Your text (not saved)"),
          h("pre", { id: "conflict-yours", tabindex: "0" }, editor.value)),
        h("figure", { class: "side" }, h("figcaption", {}, `Waiting on ${current.branch || "review"}`),
          h("pre", { id: "conflict-current", tabindex: "0" }, current.template ?? ""))));
    conflictBox.hidden = false;
    result.clear();
    conflictBox.querySelector("h2").focus();
  }

  return { save, send };
}

function variablesIn(declared) {
  const out = {};
  for (const [name, spec] of Object.entries(declared)) {
    const clean = { type: spec.type };
    for (const key of ["required", "default", "description"]) {
      if (spec[key] !== undefined && spec[key] !== null) clean[key] = spec[key];
    }
    out[name] = clean;
  }
  return out;
}

/** The commit message dialog; resolves to the message, or null when cancelled. */
export function askMessage(suggested, { title = "Save the prompt", action = "Save" } = {}) {
  return modal(title, (done) => {
    const text = h("textarea", { id: "commit-message", rows: 3, required: true,
                                 "aria-describedby": "commit-help" });
    text.value = suggested;
    queueMicrotask(() => { text.focus(); text.select(); });
    return h("form", { method: "dialog", onsubmit: (event) => {
      event.preventDefault();
      if (text.value.trim()) done(text.value.trim());
    } },
      h("label", { for: "commit-message" }, "What did you change? (the commit message)"),
      text,
      h("p", { class: "help", id: "commit-help" }, "The history shows it beside your key's name."),
      h("div", { class: "buttons" },
        h("button", { type: "submit", class: "primary", id: "confirm-save" }, action),
        h("button", { type: "button", onclick: () => done(null) }, "Cancel")));
  });
}
