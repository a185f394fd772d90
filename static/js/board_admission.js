// Admission status on the board (issue 21): a hospital or a section closed to ambulances or limited, told by a mark
// and words, never by colour alone, with its reason and the time left on hover or focus (one floating tip for the
// whole page) and in a cell's details. Read from the sections' own JSON (`admission`, `hospital_admission`), so a
// change frame brings it like a new count.

const STRICTNESS = { open: 0, limited: 1, closed: 2 };
// The marks the legend explains: a cross for closed, a half-filled circle for limited (DejaVu Sans has both).
export const MARKS = { closed: "✕", limited: "◐" };

// What an ambulance meets at this section, and why: the stricter of its hospital's status and its own; the
// hospital's when both are as strict, since a whole hospital closed says more. Null when it is open.
export function admissionOf(section) {
  const own = section.admission ?? { status: "open" };
  const hospital = section.hospital_admission ?? { status: "open" };
  if ((STRICTNESS[hospital.status] ?? 0) >= (STRICTNESS[own.status] ?? 0)) {
    return hospital.status === "open" ? null : { ...hospital, whole: true };
  }
  return { ...own, whole: false };
}

// The hospital's own status (a whole hospital limited or closed), null when it is open.
export function hospitalAdmissionOf(section) {
  const hospital = section.hospital_admission;
  return hospital && hospital.status !== "open" ? { ...hospital, whole: true } : null;
}

export function isClosed(section) {
  return admissionOf(section)?.status === "closed";
}

// A cell or a hospital's status from its sections': closed when every one is closed (none would take the patient),
// limited when any is limited or closed, else open.
export function statusOfAll(items) {
  const statuses = items.map((section) => admissionOf(section)?.status ?? "open");
  if (statuses.length && statuses.every((status) => status === "closed")) return "closed";
  return statuses.some((status) => status !== "open") ? "limited" : "open";
}

export class AdmissionWords {
  // ctx: { say, describeAge, serverNow, lang, timezone, reasons: {code: name in the reader's language} }
  constructor(ctx) { this.ctx = ctx; }

  status(status) { return this.ctx.say(status === "closed" ? "adm_closed" : "adm_limited"); }

  reason(admission) {
    const named = this.ctx.reasons[admission.reason_code] ?? admission.reason_code ?? "";
    return admission.reason ? `${named} — ${admission.reason}` : named;
  }

  // "until 18:30 (2 hours, 10 minutes left)", in the reader's organisation's zone; the date too when it is not today.
  until(admission) {
    if (!admission.until) return "";
    const end = Date.parse(admission.until);
    const { lang, timezone } = this.ctx;
    const day = (ms) => new Intl.DateTimeFormat("en-CA", { timeZone: timezone }).format(new Date(ms));
    const options = { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (day(end) !== day(this.ctx.serverNow())) Object.assign(options, { month: "short", day: "numeric" });
    const time = new Intl.DateTimeFormat(lang, options).format(new Date(end));
    return this.ctx.say("adm_until", { time, left: this.ctx.describeAge(end - this.ctx.serverNow()) });
  }

  // One line: "Closed to ambulances (whole hospital): ICU full — only walking wounded · until 18:30 (… left)".
  describe(admission) {
    const head = admission.whole ? this.ctx.say("adm_whole", { status: this.status(admission.status) })
      : this.status(admission.status);
    return [`${head}: ${this.reason(admission)}`, this.until(admission)].filter(Boolean).join(" · ");
  }

  // The lines of a group of sections (a cell, a hospital): the whole hospital's status once, then each section's own.
  describeSections(items) {
    const lines = [];
    let wholeSaid = false;
    for (const section of items) {
      const admission = admissionOf(section);
      if (!admission) continue;
      if (admission.whole) {
        if (!wholeSaid) lines.unshift(this.describe(admission));
        wholeSaid = true;
      } else {
        lines.push(`${section.name}: ${this.describe(admission)}`);
      }
    }
    return lines;
  }
}

// The mark as an element: its sign for the eye, its word for a screen reader and for a reader who does not know the
// sign (the legend says it too).
export function markElement(status, className = "adm-mark") {
  const mark = document.createElement("span");
  mark.className = `${className} ${status}`;
  mark.textContent = MARKS[status];
  mark.setAttribute("aria-hidden", "true");
  return mark;
}

// One tip for the page, shown next to whatever marked element the pointer is over or the keyboard is on; the
// element names the text with `describe(element)` at that moment, so the time left is always current.
export function installTip(container, describe) {
  const tip = document.createElement("div");
  tip.id = "admission-tip";
  tip.className = "admission-tip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  document.body.append(tip);
  let shownFor = null;
  const show = (target) => {
    const lines = describe(target);
    if (!lines.length) { hide(); return; }
    shownFor = target;
    tip.replaceChildren(...lines.map((line) => Object.assign(document.createElement("p"), { textContent: line })));
    tip.hidden = false;
    const box = target.getBoundingClientRect();
    const left = Math.min(box.left, window.innerWidth - tip.offsetWidth - 8);
    const below = box.bottom + 4 + tip.offsetHeight < window.innerHeight;
    tip.style.left = `${Math.max(4, left)}px`;
    tip.style.top = `${below ? box.bottom + 4 : Math.max(4, box.top - tip.offsetHeight - 4)}px`;
  };
  const hide = () => { tip.hidden = true; shownFor = null; };
  const marked = (event) => event.target.closest?.("[data-admission]");
  container.addEventListener("mouseover", (event) => { const target = marked(event); if (target) show(target); });
  container.addEventListener("mouseout", (event) => {
    if (shownFor && !shownFor.contains(event.relatedTarget)) hide();
  });
  container.addEventListener("focusin", (event) => { const target = marked(event); if (target) show(target); else hide(); });
  container.addEventListener("focusout", hide);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") hide(); });
  return { refresh: () => { if (shownFor?.isConnected) show(shownFor); else hide(); } };
}
