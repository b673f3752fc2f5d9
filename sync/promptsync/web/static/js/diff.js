// A line diff of two texts (longest common subsequence): what a person needs to compare two
// versions of a prompt. Templates are at most 10,000 characters, so the table stays small.
// One way to show it, wherever two texts are compared (two versions in the history, a
// conflict, a translation's base text then and now): removed lines red, added green.

import { h } from "./dom.js";

/** The diff of `a` into `b` as a block: "- " lines in red, "+ " lines in green. */
export function diffView(a, b, attrs = {}) {
  return h("pre", { class: "diff", tabindex: "0", ...attrs },
    lineDiff(a, b).map((d) =>
      h("span", { class: { "+": "ins", "-": "del", " ": "same" }[d.op] }, `${d.op} ${d.text}\n`)));
}

/** [{op: " " | "-" | "+", text}] turning `a` into `b`. */
export function lineDiff(a, b) {
  const x = a.split("\n");
  const y = b.split("\n");
  const n = x.length;
  const m = y.length;
  const width = m + 1;
  const common = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      common[i * width + j] = x[i] === y[j] ? common[(i + 1) * width + j + 1] + 1
        : Math.max(common[(i + 1) * width + j], common[i * width + j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) { out.push({ op: " ", text: x[i] }); i += 1; j += 1; }
    else if (common[(i + 1) * width + j] >= common[i * width + j + 1]) out.push({ op: "-", text: x[i++] });
    else out.push({ op: "+", text: y[j++] });
  }
  while (i < n) out.push({ op: "-", text: x[i++] });
  while (j < m) out.push({ op: "+", text: y[j++] });
  return out;
}
