// The one door to the server: every call goes to /v1 with the key of this browser session.

const KEY = "promptsync.key";

export function storedKey() {
  return sessionStorage.getItem(KEY) || "";
}

export function storeKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

/**
 * `api("GET", "/v1/prompts")`: resolves to {ok, status, data, headers}; `data` is the JSON
 * answer (a problem document when !ok). A network failure is status 0 with a problem of ours.
 */
export async function api(method, path, body = undefined, { key = storedKey(), signal } = {}) {
  const headers = { Accept: "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", cache: "no-store",
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    return { ok: false, status: 0, headers: new Headers(),
             data: { title: "Server unreachable", detail: "the server did not answer; is " +
                     "`promptsync serve` still running?" } };
  }
  let data = null;
  try {
    data = await response.json();
  } catch (err) {
    if (err.name === "AbortError") throw err; // cancelled while the body was arriving
    data = { title: response.statusText || "Unexpected answer", detail: "" };
  }
  if (response.status === 401 && key && key === storedKey()) {
    // The key was removed on the server: forget it and let the session ask for another.
    storeKey("");
    window.dispatchEvent(new CustomEvent("promptsync:key-refused"));
  }
  return { ok: response.ok, status: response.status, data, headers: response.headers };
}

/** The sentence a problem document says (title and detail). */
export function problemText(answer) {
  const d = answer.data || {};
  return [d.title, d.detail].filter(Boolean).join(": ") || `HTTP ${answer.status}`;
}

/** A prompt's API path; `locale` ("" for the base text) becomes its ?locale= parameter. */
export function promptPath(brand, type, tail = "", locale = "") {
  const path = `/v1/prompts/${encodeURIComponent(brand)}/${encodeURIComponent(type.toLowerCase())}${tail}`;
  return locale ? `${path}${tail.includes("?") ? "&" : "?"}locale=${encodeURIComponent(locale)}` : path;
}
