// The create form: drop zones with previews and the server's checks, one ad or variants,
// the cost against the balance, then create and go.
import { api, creditsLabel, flash, toast } from "./core.js";
import { wireVariants } from "./variants.js";

const form = document.querySelector("[data-create-form]");
const TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);
// The server's limits, stated once in the page (data attributes), checked here before upload.
const MIN_SIDE = Number(form?.dataset.minSide);
const MAX_MEGAPIXELS = Number(form?.dataset.maxMegapixels);
const MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000;
const maxMb = Number(form?.dataset.maxMb);
const cost = Number(form?.dataset.cost || 0);

async function problemWith(file, label) {
  if (!TYPES.has(file.type)) {
    const kind = file.type ? file.type.split("/").pop().toUpperCase() : "this kind of";
    return `The ${label} is a ${kind} file. Use a JPEG, PNG or WEBP photo.`;
  }
  if (file.size > maxMb * 1024 * 1024) {
    return `The ${label} is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${maxMb} MB per photo.`;
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return `The ${label} is not an image we can read. Use a JPEG, PNG or WEBP photo.`;
  }
  const { width, height } = bitmap;
  bitmap.close();
  if (Math.min(width, height) < MIN_SIDE) {
    return `The ${label} is ${width}×${height} pixels; it needs at least ${MIN_SIDE} pixels on its short side.`;
  }
  if (width * height > MAX_PIXELS) {
    return `The ${label} is ${width}×${height} pixels; the limit is ${MAX_MEGAPIXELS} megapixels.`;
  }
  return null;
}

function wireDrop(drop) {
  const input = drop.querySelector("input[type=file]");
  const preview = drop.querySelector(".drop-preview");
  const clear = drop.querySelector(".drop-clear");
  const error = drop.querySelector(".drop-error");
  const label = drop.querySelector("label").textContent.trim().toLowerCase();
  let url = null;

  const reset = () => {
    if (url) URL.revokeObjectURL(url);
    url = null;
    input.value = "";
    preview.hidden = true;
    preview.removeAttribute("src");
    clear.hidden = true;
    drop.classList.remove("has-file");
  };

  input.addEventListener("change", async () => {
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    const file = input.files?.[0];
    if (!file) return reset();
    const problem = await problemWith(file, label);
    if (problem) {
      reset();
      error.textContent = problem;
      input.setAttribute("aria-invalid", "true");
      return;
    }
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(file);
    preview.src = url;
    preview.alt = `Preview of the ${label}`;
    preview.hidden = false;
    clear.hidden = false;
    drop.classList.add("has-file");
  });
  clear.addEventListener("click", () => {
    reset();
    error.textContent = "";
    input.focus();
  });
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, () => drop.classList.add("dragging"));
  }
  for (const type of ["dragleave", "drop"]) {
    drop.addEventListener(type, () => drop.classList.remove("dragging"));
  }
}

function showError(message) {
  const box = form.querySelector("[data-form-error]");
  box.querySelector("p").textContent = message;
  box.hidden = false;
  box.scrollIntoView({ block: "center", behavior: "smooth" });
}

/** A fresh Idempotency-Key (crypto.randomUUID needs a secure context; plain HTTP has none). */
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function variantsBody(plan) {
  const data = new FormData();
  for (const field of ["userImage", "productImage"]) data.append(field, form.elements[field].files[0]);
  for (const field of ["productName", "name", "productDescription", "userPrompt"]) {
    data.append(field, form.elements[field].value);
  }
  data.append("variants", JSON.stringify(plan));
  return data;
}

function moreCreditsLink(text) {
  const link = document.createElement("a");
  link.href = "/plans";
  link.textContent = text;
  return link;
}

if (form) {
  for (const drop of form.querySelectorAll("[data-drop]")) wireDrop(drop);
  const submit = form.querySelector("[data-submit]");
  const reason = form.querySelector("[data-submit-reason]");
  let balance = Number(form.dataset.startCredits);
  // Kept only after a network error, while the form is unchanged: pressing again then
  // replays the first request if it did arrive, instead of paying twice.
  let retryKey = null;

  const summarize = () => {
    const many = variants.active();
    const count = many ? variants.count() : 1;
    const total = count * cost;
    form.querySelector("[data-cost-label]").textContent = many ? `${count} images × ${creditsLabel(cost)}` : "Image";
    form.querySelector("[data-cost-total]").textContent = creditsLabel(total);
    form.querySelector("[data-submit-label]").textContent = many ? `Generate ${count} ads` : "Generate image";
    let problem = null;
    if (many && !variants.hasRatio()) {
      problem = ["Choose at least one aspect ratio."];
    } else if (balance < total) {
      const have = creditsLabel(balance);
      problem = many
        ? [`${count} ads cost ${creditsLabel(total)} and you have ${have}. Choose fewer ads or `, moreCreditsLink("get more credits"), "."]
        : [`You need ${creditsLabel(total)} and have ${have}. `, moreCreditsLink("Get more credits")];
    }
    reason.hidden = !problem;
    if (problem) reason.replaceChildren(...problem);
    form.querySelector("[data-refund-hint]").hidden = Boolean(problem);
    submit.disabled = Boolean(problem) || submit.hasAttribute("aria-busy");
    if (problem) submit.setAttribute("aria-describedby", "submit-reason");
    else submit.removeAttribute("aria-describedby");
  };
  const variants = wireVariants(form, summarize);
  summarize();

  document.addEventListener("ugc:credits", (event) => {
    balance = event.detail;
    summarize();
  });
  for (const type of ["input", "change"]) form.addEventListener(type, () => (retryKey = null));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("[data-form-error]").hidden = true;
    const person = form.elements.userImage.files?.[0];
    const product = form.elements.productImage.files?.[0];
    const name = form.elements.productName;
    if (!person || !product) {
      const missing = !person ? form.elements.userImage : form.elements.productImage;
      missing.closest("[data-drop]").querySelector(".drop-error").textContent = "Add this photo to continue.";
      missing.focus();
      return;
    }
    if (!name.value.trim()) {
      name.setAttribute("aria-invalid", "true");
      name.focus();
      return showError("Give the product a name.");
    }
    name.removeAttribute("aria-invalid");
    const many = variants.active();
    const key = retryKey || newKey();
    const headers = { "Idempotency-Key": key };
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    try {
      if (many) {
        const plan = variants.plan();
        await api("/api/project/variants", { method: "POST", form: variantsBody(plan), headers });
        flash(`${plan.length} ads are on their way. They turn ready here, one by one.`);
        location.assign("/my-generations");
      } else {
        const { projectId } = await api("/api/project/create", { method: "POST", form: new FormData(form), headers });
        location.assign(`/result/${projectId}`);
      }
    } catch (error) {
      retryKey = error.status === 0 ? key : null;
      submit.removeAttribute("aria-busy");
      summarize();
      showError(error.message);
      toast(error.message, "error");
    }
  });
}
