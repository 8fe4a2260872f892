// API tokens: create (the secret is shown once), copy, revoke with a second click.
import { api, flash, toast } from "./core.js";

const form = document.querySelector("[data-token-form]");
const list = document.querySelector("[data-tokens]");
const empty = document.querySelector("[data-no-tokens]");
const reveal = document.querySelector("[data-new-token]");

function tokenItem(token) {
  const item = document.createElement("li");
  item.className = "token-row";
  item.dataset.token = token.id;
  const text = document.createElement("span");
  text.className = "grow";
  const name = document.createElement("strong");
  name.textContent = token.name;
  const meta = document.createElement("span");
  meta.className = "small muted";
  meta.textContent = "Created just now · never used";
  text.append(name, document.createElement("br"), meta);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-danger-ghost btn-sm";
  button.dataset.revoke = "";
  button.textContent = "Revoke";
  button.setAttribute("aria-label", `Revoke ${token.name}`);
  item.append(text, button);
  return item;
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.elements.name.value.trim() || "API token";
  try {
    const { token, secret } = await api("/api/auth/tokens", { method: "POST", json: { name } });
    reveal.querySelector("[data-secret]").textContent = secret;
    reveal.hidden = false;
    list.prepend(tokenItem(token));
    empty.hidden = true;
    form.reset();
    toast("Token created. Copy it now; it is shown only once.");
  } catch (error) {
    toast(error.message, "error");
  }
});

document.querySelector("[data-copy-secret]")?.addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(reveal.querySelector("[data-secret]").textContent);
    toast("Token copied.");
  } catch {
    toast("Select the token and copy it by hand.", "error");
  }
});

list?.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-revoke]");
  if (!button) return;
  if (!button.dataset.armed) {
    button.dataset.armed = "1";
    button.textContent = "Confirm revoke";
    setTimeout(() => {
      delete button.dataset.armed;
      button.textContent = "Revoke";
    }, 4000);
    return;
  }
  const item = button.closest("[data-token]");
  try {
    await api(`/api/auth/tokens/${item.dataset.token}`, { method: "DELETE" });
    item.remove();
    empty.hidden = list.children.length > 0;
    toast("Token revoked.");
  } catch (error) {
    toast(error.message, "error");
  }
});

// Security: change the password (other browsers are signed out), sign out everywhere,
// and send the email verification link again.
const passwordForm = document.querySelector("[data-password-form]");

passwordForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const current = passwordForm.elements.currentPassword;
  const next = passwordForm.elements.newPassword;
  for (const input of [current, next]) input.removeAttribute("aria-invalid");
  if (!current.value) {
    current.setAttribute("aria-invalid", "true");
    current.focus();
    return toast("Enter your current password.", "error");
  }
  if (!next.value.trim() || next.value.length < 8) {
    next.setAttribute("aria-invalid", "true");
    next.focus();
    return toast("Choose a new password of at least 8 characters, not only spaces.", "error");
  }
  const button = passwordForm.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api("/api/auth/password", {
      method: "POST",
      json: { currentPassword: current.value, newPassword: next.value },
    });
    passwordForm.reset();
    toast("Password changed. Other browsers have been signed out.");
  } catch (error) {
    const field = /current password/i.test(error.message) ? current : next;
    field.setAttribute("aria-invalid", "true");
    field.focus();
    toast(error.message, "error");
  } finally {
    button.disabled = false;
  }
});

document.querySelector("[data-sign-out-everywhere]")?.addEventListener("click", async (event) => {
  const button = event.currentTarget;
  if (!button.dataset.armed) {
    button.dataset.armed = "1";
    button.textContent = "Confirm: sign out everywhere";
    setTimeout(() => {
      delete button.dataset.armed;
      button.textContent = "Sign out everywhere";
    }, 4000);
    return;
  }
  try {
    await api("/api/auth/sessions", { method: "DELETE" });
    location.assign("/signin?next=/account");
  } catch (error) {
    toast(error.message, "error");
  }
});

document.querySelector("[data-resend-verification]")?.addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    await api("/api/auth/verify-email/resend", { method: "POST" });
    toast("Check your inbox: we sent a new confirmation link.");
  } catch (error) {
    button.disabled = false;
    toast(error.message, "error");
  }
});

// Deleting the account: the form's own checks (typed phrase, password), then the API.
const deleteForm = document.querySelector("[data-delete-account]");
deleteForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = deleteForm.querySelector("button[type=submit]");
  button.disabled = true;
  const json = { confirm: deleteForm.elements.confirm.value };
  if (deleteForm.elements.password) json.password = deleteForm.elements.password.value;
  try {
    await api("/api/user/me", { method: "DELETE", json });
    flash("Your account and everything in it were deleted.");
    location.assign("/");
  } catch (error) {
    button.disabled = false;
    toast(error.message, "error");
  }
});
