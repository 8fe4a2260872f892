// The result page: live status by server-sent events (polling every 5 s as a fallback),
// the image and video as they arrive, the video request and the publish switch.
// Its words live in the page (templates and data attributes); this only shows and fills them.
import { api, creditsLabel, flash, getCredits, refreshCredits, setCredits, toast } from "./core.js";

const root = document.querySelector("[data-result]");
const $ = (selector) => root.querySelector(selector);
const id = root.dataset.projectId;
const videoCost = Number(root.dataset.videoCost);
const say = root.dataset;
const POLL_MS = 5000;

let project = JSON.parse(document.getElementById("project-data").textContent);
let source = null;
let pollTimer = null;
let sseErrors = 0;

const samePath = (a, b) => a && b && a.split("?")[0] === b.split("?")[0];
const capitalize = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

function showTab(which) {
  const image = $("[data-image]");
  const video = $("[data-video]");
  if (image) image.hidden = which !== "image";
  if (video) video.hidden = which !== "video";
  if (which !== "video") video?.pause();
  for (const tab of root.querySelectorAll("[data-tab]")) {
    tab.setAttribute("aria-pressed", String(tab.dataset.tab === which));
  }
}

// A copy of the page's <template> for the image or the video, put first in the frame.
function addFromTemplate(name) {
  const element = $(`[data-${name}-template]`).content.firstElementChild.cloneNode(true);
  $("[data-frame]").prepend(element);
  return element;
}

function ensureImage(p) {
  const image = $("[data-image]") || addFromTemplate("image");
  if (!samePath(image.getAttribute("src"), p.generatedImage)) image.src = p.generatedImage;
  $(".shimmer")?.remove();
}

function ensureVideo(p) {
  const fresh = !$("[data-video]");
  const video = $("[data-video]") || addFromTemplate("video");
  if (!samePath(video.getAttribute("src"), p.generatedVideo)) {
    video.poster = p.generatedImage || "";
    video.src = p.generatedVideo;
  }
  $("[data-tabs]").hidden = false;
  if (fresh) showTab("video");
}

function render(p, credits) {
  const hasImage = Boolean(p.generatedImage);
  const hasVideo = Boolean(p.generatedVideo);
  const active = p.isGenerating;
  const badge = $("[data-status-badge]");
  badge.className = `badge badge-${p.status}`;
  badge.textContent = badge.getAttribute(`data-label-${p.status}`) || p.status;

  const percent = Math.round((p.progress || 0) * 100);
  $("[data-progress-block]").hidden = !active;
  const bar = $("[data-progress]");
  bar.setAttribute("aria-valuenow", String(percent));
  bar.firstElementChild.style.width = `${percent}%`;
  $("[data-stage]").textContent = `${capitalize(p.step || p.stage || "queued")} · ${percent}%`;

  $("[data-wait]").hidden = !active;
  const waitTitle = $("[data-wait-title]");
  waitTitle.textContent = hasImage ? waitTitle.dataset.forVideo : waitTitle.dataset.forImage;
  const error = $("[data-error]");
  error.hidden = active || !p.error;
  $("[data-error-text]").textContent = p.error || "";

  const failed = p.status === "failed" && !hasImage;
  $("[data-frame]").classList.toggle("is-failed", failed);
  $("[data-failed-frame]").hidden = !failed;
  if (hasImage) ensureImage(p);
  if (hasVideo) ensureVideo(p);
  $("[data-download-image]").hidden = !hasImage;
  $("[data-download-video]").hidden = !hasVideo;

  $("[data-video-block]").hidden = !hasImage || hasVideo;
  const short = credits < videoCost;
  $("[data-video-button]").disabled = active || short;
  $("[data-video-note] [data-balance]").textContent = creditsLabel(credits);
  $("[data-short-note]").hidden = !short;

  const publish = $("[data-publish]");
  publish.disabled = !hasImage;
  if (!publish.dataset.busy) publish.checked = p.isPublished;
  $("[data-public-link]").hidden = !p.isPublished;
}

function announce(before, after) {
  if (!before.generatedImage && after.generatedImage) toast(say.sayImageReady);
  else if (!before.generatedVideo && after.generatedVideo) toast(say.sayVideoReady);
  else if (before.isGenerating && !after.isGenerating && after.error) toast(after.error, "error", 8000);
}

// The product check, in words: shown once the image is checked, with the free retry if owed.
function renderFidelity(p) {
  const box = $("[data-fidelity]");
  const f = p.productFidelity;
  box.hidden = !f || p.isGenerating;
  if (!f) return;
  box.dataset.verdict = f.verdict;
  $("[data-fidelity-text]").textContent = f.summary;
  const video = $("[data-fidelity-video]");
  video.hidden = !f.video;
  video.textContent = f.video ? f.video.summary : "";
  $("[data-free-retry]").hidden = !f.freeRetry;
}

function update(next, credits) {
  if (typeof credits === "number") setCredits(credits);
  const before = project;
  project = next;
  render(next, getCredits() ?? credits ?? 0);
  renderFidelity(next);
  announce(before, next);
  if (!next.isGenerating) stopLive();
}

function stopLive() {
  source?.close();
  source = null;
  clearTimeout(pollTimer);
  pollTimer = null;
}

async function poll() {
  try {
    const [{ project: next }, { credits }] = await Promise.all([
      api(`/api/user/projects/${id}`),
      api("/api/user/credits"),
    ]);
    update(next, credits);
  } catch (error) {
    if (error.status === 404) return gone();
  }
  if (project.isGenerating) pollTimer = setTimeout(poll, POLL_MS);
}

function startPolling() {
  stopLive();
  pollTimer = setTimeout(poll, 0);
}

function gone() {
  stopLive();
  flash(say.sayDeleted);
  location.assign("/my-generations");
}

function startLive() {
  stopLive();
  if (!("EventSource" in window)) return startPolling();
  sseErrors = 0;
  source = new EventSource(`/api/user/projects/${id}/events`);
  source.addEventListener("project", (event) => {
    sseErrors = 0;
    const data = JSON.parse(event.data);
    update(data.project, data.credits);
  });
  source.addEventListener("gone", gone);
  source.addEventListener("error", () => {
    sseErrors += 1;
    if (!source || source.readyState === EventSource.CLOSED || sseErrors > 2) startPolling();
  });
}

$("[data-video-button]").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    await api("/api/project/video", { method: "POST", json: { projectId: id } });
    update({ ...project, isGenerating: true, status: "queued", stage: "queued", progress: 0, error: null });
    refreshCredits();
    startLive();
  } catch (error) {
    toast(error.message, "error");
    button.disabled = false;
  } finally {
    button.removeAttribute("aria-busy");
  }
});

$("[data-free-retry]").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    await api("/api/project/retry", { method: "POST", json: { projectId: id } });
    update({ ...project, isGenerating: true, status: "queued", stage: "queued", progress: 0, error: null });
    startLive();
  } catch (error) {
    toast(error.message, "error");
  } finally {
    button.disabled = false;
  }
});

$("[data-publish]").addEventListener("change", async (event) => {
  const input = event.currentTarget;
  const wanted = input.checked;
  input.dataset.busy = "1";
  try {
    const { isPublished } = await api("/api/project/publish", {
      method: "POST",
      json: { projectId: id, isPublished: wanted },
    });
    project = { ...project, isPublished };
    input.checked = isPublished;
    $("[data-public-link]").hidden = !isPublished;
    toast(isPublished ? say.sayPublished : say.sayUnpublished);
  } catch (error) {
    input.checked = !wanted;
    toast(error.message, "error");
  } finally {
    delete input.dataset.busy;
  }
});

for (const tab of root.querySelectorAll("[data-tab]")) {
  tab.addEventListener("click", () => showTab(tab.dataset.tab));
}

if (project.isGenerating) startLive();
