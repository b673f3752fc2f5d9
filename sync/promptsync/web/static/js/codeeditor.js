// A template editor: a textarea with a line-number gutter that marks the lines findings name.
// Plain textarea underneath, so typing, selection, undo and screen readers work as everywhere.

import { h } from "./dom.js";

export function codeEditor({ id, label, value = "", describedBy = "" }) {
  const gutter = h("div", { class: "gutter", "aria-hidden": "true" });
  const textarea = h("textarea", { id, class: "code", wrap: "off", spellcheck: "false",
                                   autocapitalize: "off", autocomplete: "off",
                                   "aria-describedby": describedBy || null });
  textarea.value = value;
  // The findings' messages, drawn beside their lines over the text's right edge (the list
  // under the editor says the same to screen readers, so these are hidden from them).
  const notes = h("div", { class: "notes", "aria-hidden": "true" });
  const root = h("div", { class: "field" }, h("label", { for: id }, label),
    h("div", { class: "code-editor" }, gutter, h("div", { class: "code-area" }, textarea, notes)));
  let marks = new Map(); // line -> the most severe finding there
  let drawn = -1;

  function draw(force = false) {
    const lines = textarea.value.split("\n").length;
    if (!force && lines === drawn) return;
    drawn = lines;
    const rows = document.createDocumentFragment();
    for (let n = 1; n <= lines; n += 1) {
      const mark = marks.get(n);
      const row = h("div", { class: mark ? `line ${mark.severity}` : "line", "data-line": n,
                             title: mark ? mark.message : null },
        mark ? (mark.severity === "error" ? "✖ " : "▲ ") : "", String(n));
      rows.append(row);
    }
    gutter.replaceChildren(rows);
    follow();
  }

  function drawNotes() {
    const lines = textarea.value.split("\n");
    notes.replaceChildren(...[...marks.values()].map((f) => {
      const note = h("div", { class: `note ${f.severity}` }, h("span", {}, f.message));
      note.style.top = `calc(${f.line - 1} * var(--code-line) + var(--code-pad))`;
      // After the line's text (the font is monospaced: one ch per character) when it is short.
      const width = (lines[f.line - 1] || "").length;
      if (width < 48) note.style.left = `calc(${width + 2}ch + .6em)`;
      return note;
    }));
  }

  function follow() {
    gutter.scrollTop = textarea.scrollTop;
    notes.style.transform = `translateY(${-textarea.scrollTop}px)`;
  }

  textarea.addEventListener("input", () => draw());
  textarea.addEventListener("scroll", follow);
  draw(true);

  return {
    root,
    textarea,
    get value() { return textarea.value; },
    set value(text) { textarea.value = text; draw(true); },
    /** Mark the lines of template findings (field "template", line > 0). */
    mark(findings) {
      marks = new Map();
      for (const f of findings) {
        if (f.field !== "template" || !f.line) continue;
        const seen = marks.get(f.line);
        if (!seen || (seen.severity !== "error" && f.severity === "error")) marks.set(f.line, f);
      }
      draw(true);
      drawNotes();
    },
    /** Put `text` where the cursor is (replacing a selection), as if typed. */
    insert(text) {
      const { selectionStart: start, selectionEnd: end } = textarea;
      textarea.focus();
      textarea.setRangeText(text, start, end, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
    /** Move the cursor to a line and column (from 1) and show it. */
    goTo(line, column = 1) {
      const lines = textarea.value.split("\n");
      let offset = 0;
      for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
      offset += Math.max(0, column - 1);
      textarea.focus();
      textarea.setSelectionRange(offset, offset);
      const height = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
      textarea.scrollTop = Math.max(0, (line - 1) * height - textarea.clientHeight / 2);
    },
  };
}
