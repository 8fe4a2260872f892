// Shared helpers: JSON API calls, toasts, the live credits badge, one-shot flash messages.

export class ApiError extends Error {
  constructor(status, detail, code) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

const signedIn = () => document.body.dataset.signedIn === "true";

export function sessionExpired() {
  const next = location.pathname + location.search;
  location.assign(`/signin?expired=1&next=${encodeURIComponent(next)}`);
}

/** Call the JSON API; resolves to the parsed body, rejects with ApiError(detail). */
export async function api(path, { method = "GET", json, form, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "We couldn't reach the server. Check your connection and try again.");
  }
  if (response.status === 204) return null;
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    if (response.status === 401 && signedIn() && !path.startsWith("/api/auth/")) sessionExpired();
    const fallback = response.status === 413 ? "That file is too large." : `Something went wrong (${response.status}). Try again.`;
    throw new ApiError(response.status, body?.detail || fallback, body?.error);
  }
  return body;
}

/** Show a short message in the toast area; kind is "ok" or "error". */
export function toast(message, kind = "ok", timeout = 5000) {
  const area = document.getElementById("toasts");
  if (!area) return;
  const item = document.createElement("div");
  item.className = `toast toast-${kind}`;
  const text = document.createElement("p");
  text.textContent = message;
  item.append(text);
  area.append(item);
  setTimeout(() => item.remove(), timeout);
}

/** Keep a message for the next page (shown once, after a navigation). */
export function flash(message, kind = "ok") {
  try {
    sessionStorage.setItem("ugc:flash", JSON.stringify({ message, kind }));
  } catch {
    /* storage disabled: the message is simply skipped */
  }
}

export function showFlash() {
  try {
    const raw = sessionStorage.getItem("ugc:flash");
    if (!raw) return;
    sessionStorage.removeItem("ugc:flash");
    const { message, kind } = JSON.parse(raw);
    toast(message, kind);
  } catch {
    /* ignore unreadable flash */
  }
}

export const creditsLabel = (n) => `${n} ${n === 1 ? "credit" : "credits"}`;

let currentCredits = null;

/** Update every balance on the page (badge, forms) and tell listeners. */
export function setCredits(n) {
  if (typeof n !== "number" || Number.isNaN(n)) return;
  const changed = currentCredits !== null && currentCredits !== n;
  currentCredits = n;
  for (const el of document.querySelectorAll("[data-credits-text], [data-balance], [data-balance-big]")) {
    el.textContent = creditsLabel(n);
  }
  const badge = document.querySelector("[data-credits]");
  if (badge) {
    badge.dataset.value = String(n);
    if (changed) {
      badge.classList.remove("bump");
      void badge.offsetWidth;
      badge.classList.add("bump");
    }
  }
  document.dispatchEvent(new CustomEvent("ugc:credits", { detail: n }));
}

export const getCredits = () => currentCredits;

export async function refreshCredits() {
  if (!signedIn()) return;
  try {
    const { credits } = await api("/api/user/credits");
    setCredits(credits);
  } catch {
    /* the badge keeps its last value */
  }
}

export function initCredits() {
  const badge = document.querySelector("[data-credits]");
  if (badge?.dataset.value) currentCredits = Number(badge.dataset.value);
}
