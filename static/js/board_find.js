// "Find a bed": the hospitals ranked by their free beds of the chosen section types, each with its sections, their
// counts and ages, and a link to its cell on the board. Built from the same live sections as the board.

import { element } from "./board_matrix.js";

export function renderFindABed({ sections, chosen, results, say, isStale, ageMs, describeAge, matrixView }) {
  if (!chosen.size) { results.replaceChildren(); return; }
  const byHospital = new Map();
  for (const section of sections) {
    if (!chosen.has(section.section_type_id)) continue;
    const entry = byHospital.get(section.hospital_id) || { id: section.hospital_id, name: section.hospital_name,
                                                            free: 0, sections: [] };
    const parent = section.parent_id ? sections.find((s) => s.id === section.parent_id) : undefined;
    // A sub-section of a chosen section is inside its count already.
    if (!parent || !chosen.has(parent.section_type_id)) entry.free += section.free_beds;
    entry.sections.push(section);
    byHospital.set(section.hospital_id, entry);
  }
  const ranked = [...byHospital.values()].sort((a, b) => (b.free - a.free) || a.name.localeCompare(b.name));
  if (!ranked.length) {
    const empty = element("li", "find-empty", say("find_none"));
    if (new URLSearchParams(location.search).toString().replace(/(^|&)(wall|view|sort|page_seconds)=[^&]*/g, "")) {
      const widen = element("button", "secondary", say("find_widen"));
      widen.type = "button";
      widen.id = "find-widen";
      widen.addEventListener("click", () => document.getElementById("filter-clear").click());
      empty.append(" ", widen);
    }
    results.replaceChildren(empty);
    return;
  }
  results.replaceChildren(...ranked.map((entry) => {
    const best = [...entry.sections].sort((a, b) => b.free_beds - a.free_beds)[0];
    const stale = entry.sections.some(isStale);
    const closed = entry.sections.every((s) => s.total_beds <= 0);
    const item = element("li", `find-result${stale ? " stale" : ""}`);
    item.dataset.hospital = entry.id;
    const link = element("a", "find-link");
    link.href = matrixView ? `#cell-${entry.id}-${best.section_type_id}` : `#hospital-${entry.id}`;
    link.dataset.hospital = entry.id;
    link.dataset.type = best.section_type_id;
    link.append(element("strong", `free-beds${entry.free < 0 ? " negative" : ""}`,
                        entry.free < 0 ? `−${-entry.free}` : String(entry.free)), " ", element("span", "", entry.name));
    item.append(link);
    const details = element("ul", "find-sections");
    for (const section of entry.sections) {
      const age = ageMs(section);
      const line = element("li", isStale(section) ? "stale" : "",
                           `${section.name}: ${section.free_beds < 0 ? `−${-section.free_beds}` : section.free_beds} · `
                           + (Number.isFinite(age) ? say("age_ago", { age: describeAge(age) }) : say("never")));
      details.append(line);
    }
    item.append(details);
    if (stale) item.append(" ", element("span", "stale-flag", say("stale_flag")));
    if (closed) item.append(" ", element("span", "closed-flag", say("closed_flag")));
    return item;
  }));
}
