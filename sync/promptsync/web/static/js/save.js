// Saving: ask for a message, PUT the text with the version the editor started from. A 201
// says where the commit went and whether it is live; a 409 shows the conflict as a person
// needs it: their text beside the current one, who changed it and when, and a way on.

import { api, problemText, promptPath } from "./api.js";
import { fill, h, modal, short, when } from "./dom.js";
import { showFindings } from "./preview.js";

export function saveFlow({ brand, type, editor, state, result, conflictBox, findings, info }) {
  async function save() {
    const id = `${brand}/${type.toLowerCase()}${state.locale ? `.${state.locale}` : ""}`;
    const message = await askMessage(`Edit ${id}`);
    if (message === null) return;
    const answer = await api("PUT", promptPath(brand, type, "", state.locale), body(message));
    if (answer.ok) saved(answer.data);
    else if (answer.status === 409) conflict(answer.data);
    else failed(answer);
  }

  function body(message) {
    const out = { version: state.version, template: editor.value, message };
    if (state.declaredChanged || !state.own) out.variables = variablesIn(state.declared);
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
    if (answer.status === 422 && answer.data.findings) {
      // The server's findings of the whole file: its lines are the file's, not the template's,
      // so they are listed without a place in the editor (the preview's findings have that).
      showFindings(findings, answer.data.findings.map((f) => ({ ...f, field: "file", line: 0 })),
                   editor);
    }
    result.say("error", h("strong", {}, "Not saved. "), problemText(answer));
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
      data.diff ? h("details", {}, h("summary", {}, "What differs (your text → the current text)"),
        h("pre", { class: "diff" }, data.diff)) : null,
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

  return { save };
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
