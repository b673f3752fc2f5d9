// The variables panel: those the prompt declares and those the chat runtime provides for its
// type (schema/variables.yaml, through GET /v1/variables). A click inserts one at the cursor;
// one the prompt does not declare yet is declared on the way.

import { fill, h } from "./dom.js";
import { label } from "./overview.js";

const EMPTY = { string: "", integer: 0, number: 0, boolean: false };

/** `disabled`: the template is read-only, so nothing can be inserted. */
export function variablesPanel({ type, state, editor, runtime, original, disabled = false }) {
  const declaredList = h("ul", { class: "var-list", id: "declared" });

  function insert(name, spec) {
    if (!(name in state.declared) && spec) {
      // Declared optional with an empty default, so every sample still renders without it.
      state.declared[name] = { type: spec.type, required: false, default: EMPTY[spec.type] ?? "",
                               description: spec.description };
      state.declaredChanged = true;
      showDeclared();
    }
    editor.insert(`{{ ${name} }}`);
  }

  function showDeclared() {
    const entries = Object.entries(state.declared);
    fill(declaredList, entries.length === 0 ? h("li", { class: "help" }, "none")
      : entries.map(([name, spec]) => h("li", {}, button(name, () => insert(name), disabled), " ",
        h("span", { class: "var-type" }, describe(spec)))));
  }

  /** Forget the variables declared by insertion (Undo all changes). */
  function reset() {
    if (!state.declaredChanged) return;
    state.declared = structuredClone(original);
    state.declaredChanged = false;
    showDeclared();
  }

  showDeclared();
  const root = h("section", { class: "vars-col", "aria-labelledby": "variables-title" },
    h("h2", { id: "variables-title" }, "Variables"),
    h("p", { class: "help" }, disabled ? "The variables this prompt may use."
      : "Click a variable to insert it at the cursor."),
    h("h3", {}, "Declared in this prompt"),
    declaredList,
    h("h3", {}, `Provided by the chat runtime for ${label(type.toUpperCase())}`),
    h("ul", { class: "var-list", id: "runtime" }, runtime.map((v) =>
      h("li", {}, button(v.name, () => insert(v.name, v), disabled), " ",
        h("span", { class: "var-type" }, v.type), " ",
        h("span", { class: "var-desc" }, v.description)))));
  return { root, reset };
}

function button(name, onclick, disabled) {
  return h("button", { type: "button", class: "var", "aria-label": `Insert ${name}`, onclick,
                       disabled }, `{{ ${name} }}`);
}

function describe(spec) {
  const parts = [spec.type || "?", spec.required ? "required" : "optional"];
  if (spec.default !== undefined && spec.default !== null) parts.push(`default ${JSON.stringify(spec.default)}`);
  return parts.join(", ");
}
