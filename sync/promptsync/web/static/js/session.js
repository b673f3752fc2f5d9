// The API key of this browser session: asked for once, kept in sessionStorage (this tab
// only), and what it may do (GET /v1/key), so the page offers only what the key allows.

import { api, problemText, storeKey, storedKey } from "./api.js";
import { fill, h, modal } from "./dom.js";

export const session = { name: "anonymous", anonymous: true, scope: "preview", brands: null };
const listeners = new Set();

export function onSessionChange(listener) {
  listeners.add(listener);
}

function set(info) {
  Object.assign(session, info);
  showBadge();
  for (const listener of listeners) listener();
}

/** Learn what the stored key (or no key) may do; ask for a key when the server needs one. */
export async function startSession() {
  const answer = await api("GET", "/v1/key");
  if (answer.ok) {
    set(answer.data);
    return;
  }
  if (answer.status === 401) {
    const had = storedKey();
    storeKey("");
    await askForKey(had ? "The key this tab held is not known here any more." :
      "This server needs an API key to show its prompts.", { required: true });
    return;
  }
  throw new Error(problemText(answer));
}

/** The key dialog; resolves once a key the server knows is stored (or on cancel). */
export function askForKey(why = "", { required = false } = {}) {
  return modal("Your API key", (done) => {
    const input = h("input", { id: "key-input", type: "password", autocomplete: "off",
                               spellcheck: "false", required: true, "aria-describedby": "key-help" });
    const error = h("p", { class: "message error", role: "alert", hidden: true });
    const form = h("form", { method: "dialog", class: "key-form", onsubmit: async (event) => {
      event.preventDefault();
      const key = input.value.trim();
      const answer = await api("GET", "/v1/key", undefined, { key });
      if (!answer.ok) {
        error.hidden = false;
        fill(error, answer.status === 401 ? "This key is not known here: check it, or ask " +
          "an operator for one (promptsync keys add)." : problemText(answer));
        input.focus();
        return;
      }
      storeKey(key);
      set(answer.data);
      done(true);
    } },
      why ? h("p", {}, why) : null,
      h("label", { for: "key-input" }, "API key"),
      input,
      h("p", { id: "key-help", class: "help" }, "The key you were given (it starts with ps_). " +
        "It is kept in this browser tab only and sent to this server only."),
      error,
      h("div", { class: "buttons" },
        h("button", { type: "submit", class: "primary" }, "Use this key"),
        required ? null : h("button", { type: "button", onclick: () => done(false) }, "Cancel")));
    queueMicrotask(() => input.focus());
    return form;
  }).then((ok) => {
    if (!ok && required) return askForKey(why, { required });
    return ok;
  });
}

let asking = null; // the dialog asking for another key, while it is open

// The server refused the stored key (api.js forgot it): ask for another, once however many
// requests were refused. The view stays as it is until the session changes, so an editor's
// unsaved text is still there under the dialog.
window.addEventListener("promptsync:key-refused", () => { keyRefused(); });

/** The dialog for a key after the server refused this tab's; resolves true once the server
 * knows the new key (the session has changed to it), false when cancelled (no key now). */
export function keyRefused() {
  if (!asking) {
    asking = askForKey("The server no longer accepts the key this tab held (it may have been " +
      "removed); enter another to go on.")
      .then((ok) => {
        if (!ok) set({ name: "anonymous", anonymous: true, scope: "preview", brands: null });
        return ok;
      })
      .finally(() => { asking = null; });
  }
  return asking;
}

export function forgetKey() {
  storeKey("");
  location.reload();
}

export function mayPreview() {
  return session.scope === "preview" || session.scope === "write";
}

/** Why this key may not save `brand`'s prompts, or "" when it may. */
export function whyNoSave(brand) {
  if (session.anonymous) return "Without a key you can read and preview. To save, enter a " +
    "key with scope write (on the server, promptsync keys add NAME --scope write " +
    "--all-brands prints one).";
  if (session.scope === "read") return `This key (${session.name}) may read only: it can ` +
    "neither preview nor save.";
  if (session.scope !== "write") return `This key (${session.name}) may preview but not save.`;
  const brands = session.brands;
  if (brands && !brands.includes(brand)) {
    return `This key may edit ${brands.length === 1 ? "brand" : "brands"} ` +
      `${brands.join(", ")} only.`;
  }
  return "";
}

function showBadge() {
  const box = document.getElementById("session");
  if (!box) return;
  if (session.anonymous) {
    fill(box, h("span", {}, "No key: read and preview only"),
      h("button", { type: "button", onclick: () => askForKey() }, "Enter a key"));
    return;
  }
  const brands = session.brands ? session.brands.join(", ") : "all brands";
  fill(box, h("span", { class: "who" }, `Key ${session.name}: ${session.scope}, ${brands}`),
    h("button", { type: "button", onclick: () => askForKey() }, "Change key"),
    h("button", { type: "button", onclick: forgetKey }, "Forget key"));
}
