// The Create page's "Make variants": how many ads, which ratios they take turns with,
// a hook per line and a caption switch per ad, shown as the list of ads to be made.

/** Wire the variants controls; `changed` runs whenever the plan (or the mode) changes later. */
export function wireVariants(form, changed) {
  const panel = form.querySelector("[data-variants]");
  const single = form.querySelector("[data-single-ratio]");
  const rows = [...form.querySelectorAll("[data-plan-row]")];
  const all = form.querySelector("[data-caption-all]");
  const note = form.querySelector("[data-plan-note]");

  const active = () => form.querySelector("input[name=mode]:checked")?.value === "variants";
  const count = () => Number(form.querySelector("input[name=variantCount]:checked")?.value || 2);
  const ratios = () => [...form.querySelectorAll("input[name=variantRatios]:checked")].map((i) => i.value);
  const hooks = () => form.elements.hooks.value.split("\n").map((line) => line.trim());
  const shown = () => rows.slice(0, count());

  /** What to send: one {aspectRatio, prompt, caption} per ad, ratios in turn. */
  function plan() {
    const chosen = ratios();
    const lines = hooks();
    return shown().map((row, i) => ({
      aspectRatio: chosen[i % chosen.length],
      prompt: lines[i] || "",
      caption: row.querySelector("[data-plan-caption]").checked,
    }));
  }

  function syncCaptions() {
    const boxes = shown().map((row) => row.querySelector("[data-plan-caption]"));
    const on = boxes.filter((box) => box.checked).length;
    all.checked = on === boxes.length;
    all.indeterminate = on > 0 && on < boxes.length;
  }

  function render(tell = true) {
    const many = active();
    single.hidden = single.disabled = many;
    panel.hidden = panel.disabled = !many;
    const chosen = ratios();
    const lines = hooks();
    rows.forEach((row, i) => {
      row.hidden = i >= count();
      row.querySelector("[data-plan-ratio]").textContent = chosen.length ? chosen[i % chosen.length] : "–";
      const hook = row.querySelector("[data-plan-hook]");
      hook.textContent = lines[i] || "The prompt";
      hook.title = lines[i] || "No hook: the ad uses the prompt of the brief";
      hook.classList.toggle("is-brief", !lines[i]);
    });
    const written = lines.filter(Boolean).length;
    const unused = lines.slice(count()).filter(Boolean).length;
    note.hidden = unused === 0;
    note.textContent = `${written} hooks for ${count()} ads: the last ${unused === 1 ? "hook is" : `${unused} are`} left out.`;
    syncCaptions();
    if (tell) changed();
  }

  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target === all) {
      for (const row of shown()) row.querySelector("[data-plan-caption]").checked = all.checked;
    }
    if (target.matches("[data-plan-caption]")) syncCaptions();
    else if (target.matches("[name=mode], [name=variantCount], [name=variantRatios]")) render();
  });
  form.elements.hooks.addEventListener("input", () => render());
  render(false); // the caller reads the first state once it holds the returned controls

  return { active, count, plan, hasRatio: () => ratios().length > 0 };
}
