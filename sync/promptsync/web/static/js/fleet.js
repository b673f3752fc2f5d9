// The fleet badge on the overview: whether every chat process serves the published commit,
// from GET /v1/fleet, looked at again every few seconds while the overview is open.

import { api, problemText } from "./api.js";
import { h, fill } from "./dom.js";

const EVERY_MS = 5000;

/** The badge; it stops looking when `signal` aborts (the overview was left). */
export function fleetBadge(signal) {
  const badge = h("p", { class: "fleet unknown", id: "fleet", role: "status" }, "Fleet: …");
  const look = async () => {
    let answer;
    try {
      answer = await api("GET", "/v1/fleet", undefined, { signal });
    } catch {
      return; // left the view
    }
    show(badge, answer);
    if (!signal.aborted) setTimeout(look, EVERY_MS);
  };
  look();
  return badge;
}

function show(badge, answer) {
  const fleet = answer.data || {};
  let state = "unknown";
  let text = `Fleet: ${problemText(answer)}`;
  if (answer.ok && !fleet.available) {
    state = "off";
    text = "Fleet: not reported (this server has no Redis)";
  } else if (answer.ok) {
    const counts = fleet.counts || {};
    state = counts.stale ? "stale" : counts.syncing ? "syncing" : "synced";
    text = `Fleet: ${fleet.summary}`;
  }
  badge.className = `fleet ${state}`;
  badge.title = fleet.reason || "";
  fill(badge, text);
}
