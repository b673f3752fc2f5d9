// A prompt's history: the audit entries (who, when, action, version, when live), a diff of
// any two versions, and "restore this version" through the rollback endpoint.

import { api, problemText, promptPath } from "./api.js";
import { diffView } from "./diff.js";
import { fill, h, messageBox, short, when } from "./dom.js";
import { heading } from "./prompt.js";
import { askMessage } from "./save.js";
import { whyNoSave } from "./session.js";

export function showHistory(main, brand, type, locale = "") {
  const controller = new AbortController();
  fill(main, heading(brand, type, "history", locale), h("p", {}, "Loading the history…"));
  load(main, { brand, type, locale }, controller.signal);
  return () => controller.abort();
}

async function load(main, prompt, signal) {
  const { brand, type, locale } = prompt;
  let audit;
  let source;
  try {
    [audit, source] = await Promise.all([
      api("GET", `/v1/audit?brand=${encodeURIComponent(brand)}&type=${encodeURIComponent(type)}` +
          `&locale=${encodeURIComponent(locale || "base")}&limit=200`, undefined, { signal }),
      api("GET", promptPath(brand, type, "/source", locale), undefined, { signal }),
    ]);
  } catch {
    return;
  }
  if (!audit.ok) {
    fill(main, heading(brand, type, "history", locale),
      h("p", { class: "message error", role: "alert" }, problemText(audit)));
    return;
  }
  const entries = audit.data.entries.filter((e) => (e.locale || "") === locale);
  const current = source.ok && source.data.own ? source.data.version : null;
  const result = messageBox({ id: "restore-result", tabindex: "-1" });
  const diffBox = h("div", { id: "diff" });
  const reload = () => load(main, prompt, signal);
  const blocked = whyNoSave(brand);
  fill(main, heading(brand, type, "history", locale),
    blocked ? h("p", { class: "message info" }, blocked) : null,
    result,
    entries.length === 0 ? h("p", {}, `${brand} has no ${type} file of its own yet: nothing ` +
      "to show.") : table(entries, current, blocked ? null : (entry) =>
        restore(prompt, entry, current, result, reload)),
    entries.length > 1 ? compare(prompt, entries, diffBox) : null,
    diffBox);
}

function table(entries, current, onRestore) {
  return h("table", { class: "history", id: "history" },
    h("caption", { class: "visually-hidden" }, "Changes, newest first"),
    h("thead", {}, h("tr", {}, ["When", "Who", "Action", "Version", "Live since", "Message",
      "Commit", ""].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, entries.map((e) => h("tr", { "data-version": e.version_after ?? "" },
      h("td", { "data-label": "When" }, when(e.date)),
      h("td", { "data-label": "Who" }, e.author.name),
      h("td", { "data-label": "Action" }, e.action),
      h("td", { "data-label": "Version" }, versions(e)),
      h("td", { "data-label": "Live since" }, e.live_at ? when(e.live_at) : "–"),
      h("td", { class: "subject", "data-label": "Message" }, e.subject),
      h("td", { "data-label": "Commit" }, h("code", {}, short(e.commit))),
      h("td", {}, onRestore && e.version_after != null && e.version_after !== current
        ? h("button", { type: "button", class: "restore", onclick: () => onRestore(e) },
          `Restore version ${e.version_after}`) : null)))));
}

function versions(e) {
  if (e.version_before == null) return `v${e.version_after}`;
  if (e.version_after == null) return `v${e.version_before} (deleted)`;
  return `v${e.version_before} → v${e.version_after}`;
}

function compare({ brand, type, locale }, entries, diffBox) {
  const withText = entries.filter((e) => e.version_after != null);
  const choose = (id, picked) => {
    const select = h("select", { id }, withText.map((e) =>
      h("option", { value: e.commit }, `version ${e.version_after} (${when(e.date)})`)));
    select.selectedIndex = Math.min(picked, withText.length - 1);
    return select;
  };
  const older = choose("diff-from", 1);
  const newer = choose("diff-to", 0);
  const show = async () => {
    const at = (commit) => api("GET", promptPath(brand, type,
      `/source?at=${encodeURIComponent(commit)}`, locale));
    const [a, b] = await Promise.all([at(older.value), at(newer.value)]);
    if (!a.ok || !b.ok) {
      fill(diffBox, h("p", { class: "message error", role: "alert" }, problemText(a.ok ? b : a)));
      return;
    }
    fill(diffBox, h("h3", {}, `From version ${a.data.version} to version ${b.data.version}`),
      diffView(a.data.template, b.data.template, { "aria-label": "Differences" }));
  };
  return h("section", { class: "compare", "aria-labelledby": "compare-title" },
    h("h2", { id: "compare-title" }, "Compare two versions"),
    h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "diff-from" }, "From"), older),
      h("div", { class: "field" }, h("label", { for: "diff-to" }, "To"), newer),
      h("button", { type: "button", id: "show-diff", onclick: show }, "Show the differences")));
}

async function restore({ brand, type, locale }, entry, current, result, reload) {
  const message = await askMessage(`Restore version ${entry.version_after} of ` +
    `${brand}/${type.toLowerCase()}`, { title: `Restore version ${entry.version_after}`,
                                        action: "Restore" });
  if (message === null) return;
  const answer = await api("POST", promptPath(brand, type, "/rollback", locale),
                           { to: entry.commit, version: current, message });
  if (!answer.ok) {
    result.say("error", h("strong", {}, "Not restored. "), problemText(answer));
    result.focus();
    return;
  }
  const d = answer.data;
  await reload();
  const box = document.getElementById("restore-result");
  box.say("ok", h("strong", {}, `Restored version ${entry.version_after} as version ${d.version}`),
    `: commit ${short(d.commit)} on ${d.branch}` +
    (d.published ? (d.live ? ", live now." : ", not live yet.") : " (a review branch)."));
  box.focus();
}
