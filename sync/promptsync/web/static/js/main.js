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
let leaving = null; // the shown view's clean-up (timers, pending requests)

function route() {
  const hash = location.hash || "#/";
  if (!hash.startsWith("#/")) return; // an in-page anchor (the skip link), not a view
  const parts = hash.slice(2).split("/").filter(Boolean).map(decodeURIComponent);
  if (leaving) leaving();
  leaving = null;
  if (parts.length === 0) {
    leaving = showOverview(main);
  } else if (parts[0] === "p" && parts.length === 3) {
    leaving = showPrompt(main, parts[1], ...typeAndLocale(parts[2]));
  } else if (parts[0] === "p" && parts.length === 4 && parts[3] === "history") {
    leaving = showHistory(main, parts[1], ...typeAndLocale(parts[2]));
  } else {
    fill(main, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the overview")));
  }
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
  onSessionChange(route);
  route();
}

start();
