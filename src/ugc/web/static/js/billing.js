// Buying credits: the Plans page's Buy buttons start a Stripe Checkout; the page Stripe
// returns to watches for the credits and shows the new balance the moment they land.
import { api, creditsLabel, setCredits, toast } from "./core.js";

const POLL_MS = 1000;
const SLOW_AFTER_MS = 30000;
const GIVE_UP_AFTER_MS = 10 * 60 * 1000;

for (const form of document.querySelectorAll("[data-checkout-form]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const { url } = await api("/api/billing/checkout", {
        method: "POST",
        json: { pack: form.elements.pack.value },
      });
      location.assign(url);
    } catch (error) {
      button.disabled = false;
      toast(error.message, "error");
    }
  });
}

const progress = document.querySelector("[data-checkout-progress]");

function showArrived(body) {
  progress.querySelector("[data-waiting]").hidden = true;
  progress.querySelector("[data-slow]").hidden = true;
  progress.querySelector("[data-added]").textContent = creditsLabel(body.purchase.credits);
  progress.querySelector("[data-arrived]").hidden = false;
  progress.dataset.granted = "true";
  setCredits(body.credits);
}

async function watch() {
  const started = Date.now();
  const id = encodeURIComponent(progress.dataset.sessionId);
  while (Date.now() - started < GIVE_UP_AFTER_MS) {
    try {
      const body = await api(`/api/billing/checkout/${id}`);
      if (body.granted) return showArrived(body);
    } catch {
      /* a network blip: keep waiting */
    }
    if (Date.now() - started > SLOW_AFTER_MS) progress.querySelector("[data-slow]").hidden = false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

if (progress && progress.dataset.granted !== "true") watch();
