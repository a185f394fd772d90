// The board's part of the dispatch (issue 22). Each matrix cell with patients announced to that hospital's section
// type, or beds held for them, says so beside its free count ("12 · 1 held · 2 announced"), and so do the type's line in
// the cards ("By hospital") and the map's marker (board_map.js sends the same events): the counts come from
// /board/dispatch-counts, read again after each snapshot and each "announcement" frame of the board's socket
// (board.js dispatches every frame as a "board:message" event). The operator's count itself is never changed by a
// hold. The coordinator who announced is told here when the hospital acknowledges, and when it has not in time.

// Also imported by Find a bed (board_find.js: heldAt): a module runs once, whichever imports it first.
const messagesElement = document.getElementById("dispatch-board-messages");
const messages = messagesElement ? JSON.parse(messagesElement.textContent) : null;
const notices = document.getElementById("dispatch-notices");
const root = document.getElementById("board") || document.getElementById("board-map"); // the board or its map
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

// "1 held · 2 announced" in the reader's language, "" when there is neither.
export function countWords(found) {
  if (!messages) return "";
  const words = [];
  if (found?.held) words.push(plural(messages.held, found.held));
  if (found?.announced) words.push(plural(messages.announced, found.announced));
  return words.join(" · ");
}

// Where the counts go: a matrix cell's button, and in the cards ("By hospital") the cell of "of 40" on the line of
// the section type that board.js marked with the hospital and the type.
function places() {
  const cells = [...document.querySelectorAll("button.cell-button[data-hospital][data-type]")]
    .map((button) => [button, button]);
  const lines = [...document.querySelectorAll("tr.section[data-hospital][data-type]")]
    .map((row) => [row, row.querySelector("td.total")]).filter(([, cell]) => cell);
  return [...cells, ...lines];
}

// Each count in a span of its own, the " · " between them in one too: in a matrix cell dispatch.css puts each count
// on a short line of a cell's age's size and hides the dot (the text stays "1 held · 1 announced"). Measured on the
// 1366 px desk matrix with counts in four hospitals' rows: 165 px taller with the words wrapped at 0.8em, 134 with
// these lines; the rest is the columns the words widen, which wrap the hospitals' names (app/beds/dispatch/demo.py).
function fill(mark, text) {
  const span = (className, words) => Object.assign(document.createElement("span"), { className, textContent: words });
  mark.replaceChildren(...text.split(" · ").flatMap((words, index) => [
    ...(index ? [span("dispatch-dot", " · ")] : []), span("dispatch-count", words)]));
}

function decorate() {
  for (const [keyed, place] of places()) {
    const text = countWords(counts.get(`${keyed.dataset.hospital}-${keyed.dataset.type}`));
    let mark = place.querySelector(".dispatch-counts");
    if (!text) { mark?.remove(); continue; }
    if (!mark) {
      mark = document.createElement("span");
      mark.className = "dispatch-counts";
      mark.dataset.testid = "dispatch-counts";
      place.append(mark);
    }
    if (mark.textContent !== text) fill(mark, text);
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

// Held beds and announced patients at a hospital in one section type: the map's markers (board_map.js).
export function countsAt(hospitalId, typeId) {
  return counts.get(`${hospitalId}-${typeId}`) ?? { held: 0, announced: 0 };
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
  const board = document.getElementById("board"); // the map (board_map.js) draws its own markers
  if (board) new MutationObserver(() => decorate()).observe(board, { childList: true, subtree: true });
  readCounts();
  if (document.getElementById("announce-link")) readCategories();
}
