// The operator screen in place: Enter saves the row, Tab moves to the next section's number.
// Without this script the same forms post and the page comes back; nothing here is required to save.

const screen = document.getElementById("operator");
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const messages = JSON.parse(document.getElementById("operator-messages")?.textContent || "{}");
const WHOLE_NUMBER = /^[+-]?\d{1,7}$/;

function say(key, values = {}) {
  return (messages[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// As the server writes a moment (app/kit/i18n.py format_moment): the reader's language, the month by name, the
// year, a 24-hour time, in the organisation's zone; the browser and Babel read the same CLDR data.
function localTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(screen.dataset.lang, {
    timeZone: screen.dataset.timezone, year: "numeric", month: "short", day: "numeric", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23",
  }).format(new Date(iso));
}

function rowOf(element) { return element.closest("tr[data-section-id]"); }

function setMessage(row, text, kind = "") {
  const message = row.querySelector(".row-message");
  message.textContent = text;
  message.classList.toggle("error-text", kind === "error");
  row.querySelector(".free-input").setAttribute("aria-invalid", kind === "error" ? "true" : "false");
}

function clearPanels(row) {
  row.querySelectorAll(".negative-confirm, .conflict").forEach((panel) => panel.remove());
}

function flash(row) {
  row.classList.remove("saved");
  void row.offsetWidth; // restart the animation
  row.classList.add("saved");
}

function showSection(row, section) {
  const input = row.querySelector(".free-input");
  input.value = String(section.free_beds);
  input.classList.toggle("negative", section.free_beds < 0);
  row.querySelector('input[name="expected_version"]').value = String(section.version);
  document.querySelectorAll(`.version-of-${section.id}`).forEach((field) => { field.value = String(section.version); });
  const meter = row.querySelector("meter");
  if (meter && section.occupancy_pct !== null) {
    meter.value = Math.max(0, Math.min(100, section.occupancy_pct));
    row.querySelector(".pct").textContent = `${Math.round(section.occupancy_pct)}%`;
  }
  const updated = row.querySelector(".updated");
  updated.replaceChildren();
  const changed = document.createElement("span");
  changed.className = "changed";
  changed.textContent = say("changed_by", { time: localTime(section.updated_at), who: section.updated_by });
  updated.append(changed);
  row.classList.remove("stale");
}

function button(text, onClick, className = "") {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = text;
  if (className) element.className = className;
  element.addEventListener("click", onClick);
  return element;
}

function askNegative(row, value) {
  clearPanels(row);
  const panel = document.createElement("div");
  panel.className = "negative-confirm";
  panel.setAttribute("role", "group");
  const text = document.createElement("p");
  text.textContent = say("negative", { value });
  const label = document.createElement("label");
  label.textContent = say("reason");
  const reason = document.createElement("input");
  reason.maxLength = 200;
  reason.className = "reason-input";
  label.append(" ", reason);
  const confirm = button(say("save_value", { value }), () => { panel.remove(); save(row, value, reason.value); });
  const cancel = button(say("cancel"), () => { panel.remove(); row.querySelector(".free-input").focus(); }, "secondary");
  reason.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); confirm.click(); }
  });
  panel.append(text, label, confirm, cancel);
  row.querySelector(".save-form").after(panel);
  confirm.focus();
}

function showConflict(row, current, value, reason) {
  clearPanels(row);
  const panel = document.createElement("div");
  panel.className = "conflict";
  panel.setAttribute("role", "alert");
  const text = document.createElement("p");
  text.textContent = say("conflict", { who: current.updated_by || "?", time: localTime(current.updated_at),
                                       free_beds: current.free_beds });
  const overwrite = button(say("overwrite"), () => {
    panel.remove();
    row.querySelector('input[name="expected_version"]').value = String(current.version);
    save(row, value, reason);
  });
  const keep = button(say("keep", { value: current.free_beds }), () => {
    panel.remove();
    showSection(row, current);
    setMessage(row, "");
    row.querySelector(".free-input").focus();
  }, "secondary");
  panel.append(text, overwrite, keep);
  row.querySelector(".save-form").after(panel);
}

async function post(url, fields) {
  return fetch(url, {
    method: "POST",
    headers: { Accept: "application/json", "X-CSRF-Token": csrfToken },
    body: new URLSearchParams(fields),
    credentials: "same-origin",
  });
}

async function save(row, value, reason = "") {
  const form = row.querySelector(".save-form");
  const version = form.querySelector('input[name="expected_version"]').value;
  setMessage(row, say("saving"));
  let response;
  try {
    response = await post(form.action, { free_beds: String(value), expected_version: version, reason,
                                         confirm_negative: value < 0 ? "1" : "0" });
  } catch {
    setMessage(row, say("offline"), "error");
    return;
  }
  const answer = await response.json().catch(() => ({}));
  if (response.ok) {
    clearPanels(row);
    showSection(row, answer.section);
    setMessage(row, say("saved"));
    flash(row);
  } else if (response.status === 409 && answer.error?.details?.current) {
    setMessage(row, "");
    showConflict(row, answer.error.details.current, value, reason);
  } else if (response.status === 401 || response.status === 403 || response.redirected) {
    setMessage(row, say("logged_out"), "error");
  } else {
    setMessage(row, answer.error?.message || say("invalid"), "error");
  }
}

function onSubmit(event) {
  event.preventDefault();
  const row = rowOf(event.target);
  const typed = row.querySelector(".free-input").value.trim().replace("\u2212", "-");
  if (!typed) { setMessage(row, say("empty"), "error"); return; }
  if (!WHOLE_NUMBER.test(typed)) { setMessage(row, say("invalid"), "error"); return; }
  const value = Number.parseInt(typed, 10);
  if (value < -999 || value > 9999) { setMessage(row, say("range", { min: -999, max: 9999 }), "error"); return; }
  if (value < 0) { askNegative(row, value); return; }
  save(row, value);
}

async function onConfirm(event) {
  event.preventDefault();
  const form = event.target;
  const fields = Object.fromEntries(new FormData(form));
  delete fields.csrf_token;
  let response;
  try {
    response = await post(form.action, fields);
  } catch {
    return;
  }
  if (!response.ok) return;
  const answer = await response.json();
  for (const id of answer.confirmed) {
    const row = document.getElementById(`section-${id}`);
    if (!row) continue;
    row.classList.remove("stale");
    row.querySelectorAll(".stale-text").forEach((note) => note.remove());
    setMessage(row, say("confirmed"));
    flash(row);
  }
  for (const current of answer.conflicts) {
    const row = document.getElementById(`section-${current.id}`);
    if (row) showConflict(row, current, current.free_beds, "");
  }
}

if (screen) {
  for (const form of screen.querySelectorAll(".save-form")) {
    form.addEventListener("submit", onSubmit);
    // Tab goes from one section's number to the next; the buttons stay reachable by mouse and by the form.
    form.querySelector("button.save").tabIndex = -1;
  }
  for (const form of screen.querySelectorAll(".confirm-form, .confirm-all")) {
    form.addEventListener("submit", onConfirm);
  }
  screen.querySelectorAll(".confirm-form button").forEach((element) => { element.tabIndex = -1; });
}
