// The live board: a snapshot, then changes pushed by the server; resumes after a lost connection.
// The page always says how old each number is (by the server's clock) and whether it is live.

import { AdmissionWords, admissionOf, hospitalAdmissionOf, installTip, markElement } from "./board_admission.js";
import { renderFindABed as findABed } from "./board_find.js";
import { Matrix } from "./board_matrix.js";
import { ageWords, showLink } from "./link_badge.js";
import { Link } from "./link_state.js";
import { SectionStream } from "./section_stream.js";
import { isStaleAt } from "./staleness.js";

const root = document.getElementById("board");
const messages = JSON.parse(document.getElementById("board-messages").textContent);
const list = document.getElementById("hospitals");
const connection = document.getElementById("connection");
const filtersForm = document.getElementById("filters");

const stream = new SectionStream(); // the sections held, and where a reconnect resumes from
const sections = stream.sections; // id -> section
let serverOffset = 0; // server clock minus this browser's clock, in ms
let lastUpdateAt = null; // browser time of the last snapshot or change
const delays = []; // commit-to-screen, ms (read by tests and benchmarks)
window.bedboardDelays = delays;

function say(key, values = {}) {
  return (messages[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function serverNow() { return Date.now() + serverOffset; }

// The unit's form for the number's CLDR plural category ("one", "few", "other"), as the server's catalogue has it
// (app/beds/staleness.py script_units): the browser knows the category, the catalogue the words.
function count(number, forms) {
  const category = new Intl.PluralRules(root.dataset.lang).select(number);
  return (forms[category] ?? forms.other).replace("{count}", number.toLocaleString(root.dataset.lang));
}

// The link badge's words (static/js/link_badge.js), in the reader's language and organisation's zone.
const linkWords = { say, lang: root.dataset.lang, timezone: root.dataset.timezone, units: messages.units,
                    lessThanAMinute: messages.less_than_a_minute };

function describeAge(ms) { return ageWords(ms, linkWords); }

// As the server writes a moment (app/kit/i18n.py format_moment): the reader's language, the month by name, the
// year, a 24-hour time, in the organisation's zone; the browser and Babel read the same CLDR data.
function localTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(root.dataset.lang, {
    timeZone: root.dataset.timezone, year: "numeric", month: "short", day: "numeric", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23",
  }).format(new Date(iso));
}

// ---- filters, kept in the URL ----

function readFilters() {
  const params = new URLSearchParams(location.search);
  const ids = (name) => params.getAll(name).map(Number).filter(Number.isInteger);
  const filters = {};
  if (ids("section_type").length) filters.section_types = ids("section_type");
  if (ids("hospital").length) filters.hospitals = ids("hospital");
  if (params.getAll("hospital_type").length) filters.hospital_types = params.getAll("hospital_type");
  const max = Number(params.get("occupancy_max"));
  if (params.get("occupancy_max") && max >= 0 && max <= 100) filters.occupancy = { min: 0, max };
  if (params.get("q")) filters.q = params.get("q").slice(0, 100);
  if (params.get("stale_only") === "1") filters.stale_only = true;
  return filters;
}

// What the URL keeps beside the filters: the wall, the view ("By hospital"), the order, the wall's pace.
const NOT_FILTERS = new Set(["wall", "view", "sort", "page_seconds"]);

function activeFilters(params) { return [...params.keys()].filter((name) => !NOT_FILTERS.has(name)).length; }

function showFiltersInForm() {
  const params = new URLSearchParams(location.search);
  const active = activeFilters(params);
  document.getElementById("filter-summary").textContent = active ? `(${active})` : "";
  if (active) document.getElementById("filters-panel").open = true;
  for (const select of filtersForm.querySelectorAll("select[multiple]")) {
    const chosen = new Set(params.getAll(select.name));
    for (const option of select.options) option.selected = chosen.has(option.value);
  }
  for (const box of filtersForm.querySelectorAll('input[type="checkbox"]')) {
    box.checked = params.getAll(box.name).includes(box.value);
  }
  filtersForm.querySelector("#filter-occupancy").value = params.get("occupancy_max") || "";
  filtersForm.querySelector("#filter-q").value = params.get("q") || "";
}

function applyFormToUrl() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(filtersForm)) if (value !== "") params.append(name, value);
  history.replaceState(null, "", `/board${params.toString() ? `?${params}` : ""}`);
  const active = activeFilters(params);
  document.getElementById("filter-summary").textContent = active ? `(${active})` : "";
  stream.forget();
  subscribe(null);
}

// ---- rendering ----

// The one rule (app/beds/staleness.py is_stale): past the section type's update interval, or never reported.
function isStale(section) { return isStaleAt(section, serverNow()); }

function ordered(items) {
  const byHospital = new Map();
  for (const section of items) {
    if (!byHospital.has(section.hospital_id)) byHospital.set(section.hospital_id, []);
    byHospital.get(section.hospital_id).push(section);
  }
  const groups = [...byHospital.values()].sort((a, b) => a[0].hospital_name.localeCompare(b[0].hospital_name));
  return groups.map((group) => {
    const ids = new Set(group.map((s) => s.id));
    const byName = (a, b) => a.name.localeCompare(b.name);
    const roots = group.filter((s) => !s.parent_id || !ids.has(s.parent_id)).sort(byName);
    const rows = [];
    for (const parent of roots) {
      rows.push([parent, 0]);
      for (const child of group.filter((s) => s.parent_id === parent.id).sort(byName)) rows.push([child, 1]);
    }
    return rows;
  });
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- admission status (static/js/board_admission.js) ----

const admissionWords = new AdmissionWords({
  say, describeAge, serverNow, lang: root.dataset.lang, timezone: root.dataset.timezone,
  reasons: messages.admission_reasons ?? {},
});

// The words of a marked element: a whole hospital's status (data-admission-hospital) or its sections' (ids in
// data-admission-sections), read from the live sections at the moment they are shown.
function describeMarked(target) {
  if (target.dataset.admissionHospital) {
    const id = Number(target.dataset.admissionHospital);
    const first = [...sections.values()].find((section) => section.hospital_id === id);
    const whole = first && hospitalAdmissionOf(first);
    return whole ? [admissionWords.describe(whole)] : [];
  }
  const ids = (target.dataset.admissionSections ?? "").split(",").map(Number);
  return admissionWords.describeSections(ids.map((id) => sections.get(id)).filter(Boolean));
}

function ageText(section) {
  if (!section.reported_at) return say("never");
  return isStale(section) ? say("not_updated", { age: describeAge(serverNow() - Date.parse(section.reported_at))})
    : "";
}

function sectionRow(section, depth) {
  const row = element("tr", `section depth-${depth}${isStale(section) ? " stale" : ""}`);
  row.id = `board-section-${section.id}`;
  row.dataset.sectionId = section.id;
  const name = element("th", "name", section.name);
  row.append(name);
  const admission = admissionOf(section);
  if (admission) {
    row.classList.add(`adm-${admission.status}`);
    name.prepend(markElement(admission.status), " ");
  }
  const free = element("td", `free-beds${section.free_beds < 0 ? " negative" : ""}`, String(section.free_beds));
  free.dataset.testid = "free-beds";
  row.append(free, element("td", "total", say("of", { total: section.total_beds })));
  const occupancy = element("td", "occupancy");
  if (section.occupancy_pct !== null) {
    const meter = element("meter");
    Object.assign(meter, { min: 0, max: 100, low: 70, high: 90, optimum: 0 });
    meter.value = Math.max(0, Math.min(100, section.occupancy_pct));
    occupancy.append(meter, element("span", "pct", `${Math.round(section.occupancy_pct)}%`));
  }
  row.append(occupancy);
  const updated = element("td", "updated");
  const confirmedLater = section.confirmed_at && (!section.updated_at || section.confirmed_at > section.updated_at);
  const when = confirmedLater ? say("confirmed", { time: localTime(section.confirmed_at), who: section.confirmed_by })
    : section.updated_at ? say("changed", { time: localTime(section.updated_at), who: section.updated_by }) : "";
  if (when) updated.append(element("span", "when", when));
  updated.append(element("span", "age stale-text", ageText(section)));
  // A section's own status in words; a whole hospital's is said once, at the head of its card.
  if (admission && !admission.whole) {
    updated.append(element("span", "admission-text", admissionWords.describe(admission)));
  }
  row.append(updated);
  return row;
}

function hospitalGroup(rows) {
  const first = rows[0][0];
  const group = element("section", `hospital type-${first.hospital_type}`);
  group.id = `hospital-${first.hospital_id}`;
  const total = rows.filter(([, depth]) => depth === 0).reduce((sum, [s]) => sum + s.free_beds, 0);
  const staleFree = rows.filter(([s, depth]) => depth === 0 && isStale(s)).reduce((sum, [s]) => sum + Math.max(0, s.free_beds), 0);
  const head = element("h2", "hospital-name");
  const badge = messages.hospital_type_names[first.hospital_type]?.[0] ?? first.hospital_type;
  // The type as a text badge too (the colour strip alone does not say it); the total says how much of it is stale.
  head.append(element("span", `type-badge type-${first.hospital_type}`, badge), element("span", "swatch"),
              element("span", "", first.hospital_name),
              element("span", `hospital-total${total < 0 ? " negative" : ""}`,
                      staleFree ? `${count(total, messages.forms.free_total)} · ${count(staleFree, messages.forms.older)}`
                        : `${total} ${say("hospital_total")}`));
  const table = element("table", "board-sections");
  const body = element("tbody");
  // Announced patients and held beds are counted per section type (static/js/board_dispatch.js writes them): said
  // once, on the type's first line whose parent is of another type (the sections its matrix cell adds up).
  const typeOf = new Map(rows.map(([s]) => [s.id, s.section_type_id]));
  const counted = new Set();
  for (const [section, depth] of rows) {
    const row = sectionRow(section, depth);
    if (typeOf.get(section.parent_id) !== section.section_type_id && !counted.has(section.section_type_id)) {
      counted.add(section.section_type_id);
      Object.assign(row.dataset, { hospital: section.hospital_id, type: section.section_type_id });
    }
    body.append(row);
  }
  table.append(body);
  group.append(head, table);
  // A hospital limited or closed as a whole: its word in the heading, the reason and time left under it.
  const whole = hospitalAdmissionOf(first);
  if (whole) {
    group.classList.add(`adm-${whole.status}`);
    const word = element("span", `admission-badge ${whole.status}`,
                         say(whole.status === "closed" ? "adm_badge_closed" : "adm_badge_limited"));
    word.prepend(markElement(whole.status), " ");
    head.querySelector(".swatch").after(word);
    const note = element("p", `admission-note adm-${whole.status}`, admissionWords.describe(whole));
    note.dataset.admissionHospital = first.hospital_id;
    head.after(note);
  }
  return group;
}

// The matrix is the default view; view=cards in the URL keeps the cards ("by hospital").
const matrixView = new URLSearchParams(location.search).get("view") !== "cards";
const matrixBox = document.getElementById("matrix");
const matrix = new Matrix(matrixBox, {
  say, count, forms: messages.forms, isStale, localTime, describeAge, wall: document.body.classList.contains("wall"),
  ageMs: (section) => (section.reported_at ? serverNow() - Date.parse(section.reported_at) : Infinity),
  typeNames: messages.section_type_names, hospitalTypes: messages.hospital_type_names, few: messages.few_beds,
  admission: admissionWords,
});
const admissionTip = installTip(root, describeMarked);
list.hidden = matrixView;
matrixBox.hidden = !matrixView;

function renderMatrix(flashId) {
  if (!matrixView) return;
  matrix.render([...sections.values()]);
  const section = sections.get(flashId);
  if (section) document.getElementById(`cell-${section.hospital_id}-${section.section_type_id}`)?.classList.add("flash");
}

function renderAll() {
  renderMatrix(null);
  const groups = ordered([...sections.values()]);
  list.replaceChildren(...groups.map(hospitalGroup));
  if (!groups.length) list.append(element("p", "muted", say("no_sections")));
  updateCounts();
  renderFindABed();
}

function renderHospital(hospitalId, flashId) {
  renderMatrix(flashId);
  const rows = ordered([...sections.values()].filter((s) => s.hospital_id === hospitalId))[0];
  const existing = document.getElementById(`hospital-${hospitalId}`);
  if (!rows) { existing?.remove(); updateCounts(); return; }
  const group = hospitalGroup(rows);
  if (existing) existing.replaceWith(group);
  else renderAll();
  const row = document.getElementById(`board-section-${flashId}`);
  if (row) row.classList.add("flash");
  updateCounts();
  renderFindABed();
}

function updateCounts() {
  document.getElementById("match-count").textContent = String(sections.size);
  document.getElementById("stale-count").textContent =
    String([...sections.values()].filter(isStale).length);
}

function renderFindABed() {
  const chosen = new Set([...document.getElementById("find-type").selectedOptions].map((o) => Number(o.value))
    .filter(Boolean));
  findABed({ sections: [...sections.values()], chosen, results: document.getElementById("find-results"), say, isStale,
             describeAge, matrixView,
             ageMs: (section) => (section.reported_at ? serverNow() - Date.parse(section.reported_at) : Infinity),
             includeClosed: document.getElementById("find-include-closed").checked, admissionWords, count,
             forms: messages.forms, closedCount: document.getElementById("find-closed-count") });
}

function tick() {
  for (const row of list.querySelectorAll("tr.section")) {
    const section = sections.get(Number(row.dataset.sectionId));
    if (!section) continue;
    row.classList.toggle("stale", isStale(section));
    row.querySelector(".age").textContent = ageText(section);
  }
  // The time left under a status goes down with the clock.
  for (const note of list.querySelectorAll(".admission-note")) note.textContent = describeMarked(note).join(" ");
  for (const row of list.querySelectorAll("tr.section")) {
    const admission = admissionOf(sections.get(Number(row.dataset.sectionId)) ?? {});
    const words = row.querySelector(".admission-text");
    if (words && admission) words.textContent = admissionWords.describe(admission);
  }
  admissionTip.refresh();
  updateCounts();
  showConnection();
}

// ---- the connection ----

// static/js/link_state.js keeps the socket and says whether the link may be called live.
const link = new Link({
  url: `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws/beds`,
  heartbeatMs: messages.heartbeat_seconds * 1000,
  onOpen: () => subscribe(stream.lastSeq),
  onMessage,
  onChange: showConnection,
  onSessionEnded: () => location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`),
});

function showConnection() { showLink(connection, root, link, linkWords); }

function subscribe(since) {
  link.send({ type: "subscribe", filters: readFilters(), since, epoch: stream.epoch });
}

function onMessage(message) {
  if (message.server_time) serverOffset = Date.parse(message.server_time) - Date.now();
  const left = message.type === "leave" ? sections.get(message.section_id) : null;
  if (!stream.apply(message)) return; // a change already applied (a resume may repeat it)
  if (message.type === "snapshot") {
    lastUpdateAt = Date.now();
    renderAll();
    link.markCurrent();
  } else if (message.type === "resumed") {
    link.markCurrent(); // every change missed while away has arrived
  } else if (message.type === "change") {
    lastUpdateAt = Date.now();
    if (message.committed_at) delays.push(serverNow() - Date.parse(message.committed_at));
    renderHospital(message.section.hospital_id, message.section.id);
  } else if (message.type === "leave") {
    if (left) renderHospital(left.hospital_id, null);
  }
  // Other parts of the page (the alert panel, static/js/board_alerts.js) read the same frames.
  document.dispatchEvent(new CustomEvent("board:message", { detail: message }));
  showConnection();
}

showFiltersInForm();
filtersForm.addEventListener("submit", (event) => { event.preventDefault(); applyFormToUrl(); });
filtersForm.addEventListener("change", applyFormToUrl);
let typing = null;
filtersForm.querySelector("#filter-q").addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(applyFormToUrl, 300); // one subscribe per pause in typing, not per key
});
document.getElementById("filter-clear").addEventListener("click", (event) => {
  event.preventDefault();
  filtersForm.reset();
  for (const select of filtersForm.querySelectorAll("select[multiple]")) for (const o of select.options) o.selected = false;
  applyFormToUrl();
});
document.getElementById("find-type").addEventListener("change", renderFindABed);
document.getElementById("find-include-closed").addEventListener("change", renderFindABed);
document.addEventListener("dispatch:counts", renderFindABed); // beds held for announced patients (issue 22)
// A result's link opens its cell's sections on the board (in the cards view it scrolls to the hospital).
document.getElementById("find-results").addEventListener("click", (event) => {
  const link = event.target.closest("a.find-link");
  if (!link || !matrixView) return;
  event.preventDefault();
  document.getElementById(link.hash.slice(1))?.scrollIntoView({ block: "center" });
  matrix.showSections(Number(link.dataset.hospital), Number(link.dataset.type));
});
list.addEventListener("animationend", (event) => event.target.classList.remove("flash"));
// Ages in the cells move on; a minute is fine-grained enough for "past its update interval".
setInterval(() => renderMatrix(null), 60000);
// The wall turns its pages by itself, and holds still for a minute after someone touches it.
// ?page_seconds=N sets the pace (a wall read from afar may want longer; tests shorter).
const pageSeconds = Number(new URLSearchParams(location.search).get("page_seconds")) || 12;
setInterval(() => matrix.turnPage(), Math.max(1, pageSeconds) * 1000);
for (const kind of ["pointerdown", "keydown", "wheel"]) document.addEventListener(kind, () => matrix.pause(60000));
window.addEventListener("resize", () => matrix.paginate());
setInterval(tick, 1000);
link.start();
