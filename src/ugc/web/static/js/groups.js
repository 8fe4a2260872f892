// Variant groups in My generations: one heading per group, kept true as cards come and go.

const RATIOS = ["9:16", "16:9", "1:1"];

function membersOf(section) {
  try {
    return JSON.parse(section.dataset.members || "{}");
  } catch {
    return {};
  }
}

function retitle(section, members) {
  const count = Object.keys(members).length;
  const used = new Set(Object.values(members));
  const title = section.querySelector("[data-vgroup-title]");
  title.textContent = `${count} ${count === 1 ? "variant" : "variants"} of ${section.dataset.name}`;
  section.querySelector("[data-vgroup-ratios]").textContent = RATIOS.filter((r) => used.has(r)).join(" · ");
}

/** Take a deleted card off the page; its group heading counts one fewer, or goes with its last card. */
export function removeCard(card) {
  const section = card.closest("[data-variant-group]");
  card.remove();
  if (!section) return;
  if (!section.querySelector("[data-card]")) return section.remove();
  const members = membersOf(section);
  delete members[card.dataset.projectId];
  section.dataset.members = JSON.stringify(members);
  retitle(section, members);
}

/** A group split across two pages becomes one again once the next page is loaded. */
export function joinSplitGroups(container) {
  for (const section of container.querySelectorAll(":scope > [data-variant-group]")) {
    const before = section.previousElementSibling;
    if (before?.dataset.variantGroup !== section.dataset.variantGroup) continue;
    before.querySelector(".vgroup-cards").append(...section.querySelectorAll("[data-card]"));
    section.remove();
  }
}
