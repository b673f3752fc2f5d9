// Jinja's three kinds of tag, found for colouring: {{ expression }}, {% statement %} and
// {# comment #}. Not a parser: an unclosed tag runs to the end of the text, as Jinja would
// read it, and the validator's findings say what is wrong with it.

const TAG = /\{\{[\s\S]*?(?:\}\}|$)|\{%[\s\S]*?(?:%\}|$)|\{#[\s\S]*?(?:#\}|$)/g;
const KIND = { "{{": "tok-expr", "{%": "tok-stmt", "{#": "tok-comment" };
const OPEN = /^\{[{%][-+]?/;
const CLOSE = /[-+]?(?:\}\}|%\})$/;
const STRING = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g;

/**
 * The text as lines of segments: [[{kind, text, parts}]], one array per line ("\n" splits),
 * where `kind` is "" for plain text and a tag's `parts` are [{kind, text}] (delimiters,
 * the statement's keyword, strings, the rest). A tag that spans lines is cut at each "\n".
 */
export function highlightLines(text) {
  const lines = [[]];
  const put = (kind, parts) => {
    let current = [];
    for (const part of parts) {
      const pieces = part.text.split("\n");
      pieces.forEach((piece, i) => {
        if (i > 0) {
          if (current.length) lines[lines.length - 1].push({ kind, parts: current });
          current = [];
          lines.push([]);
        }
        if (piece) current.push({ kind: part.kind, text: piece });
      });
    }
    if (current.length) lines[lines.length - 1].push({ kind, parts: current });
  };
  let last = 0;
  for (const found of text.matchAll(TAG)) {
    if (found.index > last) put("", [{ kind: "", text: text.slice(last, found.index) }]);
    put(KIND[found[0].slice(0, 2)], tagParts(found[0]));
    last = found.index + found[0].length;
  }
  if (last < text.length) put("", [{ kind: "", text: text.slice(last) }]);
  return lines;
}

function tagParts(tag) {
  if (tag.startsWith("{#")) return [{ kind: "", text: tag }];
  const open = tag.match(OPEN)[0];
  const close = (tag.length > open.length + 1 && tag.slice(open.length).match(CLOSE)?.[0]) || "";
  const body = tag.slice(open.length, tag.length - close.length);
  const parts = [{ kind: "tok-delim", text: open }];
  let rest = body;
  if (open.startsWith("{%")) {
    const keyword = body.match(/^(\s*)([A-Za-z_]\w*)/);
    if (keyword) {
      if (keyword[1]) parts.push({ kind: "", text: keyword[1] });
      parts.push({ kind: "tok-keyword", text: keyword[2] });
      rest = body.slice(keyword[0].length);
    }
  }
  let at = 0;
  for (const string of rest.matchAll(STRING)) {
    if (string.index > at) parts.push({ kind: "", text: rest.slice(at, string.index) });
    parts.push({ kind: "tok-string", text: string[0] });
    at = string.index + string[0].length;
  }
  if (at < rest.length) parts.push({ kind: "", text: rest.slice(at) });
  if (close) parts.push({ kind: "tok-delim", text: close });
  return parts;
}
