// The page's entry: start the key session, then show the view the address names.
//   #/                         the overview (brands x types)
//   #/p/<brand>/<type>         a prompt: editor, variables, samples, live preview, save
//   #/p/<brand>/<type>/history its audit entries, a diff of two versions, restore
//   <type>.<locale>            the same for a translation (as prompt ids write it: greeting.de)

import { fill, h } from "./dom.js";
import { showHistory } from "./history.js";
import { showOverview } from "./overview.js";
import { showPrompt } from "./prompt.js";
import { onSessionChange, startSession } from "./session.js";

const main = document.getElementById("main");
// The shown view: `leave()` cleans up (timers, pending requests); a view with unsaved work
// has `sessionChanged()`, to show what the new key may do without being drawn afresh.
let view = null;

function route() {
  const hash = location.hash || "#/";
  if (!hash.startsWith("#/")) return; // an in-page anchor (the skip link), not a view
  const parts = hash.slice(2).split("/").filter(Boolean).map(decodeURIComponent);
  if (view) view.leave();
  view = null;
  if (parts.length === 0) {
    view = { leave: showOverview(main) };
  } else if (parts[0] === "p" && parts.length === 3) {
    view = showPrompt(main, parts[1], ...typeAndLocale(parts[2]));
  } else if (parts[0] === "p" && parts.length === 4 && parts[3] === "history") {
    view = { leave: showHistory(main, parts[1], ...typeAndLocale(parts[2])) };
  } else {
    fill(main, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the overview")));
  }
}

function sessionChanged() {
  if (view && view.sessionChanged) view.sessionChanged();
  else route();
}

function typeAndLocale(segment) {
  const [type, locale = ""] = segment.split(".", 2);
  return [type, locale];
}

async function start() {
  try {
    await startSession();
  } catch (err) {
    fill(main, h("p", { class: "message error", role: "alert" }, `The server did not answer: ${err.message}`));
    return;
  }
  window.addEventListener("hashchange", route);
  onSessionChange(sessionChanged);
  route();
}

start();
