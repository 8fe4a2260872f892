// The create form: drop zones with previews and the server's checks, then create and go.
import { api, toast } from "./core.js";

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

if (form) {
  for (const drop of form.querySelectorAll("[data-drop]")) wireDrop(drop);
  const submit = form.querySelector("[data-submit]");

  document.addEventListener("ugc:credits", (event) => {
    if (event.detail >= cost && !submit.getAttribute("aria-busy")) submit.disabled = false;
  });

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
    const data = new FormData(form);
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    try {
      const { projectId } = await api("/api/project/create", { method: "POST", form: data });
      location.assign(`/result/${projectId}`);
    } catch (error) {
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
      showError(error.message);
      toast(error.message, "error");
    }
  });
}
