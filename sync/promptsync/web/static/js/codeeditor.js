// A template editor: a textarea over a coloured copy of its text, with a line-number gutter
// that marks the lines findings name. The textarea stays the real editor (typing, selection,
// undo, screen readers work as everywhere); its own text is transparent, so what shows is the
// copy behind it, laid out with the same font, width and wrapping. Lines wrap, so a line of
// the text can take several rows: the gutter's numbers and the findings' notes take each
// line's place and height from the copy.

import { append, fill, h } from "./dom.js";
import { highlightLines } from "./highlight.js";

export function codeEditor({ id, label, value = "", describedBy = "" }) {
  const why = h("p", { class: "help readonly-why", id: `${id}-why`, hidden: true });
  const textarea = h("textarea", { id, class: "code", spellcheck: "false",
                                   autocapitalize: "off", autocomplete: "off",
                                   "aria-describedby": describedBy || null });
  textarea.value = value;
  const numbers = h("div", { class: "gutter-rows" });
  const gutter = h("div", { class: "gutter", "aria-hidden": "true" }, numbers);
  const lines = h("div", { class: "code-lines" });
  const layer = h("div", { class: "code-highlight", id: `${id}-highlight`, "aria-hidden": "true" },
    lines);
  // The findings' messages, drawn beside their lines over the text's right edge (the list
  // under the editor says the same to screen readers, so these are hidden from them).
  const notes = h("div", { class: "notes", "aria-hidden": "true" });
  const frame = h("div", { class: "code-editor" }, gutter,
    h("div", { class: "code-area" }, layer, textarea, notes));
  const root = h("div", { class: "field" }, h("label", { for: id }, label), why, frame);
  let marks = new Map(); // line -> the most severe finding there
  let places = []; // per line: {top, height} in px from the first line's top
  let drawn = []; // per line of the coloured copy: what it shows (see lineKey)
  let marked = true; // the findings changed since the gutter was drawn

  /** Draw the coloured copy; only the lines that changed are made anew (a keystroke changes
   * one), so a template at its 10,000-character limit still types without a lag. */
  function paint() {
    const fresh = highlightLines(textarea.value);
    const keys = fresh.map(lineKey);
    let head = 0;
    while (head < keys.length && head < drawn.length && keys[head] === drawn[head]) head += 1;
    let tail = 0;
    while (tail < keys.length - head && tail < drawn.length - head
           && keys[keys.length - 1 - tail] === drawn[drawn.length - 1 - tail]) tail += 1;
    const stale = [...lines.children].slice(head, drawn.length - tail);
    const after = lines.children[drawn.length - tail] || null;
    stale.forEach((line) => line.remove());
    lines.insertBefore(append(document.createDocumentFragment(),
                              fresh.slice(head, keys.length - tail).map(lineOf)), after);
    drawn = keys;
  }

  /** Lay the copy out as the textarea is, then put numbers and notes at its lines. */
  function sync() {
    layer.style.width = `${textarea.clientWidth}px`; // the textarea's scrollbar is not text
    paint();
    const now = [...lines.children].map((line) => ({ top: line.offsetTop, height: line.offsetHeight }));
    const moved = now.length !== places.length
      || now.some((p, i) => p.top !== places[i].top || p.height !== places[i].height);
    places = now;
    if (moved || marked) {
      drawNumbers();
      drawNotes();
      marked = false;
    }
    follow();
  }

  function drawNumbers() {
    const rows = document.createDocumentFragment();
    places.forEach(({ height }, i) => {
      const n = i + 1;
      const mark = marks.get(n);
      const row = h("div", { class: mark ? `line ${mark.severity}` : "line", "data-line": n,
                             title: mark ? mark.message : null },
        mark ? (mark.severity === "error" ? "✖ " : "▲ ") : "", String(n));
      row.style.height = `${height}px`;
      rows.append(row);
    });
    numbers.replaceChildren(rows);
  }

  function drawNotes() {
    const text = textarea.value.split("\n");
    notes.replaceChildren(...[...marks.values()].map((f) => {
      const place = places[f.line - 1] || places[places.length - 1] || { top: 0, height: 0 };
      const note = h("div", { class: `note ${f.severity}` }, h("span", {}, f.message));
      note.style.top = `calc(${place.top}px + var(--code-pad))`;
      // After the line's text (the font is monospaced: one ch per character) when it is short
      // and on one row; else at the right edge, over the text.
      const width = (text[f.line - 1] || "").length;
      if (width < 48 && place.height <= lineHeight()) note.style.left = `calc(${width + 2}ch + .6em)`;
      return note;
    }));
  }

  function lineHeight() {
    return parseFloat(getComputedStyle(textarea).lineHeight) || 20;
  }

  function follow() {
    const shift = `translateY(${-textarea.scrollTop}px)`;
    lines.style.transform = shift;
    numbers.style.transform = shift;
    notes.style.transform = shift;
  }

  textarea.addEventListener("input", sync);
  textarea.addEventListener("scroll", follow);
  sync();
  // A new width re-wraps the lines: the window, the panels beside, a scrollbar that appears.
  // In the next frame: a relayout inside the observer's callback would be a loop to it.
  let pending = 0;
  new ResizeObserver(() => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => { if (textarea.isConnected) sync(); });
  }).observe(textarea);

  return {
    root,
    textarea,
    get value() { return textarea.value; },
    set value(text) { textarea.value = text; sync(); },
    /** Read-only, saying `reason` above the text (and to screen readers); "" makes it editable. */
    readOnly(reason) {
      textarea.readOnly = Boolean(reason);
      frame.classList.toggle("readonly", Boolean(reason));
      why.hidden = !reason;
      fill(why, reason ? [h("strong", {}, "Read-only: "), reason] : []);
      textarea.setAttribute("aria-describedby",
                            [reason ? why.id : "", describedBy].filter(Boolean).join(" "));
    },
    /** Mark the lines of template findings (field "template", line > 0). */
    mark(findings) {
      marks = new Map();
      for (const f of findings) {
        if (f.field !== "template" || !f.line) continue;
        const seen = marks.get(f.line);
        if (!seen || (seen.severity !== "error" && f.severity === "error")) marks.set(f.line, f);
      }
      marked = true;
      sync();
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
      const text = textarea.value.split("\n");
      let offset = 0;
      for (let i = 0; i < Math.min(line - 1, text.length); i += 1) offset += text[i].length + 1;
      offset += Math.max(0, column - 1);
      textarea.focus();
      textarea.setSelectionRange(offset, offset);
      const place = places[Math.min(line, places.length) - 1] || { top: 0 };
      textarea.scrollTop = Math.max(0, place.top - textarea.clientHeight / 2);
    },
  };
}

/** A line of the coloured copy: plain text, and a span per tag with spans for its parts. */
function lineOf(segments) {
  return h("div", { class: "code-line" }, segments.map(({ kind, parts }) => kind
    ? h("span", { class: `tok ${kind}` }, parts.map((p) => p.kind
      ? h("span", { class: p.kind }, p.text) : p.text))
    : parts.map((p) => p.text)));
}

/** What a line of the copy shows, as one string: equal strings, equal lines. */
function lineKey(segments) {
  return segments.map(({ kind, parts }) => `${kind}\u0001${parts.map((p) => `${p.kind}\u0002${p.text}`)
    .join("\u0003")}`).join("\u0004");
}
