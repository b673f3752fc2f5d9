// Building the page's elements. Every text goes in as a text node (never as HTML), so a
// template holding <script> shows as those characters.

/** An element: `attrs` are attributes (on* are listeners), children are nodes or texts. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replace an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function short(sha) {
  return sha ? String(sha).slice(0, 7) : "";
}

/** A hash link of the page: `#/p/acme/greeting`, a translation `#/p/acme/greeting.de`. */
export function promptHref(brand, type, tail = "", locale = "") {
  const id = `${type.toLowerCase()}${locale ? `.${locale}` : ""}`;
  return `#/p/${encodeURIComponent(brand)}/${encodeURIComponent(id)}${tail}`;
}

/** A message area; `say(kind, ...children)` shows one message (kind: info, ok, error). */
export function messageBox(attrs = {}) {
  const box = h("div", { class: "message", role: "status", ...attrs });
  box.hidden = true;
  box.kind = ""; // what it shows now ("" when hidden)
  box.say = (kind, ...children) => {
    box.className = `message ${kind}`;
    box.kind = kind;
    box.hidden = false;
    fill(box, ...children);
  };
  box.clear = () => { box.hidden = true; box.kind = ""; box.replaceChildren(); };
  return box;
}

/** A modal dialog with a title, a body and buttons; resolves with the value `done` got. */
export function modal(title, build) {
  return new Promise((resolve) => {
    const id = `dialog-${Math.random().toString(36).slice(2)}`;
    const dialog = h("dialog", { "aria-labelledby": id, class: "modal" });
    let result = null;
    const done = (value) => { result = value; dialog.close(); };
    append(dialog, [h("h2", { id }, title), build(done)]);
    dialog.addEventListener("close", () => { dialog.remove(); resolve(result); });
    document.body.append(dialog);
    dialog.showModal();
  });
}
