// Webhook endpoints on the Account page: add (secret shown once), test, enable/disable,
// delivery log, delete with a second click.
import { api, toast } from "./core.js";

const section = document.querySelector("[data-webhooks]");
const form = section?.querySelector("[data-webhook-form]");
const list = section?.querySelector("[data-webhook-list]");
const empty = section?.querySelector("[data-no-webhooks]");
const reveal = section?.querySelector("[data-new-webhook]");
const labels = {
  "project.image.succeeded": "Image ready",
  "project.video.succeeded": "Video ready",
  "project.failed": "Generation failed",
  "webhook.test": "Test event",
};

function button(text, data, kind = "btn-secondary") {
  const element = document.createElement("button");
  element.type = "button";
  element.className = `btn ${kind} btn-sm`;
  element.dataset[data] = "";
  element.textContent = text;
  return element;
}

function endpointItem(endpoint) {
  const item = document.createElement("li");
  item.className = "webhook";
  item.dataset.endpoint = endpoint.id;
  const head = document.createElement("div");
  head.className = "webhook-head";
  const url = document.createElement("code");
  url.className = "webhook-url";
  url.textContent = endpoint.url;
  const state = document.createElement("span");
  state.className = "small muted";
  state.dataset.endpointState = "";
  state.textContent = "Enabled";
  head.append(url, state);
  const events = document.createElement("p");
  events.className = "small muted flush";
  events.textContent = endpoint.events.map((e) => labels[e] || e).join(" · ");
  const actions = document.createElement("div");
  actions.className = "webhook-actions";
  const toggle = button("Disable", "webhookToggle");
  toggle.dataset.enabled = "true";
  const log = button("Deliveries", "webhookLog");
  log.setAttribute("aria-expanded", "false");
  actions.append(
    button("Send test event", "webhookTest"),
    toggle,
    log,
    button("Delete", "webhookDelete", "btn-danger-ghost"),
  );
  const attempts = document.createElement("ol");
  attempts.className = "webhook-attempts small";
  attempts.dataset.attempts = "";
  attempts.hidden = true;
  item.append(head, events, actions, attempts);
  return item;
}

function attemptLine(attempt) {
  const line = document.createElement("li");
  const when = new Date(attempt.attemptedAt).toLocaleString();
  const outcome = attempt.statusCode ? `HTTP ${attempt.statusCode}` : attempt.error || "No answer";
  line.textContent = `${when} · ${labels[attempt.eventType] || attempt.eventType} · ${outcome} · ${attempt.responseMs} ms`;
  if (attempt.error) line.classList.add("bad");
  return line;
}

async function showLog(item, toggle) {
  const target = item.querySelector("[data-attempts]");
  if (!target.hidden) {
    target.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    return;
  }
  const { attempts } = await api(`/api/webhooks/endpoints/${item.dataset.endpoint}/attempts`);
  target.replaceChildren(...attempts.slice(0, 10).map(attemptLine));
  if (!attempts.length) target.textContent = "No deliveries yet.";
  target.hidden = false;
  toggle.setAttribute("aria-expanded", "true");
}

async function toggleEnabled(item, toggle) {
  const enabled = toggle.dataset.enabled !== "true";
  const path = `/api/webhooks/endpoints/${item.dataset.endpoint}`;
  await api(path, { method: "PATCH", json: { enabled } });
  toggle.dataset.enabled = String(enabled);
  toggle.textContent = enabled ? "Disable" : "Enable";
  item.querySelector("[data-endpoint-state]").textContent = enabled ? "Enabled" : "Disabled";
  toast(enabled ? "Endpoint enabled." : "Endpoint disabled.");
}

async function remove(item, control) {
  if (!control.dataset.armed) {
    control.dataset.armed = "1";
    control.textContent = "Confirm delete";
    setTimeout(() => {
      delete control.dataset.armed;
      control.textContent = "Delete";
    }, 4000);
    return;
  }
  await api(`/api/webhooks/endpoints/${item.dataset.endpoint}`, { method: "DELETE" });
  item.remove();
  empty.hidden = list.children.length > 0;
  toast("Endpoint deleted.");
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const events = [...form.querySelectorAll("input[name=events]:checked")].map((i) => i.value);
  try {
    const body = { url: form.elements.url.value.trim(), events };
    const { endpoint, secret } = await api("/api/webhooks/endpoints", { method: "POST", json: body });
    reveal.querySelector("[data-webhook-secret]").textContent = secret;
    reveal.hidden = false;
    list.append(endpointItem(endpoint));
    empty.hidden = true;
    form.elements.url.value = "";
    toast("Endpoint added. Copy its signing secret now.");
  } catch (error) {
    toast(error.message, "error");
  }
});

section?.querySelector("[data-copy-webhook-secret]")?.addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(reveal.querySelector("[data-webhook-secret]").textContent);
    toast("Secret copied.");
  } catch {
    toast("Select the secret and copy it by hand.", "error");
  }
});

list?.addEventListener("click", async (event) => {
  const control = event.target.closest("button");
  const item = control?.closest("[data-endpoint]");
  if (!item) return;
  try {
    if ("webhookTest" in control.dataset) {
      await api(`/api/webhooks/endpoints/${item.dataset.endpoint}/test`, { method: "POST" });
      toast("Test event sent. Open Deliveries to see how it went.");
    } else if ("webhookToggle" in control.dataset) {
      await toggleEnabled(item, control);
    } else if ("webhookLog" in control.dataset) {
      await showLog(item, control);
    } else if ("webhookDelete" in control.dataset) {
      await remove(item, control);
    }
  } catch (error) {
    toast(error.message, "error");
  }
});
