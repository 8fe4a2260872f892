// Cards still being made (queued or generating) refresh themselves until they are done:
// every few seconds the page they came from is fetched again and the changed cards swapped.
import { refreshCredits } from "./core.js";

const EVERY_MS = 2 * 1000; // how often cards still being made look again
const ACTIVE = ".pcard-badges .badge-queued, .pcard-badges .badge-generating";

const isActive = (card) => card.querySelector(ACTIVE) !== null;
const statusOf = (card) => card.querySelector(".pcard-badges .badge")?.className;

async function cardsOf(page) {
  const url = new URL(page);
  url.searchParams.set("partial", "cards");
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) throw new Error(`status ${response.status}`);
  const template = document.createElement("template");
  template.innerHTML = await response.text();
  return template.content;
}

/** Remember which page (cursor) each new card came from, to fetch it again later. */
export function rememberPage(container, page) {
  for (const card of container.querySelectorAll("[data-card]:not([data-page])")) card.dataset.page = page;
}

async function refresh(active, onSwap) {
  const byPage = new Map();
  for (const card of active) {
    const page = card.dataset.page || location.href;
    byPage.set(page, [...(byPage.get(page) || []), card]);
  }
  let finished = false;
  for (const [page, cards] of byPage) {
    let fresh;
    try {
      fresh = await cardsOf(page);
    } catch {
      continue; // the next round tries again
    }
    for (const card of cards) {
      if (!card.isConnected) continue;
      const next = fresh.querySelector(`[data-card][data-project-id="${card.dataset.projectId}"]`);
      if (!next) {
        card.dataset.lost = ""; // gone from its page (deleted elsewhere): stop asking
        continue;
      }
      if (statusOf(next) === statusOf(card)) continue;
      next.dataset.page = page;
      card.replaceWith(next);
      finished ||= !isActive(next);
    }
  }
  onSwap();
  if (finished) refreshCredits(); // a failure refunds: the badge shows it
}

const watched = (container) =>
  [...container.querySelectorAll("[data-card]:not([data-lost])")].filter(isActive);

/** Start watching; call the returned function again when new cards arrive. */
export function watchProgress(container, onSwap) {
  let timer = null; // set from scheduling until the round is over: one round at a time
  const round = async () => {
    if (!document.hidden) await refresh(watched(container), onSwap);
    timer = null;
    schedule();
  };
  const schedule = () => {
    if (timer === null && watched(container).length) timer = setTimeout(round, EVERY_MS);
  };
  schedule();
  return schedule;
}
