// A prompt's variants on the page: a tab per text (the template, `control`, then each
// variant) with each variant's weight beside its tab, one editor per variant, and what the
// preview and a save send. The live preview renders the open tab's text, through the same
// POST /preview as the template (the server's one renderer), so what a tab shows is what the
// runtime serves the customers of that variant.

import { codeEditor } from "./codeeditor.js";
import { fill, h } from "./dom.js";

export const CONTROL = "control";

/**
 * `state.variants` ([{name, weight, template, description}]) is the file's list; `onChange()`
 * hears every edit of a variant's text or weight, and every switch of tab.
 */
export function variantTabs({ state, editor, disabled, onChange }) {
  const panels = new Map(); // name -> { editor, panel }
  const bar = h("div", { class: "tabs variant-tabs", role: "tablist", "aria-label": "Texts" });
  const control = h("section", { class: "variant-panel", id: "panel-control" }, editor.root);
  const holder = h("div", { class: "variant-panels" }, control);
  const addName = h("input", { id: "new-variant", type: "text", size: 12, placeholder: "name",
                               "aria-label": "New variant's name", disabled });
  const share = h("span", { class: "help", id: "control-share" });
  const root = h("div", { class: "variants" }, bar, holder,
    disabled ? null : h("p", { class: "variant-add" }, addName,
      h("button", { type: "button", id: "add-variant", onclick: () => add(addName.value) },
        "Add a variant"), " ",
      h("span", { class: "help" }, "A variant is another text that a share of the customers " +
        "(its weight, in percent) gets; the rest get the template.")));

  const changed = () => {
    state.variantsChanged = true;
    drawBar();
    onChange();
  };

  function variantEditor(variant) {
    const ed = codeEditor({ id: `variant-${variant.name}`, label: `Variant ${variant.name}`,
                            value: variant.template, describedBy: "findings-title" });
    ed.readOnly(disabled ? "this key may not save" : "");
    ed.textarea.addEventListener("input", () => { variant.template = ed.value; changed(); });
    const remove = disabled ? null : h("button", { type: "button", class: "link",
      id: `remove-${variant.name}`, onclick: () => {
        state.variants = state.variants.filter((v) => v !== variant);
        panels.get(variant.name).panel.remove();
        panels.delete(variant.name);
        select(CONTROL);
        changed();
      } }, `Remove variant ${variant.name}`);
    const panel = h("section", { class: "variant-panel", id: `panel-${variant.name}`,
                                 role: "tabpanel", hidden: true,
                                 "aria-labelledby": `tab-${variant.name}` }, ed.root, remove);
    holder.append(panel);
    panels.set(variant.name, { editor: ed, panel });
  }

  function drawBar() {
    // Without variants the template's editor stands alone, as on a page before variants.
    const tabbed = state.variants.length > 0;
    bar.hidden = !tabbed;
    for (const [name, value] of [["role", "tabpanel"], ["aria-labelledby", "tab-control"]]) {
      if (tabbed) control.setAttribute(name, value);
      else control.removeAttribute(name);
    }
    const total = state.variants.reduce((sum, v) => sum + (Number(v.weight) || 0), 0);
    fill(share, `${Math.max(0, 100 - total)}%` + (total > 100 ? " (the weights add up to " +
      `${total}: at most 100)` : ""));
    const tab = (name, text) => h("button", { type: "button", role: "tab", class: "tab",
      id: `tab-${name}`, "aria-selected": String(state.current === name),
      "aria-controls": `panel-${name}`,
      "aria-current": state.current === name ? "page" : null,
      onclick: () => select(name) }, text);
    fill(bar, h("span", { class: "variant-tab" }, tab(CONTROL, CONTROL), " ", share),
    state.variants.map((v) => h("span", { class: "variant-tab" }, tab(v.name, v.name), " ",
      weightInput(v))));
  }

  function weightInput(variant) {
    const input = h("input", { type: "number", min: 0, max: 100, step: 1, class: "weight",
                               id: `weight-${variant.name}`, value: String(variant.weight),
                               "aria-label": `Weight of ${variant.name}, in percent`, disabled });
    input.addEventListener("change", () => {
      variant.weight = Number.parseInt(input.value, 10) || 0;
      changed();
    });
    return [input, "%"];
  }

  function add(name) {
    const wanted = name.trim();
    if (!wanted || wanted === CONTROL || panels.has(wanted)) {
      addName.focus();
      return;
    }
    const variant = { name: wanted, weight: 0, template: editor.value, description: "" };
    state.variants = [...state.variants, variant];
    variantEditor(variant);
    addName.value = "";
    select(wanted);
    changed();
  }

  function select(name) {
    state.current = panels.has(name) ? name : CONTROL;
    control.hidden = state.current !== CONTROL;
    for (const [key, { panel }] of panels) panel.hidden = key !== state.current;
    drawBar();
    onChange();
  }

  state.current = CONTROL;
  state.variants.forEach(variantEditor);
  drawBar();
  return {
    root,
    /** The textareas whose typing the preview follows (the template's is the caller's). */
    editors: () => [...panels.values()].map((p) => p.editor),
    /** What a preview or a save sends: the variants as the tabs hold them. */
    list: () => state.variants.map(({ name, weight, template, description }) => (
      { name, weight, template, ...(description ? { description } : {}) })),
  };
}
