// "Find a bed": the hospitals ranked by their free beds of the chosen section types, each with its sections, their
// counts and ages, and a link to its cell on the board. Built from the same live sections as the board.
//
// A section closed to ambulances (itself or its whole hospital, issue 21) takes no patient: it is left out and counted
// apart under the list, like a stale value is flagged, unless "Include closed" is ticked; then it is listed with its
// mark, reason and time left, and a hospital with nothing but closed sections comes after every other. A limited one
// stays in the ranking, marked, with its reason.

import { admissionOf, markElement } from "./board_admission.js";
import { heldAt, heldWords } from "./board_dispatch.js";
import { element } from "./board_matrix.js";

function admissionLine(section, admissionWords) {
  const admission = admissionOf(section);
  if (!admission) return null;
  const line = element("span", `admission-text adm-${admission.status}`, admissionWords.describe(admission));
  line.prepend(markElement(admission.status), " ");
  return line;
}

export function renderFindABed({ sections, chosen, results, say, isStale, ageMs, describeAge, matrixView,
                                  includeClosed, admissionWords, count, forms, closedCount }) {
  closedCount.replaceChildren();
  if (!chosen.size) { results.replaceChildren(); return; }
  const byHospital = new Map();
  let closedLeftOut = 0;
  for (const section of sections) {
    if (!chosen.has(section.section_type_id)) continue;
    const closed = admissionOf(section)?.status === "closed";
    if (closed && !includeClosed) { closedLeftOut += 1; continue; }
    const entry = byHospital.get(section.hospital_id) || { id: section.hospital_id, name: section.hospital_name,
                                                            free: 0, closedFree: 0, sections: [], open: false };
    entry.open ||= !closed;
    const parent = section.parent_id ? sections.find((s) => s.id === section.parent_id) : undefined;
    // A sub-section of a chosen section is inside its count already; a closed section's beds take no ambulance, so
    // they are not in the count the ranking reads (a hospital with only closed ones shows theirs, struck).
    if (!parent || !chosen.has(parent.section_type_id)) entry[closed ? "closedFree" : "free"] += section.free_beds;
    entry.sections.push(section);
    byHospital.set(section.hospital_id, entry);
  }
  // A bed held for an announced patient (issue 22) is not available to others: ranked by free minus held.
  for (const entry of byHospital.values()) entry.held = heldAt(entry.id, chosen);
  const ranked = [...byHospital.values()].sort((a, b) => (b.open - a.open)
                                                        || ((b.free - b.held) - (a.free - a.held))
                                                        || a.name.localeCompare(b.name));
  const closedShown = sections.filter((s) => chosen.has(s.section_type_id) && includeClosed
                                      && admissionOf(s)?.status === "closed").length;
  if (closedLeftOut || closedShown) {
    closedCount.append(markElement("closed"), " ", count(closedLeftOut || closedShown,
                                                         closedLeftOut ? forms.closed_left_out : forms.closed_shown));
  }
  if (!ranked.length && closedLeftOut) {
    results.replaceChildren(element("li", "find-empty", say("find_all_closed")));
    return;
  }
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
    const item = element("li", `find-result${stale ? " stale" : ""}${entry.open ? "" : " adm-closed"}`);
    item.dataset.hospital = entry.id;
    const link = element("a", "find-link");
    link.href = matrixView ? `#cell-${entry.id}-${best.section_type_id}` : `#hospital-${entry.id}`;
    link.dataset.hospital = entry.id;
    link.dataset.type = best.section_type_id;
    const free = entry.open ? entry.free : entry.closedFree;
    link.append(element("strong", `free-beds${free < 0 ? " negative" : ""}`, free < 0 ? `−${-free}` : String(free)),
                " ", element("span", "", entry.name));
    if (!entry.open) link.prepend(markElement("closed"), " ");
    if (entry.held) link.append(" ", element("span", "find-held", `· ${heldWords(entry.held)}`));
    item.append(link);
    const details = element("ul", "find-sections");
    for (const section of entry.sections) {
      const age = ageMs(section);
      const line = element("li", isStale(section) ? "stale" : "",
                           `${section.name}: ${section.free_beds < 0 ? `−${-section.free_beds}` : section.free_beds} · `
                           + (Number.isFinite(age) ? say("age_ago", { age: describeAge(age) }) : say("never")));
      const admission = admissionLine(section, admissionWords);
      if (admission) line.append(" · ", admission);
      details.append(line);
    }
    item.append(details);
    if (stale) item.append(" ", element("span", "stale-flag", say("stale_flag")));
    if (closed) item.append(" ", element("span", "closed-flag", say("closed_flag")));
    return item;
  }));
}
