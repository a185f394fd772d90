// The board's alert panel (issue 21): the alerts the server fired for this reader, each with an Acknowledge
// button, and an optional sound that repeats until every alert is acknowledged. Fed by the board's own socket
// frames (board.js dispatches each as a "board:message" event): the snapshot carries the open alerts, then
// "alert" and "alert_acknowledged" frames come live, and again after a resume with `since` (keyed by id, so a
// frame seen twice changes nothing). A wall screen (?wall=1) shows the panel without sound.

import { repeatingSound } from "./repeating_sound.js";

const panel = document.getElementById("alerts-panel");
const messages = JSON.parse(document.getElementById("alert-messages").textContent);
const list = document.getElementById("alert-list");
const none = document.getElementById("alerts-none");
const counter = document.getElementById("alert-count");
const soundButton = document.getElementById("alert-sound");
const wall = panel.dataset.wall === "1";
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const lang = document.getElementById("board")?.dataset.lang || "en";
const timezone = document.getElementById("board")?.dataset.timezone;

const open = new Map(); // alert id -> alert
const closed = new Set(); // acknowledged ids: a late "alert" frame of one of them does not bring it back
// The sound repeats until every alert is acknowledged; a wall screen never sounds.
const sound = repeatingSound({ key: "bedboard.alertSound", button: soundButton, messages, waiting: () => open.size,
                               tone: { frequency: 880, gain: 0.2, seconds: 0.6 }, muted: wall });

function say(key, values = {}) {
  return (messages[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function place(details) {
  return details.section_name ? `${details.section_name} (${details.hospital_name})` : details.hospital_name;
}

function describe(alert) {
  const d = alert.details;
  if (alert.kind === "below") {
    const where = d.hospital_names?.length ? d.hospital_names.join(", ") : messages.all_hospitals;
    const type = lang === "ro" ? d.section_type_name_ro : d.section_type_name_en;
    return say("below", { type, free: d.free_beds, where, threshold: d.threshold });
  }
  const key = alert.kind === "admission" ? (d.after === "open" ? "reopened" : d.after) : alert.kind;
  return say(key, { place: place(d), free: d.free_beds, reason: d.reason || d.reason_code || messages.no_reason });
}

function timeOf(iso) {
  return new Intl.DateTimeFormat(lang, { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .format(new Date(iso));
}

function render() {
  list.replaceChildren(...[...open.values()].sort((a, b) => b.seq - a.seq).map((alert) => {
    const item = document.createElement("li");
    item.className = "alert-item";
    item.dataset.alertId = alert.id;
    const icon = document.createElement("span");
    icon.className = "alert-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "⚠";
    const text = document.createElement("span");
    text.className = "alert-text";
    text.textContent = `${describe(alert)} `;
    const when = document.createElement("span");
    when.className = "muted";
    when.textContent = say("fired", { time: timeOf(alert.fired_at) });
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary alert-ack";
    button.textContent = messages.acknowledge;
    button.addEventListener("click", () => acknowledge(alert.id, button));
    item.append(icon, " ", text, when, " ", button);
    return item;
  }));
  counter.textContent = String(open.size);
  none.hidden = open.size > 0;
  panel.classList.toggle("has-alerts", open.size > 0);
}

async function acknowledge(id, button) {
  button.disabled = true;
  const response = await fetch(`/api/v1/alerts/${id}/acknowledge`, {
    method: "POST", headers: { Accept: "application/json", "X-CSRF-Token": csrfToken }, credentials: "same-origin",
  });
  if (response.ok) forget(id);
  else button.disabled = false;
}

function forget(id) {
  closed.add(id);
  if (open.delete(id)) render();
}

function remember(alert) {
  if (alert.acknowledged_at) { forget(alert.id); return; }
  if (closed.has(alert.id)) return;
  open.set(alert.id, alert);
}

document.addEventListener("board:message", (event) => {
  const message = event.detail;
  if (message.type === "snapshot" && Array.isArray(message.alerts)) {
    open.clear();
    for (const alert of message.alerts) remember(alert);
    render();
  } else if (message.type === "alert") {
    remember(message.alert);
    render();
    sound.beep();
  } else if (message.type === "alert_acknowledged") {
    forget(message.alert_id);
  }
});

render();
