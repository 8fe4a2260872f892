// Card grids (My generations, Community): video on hover, publish, share, delete, load more.
import { api, toast } from "./core.js";
import { joinSplitGroups, removeCard } from "./groups.js";
import { rememberPage, watchProgress } from "./progress.js";

const container = document.querySelector("[data-cards]");

function wireHover(scope) {
  for (const media of scope.querySelectorAll("[data-hover-video]")) {
    const video = media.querySelector("video");
    if (!video || media.dataset.wired) continue;
    media.dataset.wired = "1";
    const start = () => {
      media.classList.add("playing");
      video.play().catch(() => media.classList.remove("playing"));
    };
    const stop = () => {
      media.classList.remove("playing");
      video.pause();
      video.currentTime = 0;
    };
    media.addEventListener("mouseenter", start);
    media.addEventListener("mouseleave", stop);
    media.addEventListener("focusin", start);
    media.addEventListener("focusout", stop);
  }
}

function publicLink(card) {
  return `${location.origin}/ads/${card.dataset.projectId}`;
}

async function share(card) {
  const url = publicLink(card);
  if (navigator.share && matchMedia("(pointer: coarse)").matches) {
    try {
      await navigator.share({ title: card.dataset.name, url });
      return;
    } catch (error) {
      if (error.name === "AbortError") return;
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    toast("Link copied to the clipboard.");
  } catch {
    toast(`Copy this link: ${url}`, "ok", 10000);
  }
}

async function setPublished(card, input) {
  const wanted = input.checked;
  try {
    const { isPublished } = await api("/api/project/publish", {
      method: "POST",
      json: { projectId: card.dataset.projectId, isPublished: wanted },
    });
    input.checked = isPublished;
    card.querySelector("[data-share]").disabled = !isPublished;
    const badges = card.querySelector(".pcard-badges");
    badges.querySelector("[data-published-badge]")?.remove();
    if (isPublished) {
      badges.insertAdjacentHTML("beforeend", '<span class="badge badge-published" data-published-badge>Published</span>');
    }
    toast(isPublished ? "Published to Community." : "Removed from Community.");
  } catch (error) {
    input.checked = !wanted;
    toast(error.message, "error");
  }
}

const dialog = document.querySelector("[data-delete-dialog]");

function confirmDelete(card) {
  return new Promise((resolve) => {
    if (!dialog?.showModal) return resolve(true);
    dialog.querySelector("#delete-title").textContent = `Delete “${card.dataset.name}”?`;
    dialog.returnValue = "";
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "delete"), { once: true });
    dialog.showModal();
  });
}

async function remove(card, button) {
  if (!(await confirmDelete(card))) return button.focus();
  try {
    await api(`/api/project/${card.dataset.projectId}`, { method: "DELETE" });
    removeCard(card);
    toast("Deleted.");
    if (!container.querySelector("[data-card]")) location.reload();
  } catch (error) {
    toast(error.message, "error");
  }
}

async function loadMore(link) {
  link.setAttribute("aria-busy", "true");
  const url = new URL(link.href);
  url.searchParams.set("partial", "cards");
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const html = await response.text();
    const firstNew = container.children.length - 1;
    link.closest("[data-more-wrap]").remove();
    container.insertAdjacentHTML("beforeend", html);
    const first = container.children[firstNew]?.querySelector("a, button");
    rememberPage(container, link.href);
    joinSplitGroups(container);
    wireHover(container);
    first?.focus({ preventScroll: true });
    watchCards();
  } catch {
    link.removeAttribute("aria-busy");
    toast("Couldn't load more. Try again.", "error");
  }
}

let watchCards = () => {};

if (container) {
  wireHover(container);
  rememberPage(container, location.href);
  watchCards = watchProgress(container, () => wireHover(container));
  container.addEventListener("click", (event) => {
    const more = event.target.closest("[data-more]");
    if (more) {
      event.preventDefault();
      return loadMore(more);
    }
    const card = event.target.closest("[data-card]");
    if (!card) return;
    const shareButton = event.target.closest("[data-share]");
    if (shareButton) return share(card);
    const deleteButton = event.target.closest("[data-delete]");
    if (deleteButton) return remove(card, deleteButton);
  });
  container.addEventListener("change", (event) => {
    const input = event.target.closest("[data-publish]");
    const card = input?.closest("[data-card]");
    if (card) setPublished(card, input);
  });
}
