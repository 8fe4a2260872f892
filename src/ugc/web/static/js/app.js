// Runs on every page: flash messages, the credits badge, sign-out without a reload.
import { api, flash, initCredits, refreshCredits, showFlash, toast } from "./core.js";

initCredits();
showFlash();

const params = new URLSearchParams(location.search);
if (params.has("account_deleted")) {
  toast("Your account and everything in it were deleted.");
  params.delete("account_deleted");
  history.replaceState(null, "", location.pathname);
}
if (params.has("signed_out")) {
  toast("You are signed out. See you soon!");
  params.delete("signed_out");
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
}

const badge = document.querySelector("[data-credits]");
if (badge && !badge.dataset.value) refreshCredits();

// Balances change in other tabs too: refresh when the page comes back into view.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refreshCredits();
});
window.addEventListener("pageshow", (event) => {
  if (event.persisted) refreshCredits();
});

for (const form of document.querySelectorAll("form[action='/signout']")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("/api/auth/logout", { method: "POST" });
      flash("You are signed out. See you soon!");
      location.assign("/");
    } catch (error) {
      toast(error.message, "error");
    }
  });
}
