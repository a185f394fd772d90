// The board's part of the dispatch (issue 22). Each matrix cell with patients announced to that hospital's section
// type, or beds held for them, says so beside its free count ("12 · 1 held · 2 announced"): the counts come from
// /board/dispatch-counts, read again after each snapshot and each "announcement" frame of the board's socket
// (board.js dispatches every frame as a "board:message" event). The operator's count itself is never changed by a
// hold. The coordinator who announced is told here when the hospital acknowledges, and when it has not in time.

// Also imported by Find a bed (board_find.js: heldAt): a module runs once, whichever imports it first.
const messagesElement = document.getElementById("dispatch-board-messages");
const messages = messagesElement ? JSON.parse(messagesElement.textContent) : null;
const notices = document.getElementById("dispatch-notices");
const root = document.getElementById("board");
const lang = root?.dataset.lang || "en";
const timezone = root?.dataset.timezone || undefined;
let counts = new Map(); // "hospital-type" -> {announced, held}
let reading = null;
let categories = {};

function say(key, values = {}) {
  return (messages[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function plural(forms, number) {
  const category = new Intl.PluralRules(lang).select(number);
  return (forms[category] ?? forms.other).replace("{count}", number.toLocaleString(lang));
}

function timeOf(iso) {
  return new Intl.DateTimeFormat(lang, { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .format(new Date(iso));
}

function decorate() {
  for (const button of document.querySelectorAll("button.cell-button[data-hospital][data-type]")) {
    const found = counts.get(`${button.dataset.hospital}-${button.dataset.type}`);
    const words = [];
    if (found?.held) words.push(plural(messages.held, found.held));
    if (found?.announced) words.push(plural(messages.announced, found.announced));
    const text = words.join(" · ");
    let mark = button.querySelector(".dispatch-counts");
    if (!text) { mark?.remove(); continue; }
    if (!mark) {
      mark = document.createElement("span");
      mark.className = "dispatch-counts";
      mark.dataset.testid = "dispatch-counts";
      button.append(mark);
    }
    if (mark.textContent !== text) mark.textContent = text;
  }
}

let asked = 0; // reads are numbered: a slow older answer must not overwrite a newer one
let applied = 0;

async function readCounts() {
  const number = ++asked;
  const response = await fetch("/board/dispatch-counts", { credentials: "same-origin" });
  if (!response.ok) return;
  const body = await response.json();
  if (number < applied) return;
  applied = number;
  counts = new Map(body.counts.map((found) => [`${found.hospital_id}-${found.section_type_id}`, found]));
  decorate();
  document.dispatchEvent(new CustomEvent("dispatch:counts"));
}

// "1 held" in the reader's language (the matrix's words), for Find a bed.
export function heldWords(held) {
  return messages ? plural(messages.held, held) : String(held);
}

// Beds held at a hospital in these section types: Find a bed counts them as not available to others.
export function heldAt(hospitalId, typeIds) {
  let held = 0;
  for (const typeId of typeIds) held += counts.get(`${hospitalId}-${typeId}`)?.held ?? 0;
  return held;
}

function readSoon() {
  clearTimeout(reading);
  reading = setTimeout(readCounts, 200); // one read for a burst of frames
}

function tell(key, announcement) {
  const item = document.createElement("li");
  const type = lang === "ro" ? announcement.section_type_name_ro : announcement.section_type_name_en;
  const category = categories[announcement.category];
  const categoryName = category ? (lang === "ro" ? category.name_ro : category.name_en) : announcement.category;
  item.textContent = `${say(key, { hospital: announcement.hospital_name, category: categoryName,
                                   time: timeOf(announcement.eta_at) })} (${type}) `;
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "secondary";
  dismiss.textContent = messages.dismiss;
  dismiss.addEventListener("click", () => item.remove());
  item.append(dismiss);
  notices.prepend(item);
}

const acknowledged = new Set();
document.addEventListener("board:message", (event) => {
  if (!messages) return;
  const message = event.detail;
  if (message.type === "snapshot" || message.type === "resumed") readSoon();
  else if (message.type === "announcement") {
    readSoon();
    const announcement = message.announcement;
    if (announcement.state === "acknowledged" && !acknowledged.has(announcement.id)) {
      acknowledged.add(announcement.id);
      tell("acknowledged_at", announcement);
    }
  } else if (message.type === "announcement_unacknowledged") {
    tell("unacknowledged", message.announcement);
  }
});

async function readCategories() {
  const response = await fetch("/api/v1/announcements/categories", { credentials: "same-origin" });
  if (!response.ok) return; // not a reader of announcements (an auditor's board): the codes stand
  categories = Object.fromEntries((await response.json()).categories.map((found) => [found.code, found]));
}

if (messages) {
  // The matrix is redrawn by board.js on every change: put the counts back on its new cells.
  const board = document.getElementById("board") || document.body;
  new MutationObserver(() => decorate()).observe(board, { childList: true, subtree: true });
  readCounts();
  if (document.getElementById("announce-link")) readCategories();
}
