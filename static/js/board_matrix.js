// The board as a matrix: one row per hospital, one column per section type on the board, each cell the free beds
// of that type in that hospital. Built in the browser from the same live sections as the cards, so it stays live.
//
// Sub-sections are not counted twice: a sub-section's beds are part of its section's, so a cell leaves out a
// section whose parent (on the board) is of the same type, and the row total adds only top-level sections.
//
// Admission status (issue 21, static/js/board_admission.js): a closed cell loses its availability colour (its beds
// take no ambulance) for a cross-hatch, a struck number and the ✕ mark; a limited one keeps its colour and gets the ◐
// mark; a hospital closed or limited as a whole says so in words at the head of its row. The reason and the time
// left are in the tip (hover or focus) and in the cell's details.

import { admissionOf, hospitalAdmissionOf, markElement, statusOfAll } from "./board_admission.js";
import { attachNotes } from "./board_notes.js";

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The order is kept in the URL like the filters: sort=name (default), sort=type, or sort=<section type id>.
export function readSort() {
  return new URLSearchParams(location.search).get("sort") || "name";
}

function writeSort(value) {
  const params = new URLSearchParams(location.search);
  if (value === "name") params.delete("sort"); else params.set("sort", value);
  history.replaceState(null, "", `${location.pathname}${params.toString() ? `?${params}` : ""}`);
}

// One hospital's row: its cells by section type id, each with the sections it adds up.
export function hospitalRows(items) {
  const byId = new Map(items.map((s) => [s.id, s]));
  const rows = new Map();
  for (const section of items) {
    let row = rows.get(section.hospital_id);
    if (!row) {
      row = { id: section.hospital_id, name: section.hospital_name, type: section.hospital_type, cells: new Map(),
              free: 0, staleFree: 0, staleCount: 0, closedFree: 0, admission: hospitalAdmissionOf(section) };
      rows.set(section.hospital_id, row);
    }
    const parent = section.parent_id ? byId.get(section.parent_id) : undefined;
    if (!parent || parent.section_type_id !== section.section_type_id) {
      const cell = row.cells.get(section.section_type_id) || { free: 0, sections: [] };
      cell.free += section.free_beds;
      cell.sections.push(section);
      row.cells.set(section.section_type_id, cell);
    }
    if (!parent) row.free += section.free_beds;
    if (!parent && admissionOf(section)?.status === "closed") row.closedFree += Math.max(0, section.free_beds);
  }
  return [...rows.values()];
}

export class Matrix {
  constructor(container, ctx) {
    this.container = container;
    // { say, count, forms, isStale, ageMs, describeAge, localTime, typeNames, hospitalTypes, few, admission }
    this.ctx = ctx;
    this.items = [];
    this.page = 0;
    this.pausedUntil = 0;
    this.openCell = null;
    this.reasons = new Map(); // "id:version" -> the reason given for that negative count
    container.addEventListener("click", (event) => this.onClick(event));
  }

  columns() {
    const ids = [...new Set(this.items.map((s) => s.section_type_id))];
    const name = (id) => this.ctx.typeNames[id] || String(id);
    return ids.sort((a, b) => name(a).localeCompare(name(b))).map((id) => [id, name(id)]);
  }

  sortedRows() {
    const rows = hospitalRows(this.items);
    const sort = readSort();
    const byName = (a, b) => a.name.localeCompare(b.name);
    if (sort === "type") {
      const order = Object.keys(this.ctx.hospitalTypes);
      rows.sort((a, b) => (order.indexOf(a.type) - order.indexOf(b.type)) || byName(a, b));
    } else if (sort === "total") {
      rows.sort((a, b) => (b.free - a.free) || byName(a, b));
    } else if (/^\d+$/.test(sort)) {
      const id = Number(sort);
      const free = (row) => row.cells.get(id)?.free ?? -Infinity; // hospitals without the type go last
      rows.sort((a, b) => (free(b) - free(a)) || byName(a, b));
    } else rows.sort(byName);
    return rows;
  }

  availability(free) {
    if (free < 0) return "negative";
    if (free === 0) return "none";
    return free <= this.ctx.few ? "few" : "free";
  }

  shortAge(ms) {
    const hours = Math.floor(ms / 3600000);
    return hours >= 48 ? this.ctx.say("short_days", { n: Math.floor(hours / 24) })
      : this.ctx.say("short_hours", { n: hours });
  }

  totalText(free, staleFree, closedFree = 0) {
    const { count, forms } = this.ctx;
    const parts = [count(free, forms.free_total)];
    if (staleFree) parts.push(count(staleFree, forms.older));
    if (closedFree) parts.push(count(closedFree, forms.closed_apart));
    return parts.join(" · ");
  }

  cell(row, typeId) {
    const td = element("td", "cell");
    const cell = row.cells.get(typeId);
    if (!cell) { td.classList.add("empty"); return td; }
    const stale = cell.sections.filter((s) => this.ctx.isStale(s));
    const admission = statusOfAll(cell.sections);
    const availability = admission === "closed" ? "closed" : this.availability(cell.free);
    const button = element("button", `cell-button avail-${availability}`);
    button.type = "button";
    button.id = `cell-${row.id}-${typeId}`;
    button.dataset.hospital = row.id;
    button.dataset.type = typeId;
    button.dataset.testid = "cell";
    // The mark sits on the number's line, beside it, so that a marked cell is no taller than another.
    const line = element("span", "cell-line");
    line.append(element("span", "cell-free", cell.free < 0 ? `−${-cell.free}` : String(cell.free)));
    button.append(line);
    const labels = [`${row.name}, ${this.ctx.typeNames[typeId] || ""}: ${cell.free}`];
    if (admission !== "open") {
      button.classList.add(`adm-${admission}`);
      button.dataset.admission = admission;
      button.dataset.admissionSections = cell.sections.map((s) => s.id).join(",");
      line.prepend(markElement(admission));
      labels.push(...this.ctx.admission.describeSections(cell.sections));
    }
    if (stale.length) {
      const oldest = Math.max(...stale.map((s) => this.ctx.ageMs(s)));
      button.classList.add("stale");
      button.append(element("span", "cell-age", Number.isFinite(oldest) ? this.shortAge(oldest) : "?"));
      labels.push(Number.isFinite(oldest) ? this.ctx.say("not_updated", { age: this.ctx.describeAge(oldest) })
        : this.ctx.say("never"));
    }
    // A marked cell's words are in the page's own tip (hover and focus), not in a second, native one.
    if (admission === "open") button.title = labels.join(" — ");
    button.setAttribute("aria-label", labels.join(" — "));
    td.append(button);
    return td;
  }

  render(items) {
    this.items = items;
    const columns = this.columns();
    const sort = readSort();
    const table = element("table", "matrix");
    table.id = "matrix-table";
    const head = element("thead");
    const headRow = element("tr");
    const sortButton = (value, label, className) => {
      const th = element("th", className);
      th.scope = "col";
      const button = element("button", "sort", label);
      button.type = "button";
      button.dataset.sort = value;
      if (sort === value) { button.classList.add("sorted"); th.setAttribute("aria-sort", value === "name" ? "ascending" : "descending"); }
      th.append(button);
      return th;
    };
    const first = element("th", "hospital-col");
    first.scope = "col";
    for (const [value, label] of [["name", this.ctx.say("sort_name")], ["type", this.ctx.say("sort_type")]]) {
      const button = element("button", `sort${sort === value ? " sorted" : ""}`, label);
      button.type = "button";
      button.dataset.sort = value;
      first.append(button, " ");
    }
    headRow.append(first);
    for (const [id, name] of columns) {
      const th = sortButton(String(id), "", "type-col");
      th.querySelector("button").append(element("span", "vertical", name));
      th.title = name;
      headRow.append(th);
    }
    headRow.append(sortButton("total", this.ctx.say("total"), "total-col"));
    head.append(headRow);
    const body = element("tbody");
    let boardFree = 0;
    let boardStale = 0;
    let boardClosed = 0;
    for (const row of this.sortedRows()) {
      const tr = element("tr", "matrix-row");
      tr.id = `matrix-hospital-${row.id}`;
      tr.dataset.hospital = row.id;
      const name = element("th", "hospital-cell");
      name.scope = "row";
      name.title = `${row.name} — ${this.ctx.hospitalTypes[row.type]?.[1] ?? row.type}`;
      name.append(element("span", `type-badge type-${row.type}`, this.ctx.hospitalTypes[row.type]?.[0] ?? row.type),
                  " ", element("span", "hospital-label", row.name));
      if (row.admission) {
        tr.classList.add(`adm-${row.admission.status}`);
        name.querySelector(".type-badge").after(" ", this.hospitalBadge(row.id, row.admission));
      }
      tr.append(name);
      for (const [id] of columns) tr.append(this.cell(row, id));
      const roots = this.items.filter((s) => s.hospital_id === row.id && !s.parent_id);
      const staleFree = roots.filter((s) => this.ctx.isStale(s)).reduce((sum, s) => sum + Math.max(0, s.free_beds), 0);
      boardFree += row.free;
      boardStale += staleFree;
      boardClosed += row.closedFree;
      const total = element("td", `row-total${row.free < 0 ? " negative" : ""}`);
      if (row.admission?.status === "closed") total.classList.add("adm-closed");
      total.dataset.testid = "row-total";
      total.append(element("strong", "", row.free < 0 ? `−${-row.free}` : String(row.free)));
      if (staleFree) total.append(element("span", "total-stale", this.ctx.count(staleFree, this.ctx.forms.older)));
      total.title = this.totalText(row.free, staleFree);
      tr.append(total);
      body.append(tr);
    }
    table.append(head, body);
    const summary = element("p", "board-total", this.totalText(boardFree, boardStale, boardClosed));
    summary.id = "board-total";
    this.container.replaceChildren(summary, table);
    if (!items.length) this.container.append(element("p", "muted", this.ctx.say("no_sections")));
    this.paginate();
    if (this.openCell) this.showSections(...this.openCell);
  }

  // A hospital limited or closed as a whole says so in words at the head of its row; the tip gives the reason.
  hospitalBadge(rowId, admission) {
    const badge = element("span", `admission-badge ${admission.status}`);
    badge.append(markElement(admission.status), " ",
                 this.ctx.say(admission.status === "closed" ? "adm_badge_closed" : "adm_badge_limited"));
    badge.dataset.admission = admission.status;
    badge.dataset.admissionHospital = rowId;
    badge.tabIndex = 0;
    badge.setAttribute("aria-describedby", "admission-tip");
    return badge;
  }

  onClick(event) {
    const sortButton = event.target.closest("button.sort");
    if (sortButton) { writeSort(sortButton.dataset.sort); this.page = 0; this.render(this.items); return; }
    const cell = event.target.closest("button.cell-button");
    if (cell) this.showSections(Number(cell.dataset.hospital), Number(cell.dataset.type));
  }

  // The hospital's sections, sub-sections nested, who changed or confirmed each and when; on the board, in a dialog.
  showSections(hospitalId, typeId) {
    const { say, localTime, isStale, ageMs, describeAge } = this.ctx;
    const own = this.items.filter((s) => s.hospital_id === hospitalId);
    let dialog = document.getElementById("cell-dialog");
    if (!own.length) { dialog?.close(); this.openCell = null; return; }
    this.openCell = [hospitalId, typeId];
    if (!dialog) {
      dialog = element("dialog", "cell-dialog");
      dialog.id = "cell-dialog";
      dialog.addEventListener("close", () => { this.openCell = null; });
      document.getElementById("board").append(dialog);
    }
    const ids = new Set(own.map((s) => s.id));
    const byName = (a, b) => a.name.localeCompare(b.name);
    const list = element("ul", "cell-sections");
    const item = (section, depth) => {
      const li = element("li", `depth-${depth}${section.section_type_id === typeId ? " chosen" : ""}${isStale(section) ? " stale" : ""}`);
      li.dataset.sectionId = section.id;
      const closed = admissionOf(section)?.status === "closed"; // its beds take no ambulance: no availability colour
      li.append(element("strong", `free-beds avail-${closed ? "closed" : this.availability(section.free_beds)}`,
                        section.free_beds < 0 ? `−${-section.free_beds}` : String(section.free_beds)),
                " ", element("span", "name", section.name), " ",
                element("span", "muted", say("of", { total: section.total_beds })));
      const confirmedLater = section.confirmed_at && (!section.updated_at || section.confirmed_at > section.updated_at);
      const when = confirmedLater ? say("confirmed", { time: localTime(section.confirmed_at), who: section.confirmed_by })
        : section.updated_at ? say("changed", { time: localTime(section.updated_at), who: section.updated_by }) : say("never");
      li.append(element("span", "when", when));
      const admission = admissionOf(section);
      if (admission) {
        li.classList.add(`adm-${admission.status}`);
        li.querySelector(".name").before(markElement(admission.status), " ");
        // The whole hospital's status is said once, above the list.
        if (!admission.whole) li.append(element("span", "admission-text", this.ctx.admission.describe(admission)));
      }
      if (section.free_beds < 0) {
        const reason = element("span", "reason");
        reason.dataset.reasonFor = section.id;
        const known = this.reasons.get(`${section.id}:${section.version}`);
        if (known) reason.textContent = say("reason", { reason: known });
        li.append(reason);
      }
      if (isStale(section) && section.reported_at) {
        li.append(element("span", "stale-text", say("not_updated", { age: describeAge(ageMs(section)) })));
      }
      return li;
    };
    for (const root of own.filter((s) => !s.parent_id || !ids.has(s.parent_id)).sort(byName)) {
      list.append(item(root, 0));
      for (const child of own.filter((s) => s.parent_id === root.id).sort(byName)) list.append(item(child, 1));
    }
    const close = element("button", "close", say("close"));
    close.type = "button";
    close.addEventListener("click", () => dialog.close());
    const title = element("h2", "", `${own[0].hospital_name} — ${this.ctx.typeNames[typeId] || ""}`);
    const whole = hospitalAdmissionOf(own[0]);
    const note = whole ? [element("p", `admission-note adm-${whole.status}`, this.ctx.admission.describe(whole))] : [];
    note[0]?.prepend(markElement(whole.status), " ");
    dialog.replaceChildren(title, ...note, list, close);
    attachNotes(dialog, own, whole); // the notes on its limited or closed statuses, and a form to ask
    if (!dialog.open) dialog.showModal();
    this.fetchReasons(own.filter((s) => s.free_beds < 0 && !this.reasons.has(`${s.id}:${s.version}`)));
  }

  // A negative count's reason is in the audit log only; asked for when its cell is opened.
  async fetchReasons(negatives) {
    if (!negatives.length) return;
    const versions = new Map(negatives.map((s) => [s.id, s.version]));
    const query = negatives.map((s) => `section=${s.id}`).join("&");
    try {
      const response = await fetch(`/board/reasons?${query}`, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { reasons } = await response.json();
      for (const [id, reason] of Object.entries(reasons)) {
        this.reasons.set(`${id}:${versions.get(Number(id))}`, reason); // a new count may come with a new reason
        const slot = document.querySelector(`#cell-dialog [data-reason-for="${id}"]`);
        if (slot) slot.textContent = this.ctx.say("reason", { reason });
      }
    } catch { /* the link is down: the dialog shows the counts without their reasons */ }
  }

  // ---- wall paging: more rows than fit are shown a page at a time, turning by themselves ----

  paginate() {
    const rows = [...this.container.querySelectorAll("tr.matrix-row")];
    let indicator = document.getElementById("matrix-pages");
    if (!this.ctx.wall || !rows.length) { indicator?.remove(); return; }
    for (const row of rows) row.hidden = false;
    const table = this.container.querySelector("table");
    const top = table.querySelector("tbody").getBoundingClientRect().top + window.scrollY;
    const room = window.innerHeight - top - 40; // the page indicator's line
    // Pages filled row by row with the rows' own heights: a row with a stale total is taller than the others.
    const pageOf = [];
    let used = 0;
    let page = 0;
    for (const row of rows) {
      const height = row.getBoundingClientRect().height;
      if (used > 0 && used + height > room) { page += 1; used = 0; }
      used += height;
      pageOf.push(page);
    }
    this.pages = page + 1;
    if (this.pages <= 1) { indicator?.remove(); this.page = 0; return; }
    this.page %= this.pages;
    rows.forEach((row, index) => { row.hidden = pageOf[index] !== this.page; });
    if (!indicator) {
      indicator = element("p", "matrix-pages");
      indicator.id = "matrix-pages";
      indicator.setAttribute("aria-live", "polite");
    }
    const paused = Date.now() < this.pausedUntil;
    indicator.textContent = this.ctx.say(paused ? "page_paused" : "page", { page: this.page + 1, pages: this.pages });
    indicator.classList.toggle("paused", paused);
    this.container.append(indicator);
  }

  turnPage() {
    if (!this.ctx.wall || !this.pages || this.pages <= 1 || Date.now() < this.pausedUntil) return;
    this.page = (this.page + 1) % this.pages;
    this.paginate();
  }

  pause(ms) {
    this.pausedUntil = Date.now() + ms;
    this.paginate();
  }
}
