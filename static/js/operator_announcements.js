// The hospital's incoming patients (issue 22), on the operator's screen: the announcements a coordinator made to
// this hospital, live from the hospital's own socket (/ws/dispatch: it carries this hospital's announcements and
// nothing else), each with its ETA counting down and an Acknowledge button; a sound repeats until every announced
// patient is acknowledged (the board's alert sound, static/js/board_alerts.js). Arrived closes one.

import { Link } from "./link_state.js";
import { repeatingSound } from "./repeating_sound.js";

const panel = document.getElementById("announcements-panel");
const messages = JSON.parse(document.getElementById("announcement-messages").textContent);
const list = document.getElementById("announcement-list");
const none = document.getElementById("announcements-none");
const counter = document.getElementById("announcement-count");
const linkState = document.getElementById("announcements-link");
const soundButton = document.getElementById("announcement-sound");
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const lang = panel.dataset.lang || "en";
const timezone = panel.dataset.timezone || undefined;
const OPEN = new Set(["announced", "acknowledged"]);

const shown = new Map(); // id -> announcement (the newest version seen)
let categories = {};
let serverOffset = 0; // server time minus this computer's, from the frames
// The sound repeats until every announced patient is acknowledged (lower and longer than the board's alerts).
const sound = repeatingSound({ key: "bedboard.announcementSound", button: soundButton, messages, waiting,
                               tone: { frequency: 660, gain: 0.25, seconds: 0.8 } });

function say(key, values = {}) {
  return (messages[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function timeOf(iso) {
  return new Intl.DateTimeFormat(lang, { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .format(new Date(iso));
}

function countdown(announcement) {
  const minutes = Math.round((Date.parse(announcement.eta_at) - (Date.now() + serverOffset)) / 60000);
  if (minutes > 0) return say("arrives_in", { minutes });
  if (minutes === 0) return say("due_now");
  return say("late", { minutes: -minutes });
}

function categoryName(code) {
  const found = categories[code];
  return found ? (lang === "ro" ? found.name_ro : found.name_en) : code;
}

function item(announcement) {
  const row = document.createElement("li");
  row.className = `announcement urgency-${announcement.urgency} state-${announcement.state}`;
  row.dataset.announcementId = announcement.id;
  const head = document.createElement("strong");
  head.textContent = `${messages.urgency[announcement.urgency] || announcement.urgency} · ${categoryName(announcement.category)}`;
  const eta = document.createElement("span");
  eta.className = "announcement-eta";
  eta.dataset.eta = announcement.eta_at;
  eta.textContent = `${countdown(announcement)} (${timeOf(announcement.eta_at)})`;
  const facts = document.createElement("span");
  const typeName = lang === "ro" ? announcement.section_type_name_ro : announcement.section_type_name_en;
  facts.textContent = [typeName, say("age", { band: announcement.age_band }),
    ...announcement.flags.map((flag) => messages.flags[flag] || flag)].join(" · ");
  const parts = [head, " ", eta, document.createElement("br"), facts];
  if (announcement.note) {
    const note = document.createElement("q");
    note.textContent = announcement.note;
    parts.push(document.createElement("br"), note);
  }
  const status = document.createElement("span");
  status.className = "announcement-status";
  status.textContent = announcement.state === "acknowledged"
    ? say("acknowledged_by", { who: announcement.acknowledged_by }) : say("waiting");
  if (announcement.hold && !announcement.hold.released_at) {
    status.textContent += ` · ${say("held_until", { time: timeOf(announcement.hold.expires_at) })}`;
  }
  parts.push(document.createElement("br"), status, " ");
  if (announcement.state === "announced") parts.push(button("acknowledge", announcement), " ");
  parts.push(button("arrived", announcement, "secondary"));
  row.append(...parts);
  return row;
}

function button(step, announcement, style = "") {
  const control = document.createElement("button");
  control.type = "button";
  control.className = `${style} announcement-${step}`.trim();
  control.textContent = messages[step];
  control.addEventListener("click", async () => {
    control.disabled = true;
    const response = await fetch(`/api/v1/announcements/${announcement.id}/${step}`, {
      method: "POST", credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken },
    });
    if (response.ok) remember(await response.json());
    else control.disabled = false;
    render();
  });
  return control;
}

function waiting() { return [...shown.values()].filter((found) => found.state === "announced").length; }

function render() {
  const open = [...shown.values()].filter((found) => OPEN.has(found.state))
    .sort((a, b) => Date.parse(a.eta_at) - Date.parse(b.eta_at));
  list.replaceChildren(...open.map(item));
  counter.textContent = String(open.length);
  none.hidden = open.length > 0;
  panel.classList.toggle("has-waiting", waiting() > 0);
}

function remember(announcement) {
  const known = shown.get(announcement.id);
  if (!known || known.version <= announcement.version) shown.set(announcement.id, announcement);
}

function onMessage(message) {
  if (message.server_time) serverOffset = Date.parse(message.server_time) - Date.now();
  if (message.type === "snapshot") {
    shown.clear();
    for (const announcement of message.announcements || []) remember(announcement);
    link.markCurrent();
    render();
  } else if (message.type === "announcement") {
    const fresh = !shown.has(message.announcement.id);
    remember(message.announcement);
    render();
    if (fresh) sound.beep();
  }
}

const link = new Link({
  url: `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws/dispatch`,
  heartbeatMs: messages.heartbeat_seconds * 1000,
  onOpen: () => link.send({ type: "subscribe", filters: {}, since: null, epoch: null }),
  onMessage,
  onChange: () => {
    linkState.textContent = link.live ? messages.live : messages.offline;
    panel.classList.toggle("offline", !link.live);
  },
  onSessionEnded: () => location.assign(`/login?next=${encodeURIComponent(location.pathname)}`),
});

async function loadCategories() {
  const response = await fetch("/api/v1/announcements/categories", { credentials: "same-origin" });
  if (!response.ok) return;
  categories = Object.fromEntries((await response.json()).categories.map((found) => [found.code, found]));
  render();
}

loadCategories();
link.start();
setInterval(() => {
  for (const eta of list.querySelectorAll(".announcement-eta")) {
    eta.textContent = `${countdown({ eta_at: eta.dataset.eta })} (${timeOf(eta.dataset.eta)})`;
  }
}, 15000);
