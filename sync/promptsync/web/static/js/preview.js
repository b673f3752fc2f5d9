// The live preview: as the editor types, POST the draft to /v1/.../preview (debounced, the
// previous request cancelled) and show the text, or the findings beside their lines. The
// server's sandbox bounds every render, so a loop shows as a finding, never a frozen page.

import { api, problemText, promptPath } from "./api.js";
import { fill, h } from "./dom.js";

const DELAY = 250; // ms of quiet typing before a preview request
const CUSTOM = "\u0000custom";

/**
 * `onChecked(blocking)` hears after each answer: the first error finding of the draft itself
 * (what the server would refuse a save for), or null. `signal` ends the preview's listeners.
 */
export function livePreview({ brand, type, editor, state, findings, signal, onChecked }) {
  const select = h("select", { id: "sample" },
    state.samples.map((s) => h("option", { value: s.name }, `Sample: ${s.name}`)),
    h("option", { value: CUSTOM }, "Your own context (JSON)"));
  const context = h("textarea", { id: "context", class: "context", rows: 4, spellcheck: "false",
                                  "aria-describedby": "context-help" });
  const contextError = h("p", { class: "message error", id: "context-error", hidden: true });
  const status = h("p", { class: "preview-status", id: "preview-status", role: "status" });
  const output = h("pre", { class: "preview-text", id: "preview-text", tabindex: "0",
                            "aria-label": "Rendered text" });
  const root = h("div", { class: "preview" },
    h("div", { class: "field" }, h("label", { for: "sample" }, "Render with"), select),
    h("div", { class: "field" }, h("label", { for: "context" }, "Context (JSON)"), context,
      h("p", { class: "help", id: "context-help" }, "The values the template is rendered " +
        "with. Edit them to try your own: the sample switches to “your own context”.")),
    contextError, status, output);

  let timer = 0;
  let inflight = null;
  let running = null; // the latest refresh, until it has answered
  let seq = 0;

  const sampleContext = () => {
    const found = state.samples.find((s) => s.name === select.value);
    return found ? found.context || {} : {};
  };
  const showSample = () => {
    if (select.value !== CUSTOM) context.value = JSON.stringify(sampleContext(), null, 2);
  };
  select.addEventListener("change", () => { showSample(); start(); });
  context.addEventListener("input", () => { select.value = CUSTOM; schedule(); });
  editor.textarea.addEventListener("input", () => schedule(), { signal });
  signal.addEventListener("abort", () => { clearTimeout(timer); if (inflight) inflight.abort(); });
  if (state.samples.length === 0) select.value = CUSTOM;
  showSample();

  function schedule() {
    clearTimeout(timer);
    status.textContent = "Updating…";
    timer = setTimeout(start, DELAY);
  }

  function start() {
    clearTimeout(timer);
    timer = 0;
    const mine = refresh().finally(() => { if (running === mine) running = null; });
    running = mine;
    return mine;
  }

  /** Resolves once the preview has answered for the editor's text as it is now. */
  async function settled() {
    for (let tries = 0; tries < 5 && (timer || running); tries += 1) {
      if (timer) start();
      await running;
    }
  }

  function body() {
    const draft = { template: editor.value, variables: state.declared, samples: state.samples };
    if (state.variants && (state.variants.length || state.variantsChanged)) {
      draft.variants = state.variantList();
      draft.variant = state.current || "control"; // the open tab's text is rendered
    }
    if (select.value !== CUSTOM) return { ...draft, sample: select.value };
    let values;
    try {
      values = JSON.parse(context.value || "{}");
    } catch (err) {
      throw new Error(`The context is not valid JSON: ${err.message}`);
    }
    if (values === null || typeof values !== "object" || Array.isArray(values)) {
      throw new Error("The context must be a JSON object, e.g. {\"user_name\": \"Dana\"}");
    }
    return { ...draft, context: values };
  }

  async function refresh() {
    let payload;
    try {
      payload = body();
      contextError.hidden = true;
    } catch (err) {
      contextError.hidden = false;
      fill(contextError, err.message);
      status.textContent = "Not updated: fix the context.";
      return;
    }
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const mine = ++seq;
    let answer;
    try {
      answer = await api("POST", promptPath(brand, type, "/preview", state.locale), payload,
                         { signal: inflight.signal });
    } catch {
      return; // superseded by a newer request, or the view was left
    }
    if (mine !== seq) return;
    show(answer);
  }

  function show(answer) {
    const list = answer.ok ? answer.data.findings : (answer.data.findings || []);
    showFindings(findings, list, editor);
    // A draft the validator refuses would be refused on save too; a context of one's own that
    // does not render is not the draft's fault.
    const refused = answer.status === 422 && /[:/]invalid-prompt$/.test(answer.data.type || "");
    if (onChecked) onChecked(refused ? list.find((f) => f.severity === "error") || null : null);
    output.classList.toggle("stale", !answer.ok);
    if (answer.ok) {
      output.textContent = answer.data.text;
      output.dataset.variant = answer.data.variant || "control";
      status.textContent = `Rendered at ${new Date().toLocaleTimeString()}` +
        (list.length ? ` with ${list.length} warning(s).` : ".");
      return;
    }
    const error = list.find((f) => f.severity === "error");
    status.textContent = answer.status === 422
      ? `Not rendered (the text below is the last good one): ${error ? error.message : problemText(answer)}`
      : `Preview failed: ${problemText(answer)}`;
  }

  return { root, refresh: start, schedule, settled };
}

/** Where a finding is, as the editor shows it: "Line 2, column 5" of the template, or its field
 * ("In variables"); never a line of the file, which the page does not show. A finding on
 * another file the change affects (a translation of this base text) names that file. */
export function findingPlace(f) {
  if (f.path) return `In ${f.path}, which this change affects`;
  if (f.field === "template" && f.line > 0) return `Line ${f.line}, column ${f.column}`;
  return `In ${!f.field || f.field === "file" ? "the prompt" : f.field}`; // "file": as a whole
}

/** The findings as a list (each one moves the cursor to its place) and as gutter marks. */
export function showFindings(list, unsorted, editor) {
  // Errors first, this prompt's own before other files', then by line: what blocks a save
  // is what to read first.
  const rank = (f) => [f.severity === "error" ? 0 : 1, f.path ? 1 : 0, f.line || Infinity,
    f.column || 0];
  const found = [...unsorted].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || x[3] - y[3];
  });
  editor.mark(found);
  if (found.length === 0) {
    fill(list, h("li", { class: "none" }, "No findings."));
    return;
  }
  fill(list, found.map((f) => {
    const inTemplate = f.field === "template" && f.line > 0;
    const where = findingPlace(f);
    const item = h("li", { class: `finding ${f.severity}`, "data-line": inTemplate ? f.line : null },
      h("span", { class: "severity" }, f.severity), " ",
      inTemplate ? h("button", { type: "button", class: "link", onclick: () => editor.goTo(f.line, f.column) }, where)
        : h("span", {}, where),
      ": ", f.message, f.hint ? ` (${f.hint})` : "", " ", h("code", {}, `[${f.code}]`));
    return item;
  }));
}
