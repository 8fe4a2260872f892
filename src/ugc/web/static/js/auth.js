// Sign up and sign in: post to the JSON API, then continue where the user was going.
import { api, creditsLabel, flash } from "./core.js";

const form = document.querySelector("[data-auth-form]");
const errorBox = document.querySelector("[data-form-error]");

/** `next` when it is a path on this site; "/generate" for anything that would leave it. */
export function sameOriginPath(next) {
  const fallback = "/generate";
  // Backslashes and control characters are how "/\\evil.example" slips past a "/" check.
  if (!next || !next.startsWith("/") || /[\\\u0000-\u001f\u007f]/.test(next)) return fallback;
  let url;
  try {
    url = new URL(next, location.origin);
  } catch {
    return fallback;
  }
  if (url.origin !== location.origin) return fallback;
  return url.pathname + url.search + url.hash;
}

function showError(message, field) {
  errorBox.querySelector("p").textContent = message;
  errorBox.hidden = false;
  for (const input of form.querySelectorAll("input")) input.removeAttribute("aria-invalid");
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const mode = form.dataset.authForm;
  const email = form.elements.email;
  const password = form.elements.password;
  if (!email.value.trim() || !email.checkValidity()) {
    return showError("Enter a valid email address, like name@example.com.", email);
  }
  if (mode === "signup" && password.value.length < 8) {
    return showError("Choose a password of at least 8 characters.", password);
  }
  if (!password.value) return showError("Enter your password.", password);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    const path = mode === "signup" ? "/api/auth/signup" : "/api/auth/login";
    const { user } = await api(path, {
      method: "POST",
      json: { email: email.value.trim(), password: password.value },
    });
    flash(mode === "signup" ? `Welcome! You have ${creditsLabel(user.credits)} to start.` : "Welcome back!");
    location.assign(sameOriginPath(form.dataset.next));
  } catch (error) {
    const field = error.status === 409 ? email : error.status === 401 ? password : null;
    showError(error.message, field);
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
});
