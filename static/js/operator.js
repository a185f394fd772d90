// The operator screen in place: Enter saves the row, Tab moves to the next section's number.
// Without this script the same forms post and the page comes back; nothing here is required to save.
// A number typed and not yet saved is never lost: its row says "Not saved", no confirmation calls the
// stored number right over it, and leaving the page asks first. The server decides (permissions,
// versions, audit); this script only sequences what the operator does.

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

function boxOf(row) { return row.querySelector(".free-input"); }

function typedIn(row) { return boxOf(row).value.trim().replace("\u2212", "-"); }

// Unsaved: the box holds something other than the stored number (data-saved, kept current by showSection).
function isUnsaved(row) { return typedIn(row) !== boxOf(row).dataset.saved; }

function markUnsaved(row) {
  row.querySelector(".unsaved-mark").hidden = !isUnsaved(row);
  row.classList.toggle("unsaved", isUnsaved(row));
}

function unsavedRows() { return [...screen.querySelectorAll("tr[data-section-id]")].filter(isUnsaved); }

function sectionName(row) { return row.querySelector(".name").textContent.trim(); }

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
  input.dataset.saved = String(section.free_beds);
  row.querySelector('input[name="shown_free_beds"]').value = String(section.free_beds);
  markUnsaved(row);
  input.classList.toggle("negative", section.free_beds < 0);
  row.querySelector('input[name="expected_version"]').value = String(section.version);
  document.querySelectorAll(`.version-of-${section.id}`).forEach((field) => { field.value = String(section.version); });
  const meter = row.querySelector("meter");
  if (meter && section.occupancy_pct !== null) {
    meter.value = Math.max(0, Math.min(100, section.occupancy_pct));
    row.querySelector(".pct").textContent = `${Math.round(section.occupancy_pct)}%`;
  }
  showLastUpdate(row, section);
}

// As operator.html writes it: who changed it and when, and who confirmed it since, if anyone did.
function showLastUpdate(row, section) {
  const updated = row.querySelector(".updated");
  updated.replaceChildren();
  const line = (className, key, time, who) => {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = say(key, { time: localTime(time), who });
    updated.append(span);
  };
  if (section.updated_at) line("changed", "changed_by", section.updated_at, section.updated_by);
  if (section.confirmed_at && (!section.updated_at || section.confirmed_at > section.updated_at)) {
    line("confirmed", "confirmed_by", section.confirmed_at, section.confirmed_by);
  }
  row.classList.remove("stale");
  settleOverdue(row.dataset.sectionId);
}

// A section saved or confirmed in place is no longer overdue: off the banner, whose count follows in the
// reader's plural (the forms come from the catalogue); with none left the banner goes.
function settleOverdue(sectionId) {
  const banner = document.getElementById("overdue-banner");
  const item = banner?.querySelector(`li[data-section-id="${sectionId}"]`);
  if (!item) return;
  item.remove();
  const left = banner.querySelectorAll("li[data-section-id]").length;
  if (!left) { banner.remove(); return; }
  const forms = JSON.parse(banner.dataset.forms);
  const category = new Intl.PluralRules(screen.dataset.lang).select(left);
  banner.querySelector(".overdue-count").textContent = (forms[category] ?? forms.other).replace("{count}", String(left));
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
  const cancel = button(say("cancel"), () => {
    // Cancelled: the box shows the stored number again, as it was before the negative was typed.
    panel.remove();
    boxOf(row).value = boxOf(row).dataset.saved;
    markUnsaved(row);
    setMessage(row, "");
    boxOf(row).focus();
  }, "secondary");
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
    return false;
  }
  const answer = await response.json().catch(() => ({}));
  if (response.ok) {
    clearPanels(row);
    showSection(row, answer.section);
    setMessage(row, say("saved"));
    flash(row);
    return true;
  }
  if (response.status === 409 && answer.error?.details?.current) {
    setMessage(row, "");
    showConflict(row, answer.error.details.current, value, reason);
  } else if (response.status === 401 || response.status === 403 || response.redirected) {
    setMessage(row, say("logged_out"), "error");
  } else {
    setMessage(row, answer.error?.message || say("invalid"), "error");
  }
  return false;
}

// The number in the box, or null with the row's message saying why it is not one.
function typedNumber(row) {
  const typed = typedIn(row);
  if (!typed) { setMessage(row, say("empty"), "error"); return null; }
  if (!WHOLE_NUMBER.test(typed)) { setMessage(row, say("invalid"), "error"); return null; }
  const value = Number.parseInt(typed, 10);
  if (value < -999 || value > 9999) { setMessage(row, say("range", { min: -999, max: 9999 }), "error"); return null; }
  return value;
}

function onSubmit(event) {
  event.preventDefault();
  const row = rowOf(event.target);
  const value = typedNumber(row);
  if (value === null) return;
  // Enter on the stored number says "still right": a confirmation, not a change from N to N.
  if (String(value) === boxOf(row).dataset.saved) { boxOf(row).value = String(value); confirm([row]); return; }
  // The page may already hold the server's question (the number was sent before this script ran): its
  // "Save -1" is the answer, not a reason to ask again.
  const answered = event.submitter?.closest(".negative-confirm");
  if (value < 0 && answered) { save(row, value, answered.querySelector('input[name="reason"]')?.value ?? ""); return; }
  if (value < 0) { askNegative(row, value); return; }
  save(row, value);
}

// Confirms the given rows at the versions the operator saw; the server refuses any that changed since.
async function confirm(rows) {
  const fields = {};
  for (const row of rows) fields[`version-${row.dataset.sectionId}`] = row.querySelector('input[name="expected_version"]').value;
  if (!rows.length) return;
  let response;
  try {
    response = await post("/operator/confirm", fields);
  } catch {
    rows.forEach((row) => setMessage(row, say("offline"), "error"));
    return;
  }
  if (!response.ok) return;
  const answer = await response.json();
  for (const section of answer.sections) {
    const row = document.getElementById(`section-${section.id}`);
    if (!row) continue;
    showLastUpdate(row, section);
    setMessage(row, say("confirmed"));
    flash(row);
  }
  for (const current of answer.conflicts) {
    const row = document.getElementById(`section-${current.id}`);
    if (row) showConflict(row, current, current.free_beds, "");
  }
}

// Asks what to do with the unsaved numbers: "save", "others" (confirm only the others) or "cancel".
function askAboutUnsaved(rows) {
  const question = document.getElementById("unsaved-question");
  const list = question.querySelector(".unsaved-list");
  list.replaceChildren(...rows.map((row) => {
    const item = document.createElement("li");
    item.textContent = `${sectionName(row)}: ${typedIn(row)}`;
    return item;
  }));
  return new Promise((resolve) => {
    const answer = (event) => {
      question.querySelectorAll("button").forEach((choice) => choice.removeEventListener("click", answer));
      question.removeEventListener("cancel", answer);
      question.close();
      resolve(event.type === "cancel" ? "cancel" : event.currentTarget.value);
    };
    question.querySelectorAll("button").forEach((choice) => choice.addEventListener("click", answer));
    question.addEventListener("cancel", answer);
    question.showModal();
  });
}

async function onConfirm(event) {
  event.preventDefault();
  const form = event.target;
  const rows = [...form.querySelectorAll('input[name^="version-"]')]
    .map((field) => document.getElementById(`section-${field.name.slice("version-".length)}`)).filter(Boolean);
  const unsaved = rows.filter(isUnsaved);
  const note = document.getElementById("confirm-all-message");
  if (note) note.textContent = "";
  if (!unsaved.length) { await confirm(rows); return; }
  if (!form.classList.contains("confirm-all")) {  // "Still right" on a row whose box holds another number
    setMessage(unsaved[0], say("unsaved_row"), "error");
    boxOf(unsaved[0]).focus();
    return;
  }
  const choice = await askAboutUnsaved(unsaved);
  if (choice === "cancel") return;
  const leftAlone = [];
  if (choice === "save") {
    for (const row of unsaved) {  // one by one: each save may need its own answer (a conflict)
      const value = typedNumber(row);
      if (value === null || value < 0 || !(await save(row, value))) leftAlone.push(row);
    }
  } else {
    leftAlone.push(...unsaved);
  }
  await confirm(rows.filter((row) => !unsaved.includes(row)));
  if (leftAlone.length && note) note.textContent = say("left_alone", { sections: leftAlone.map(sectionName).join(", ") });
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
  for (const box of screen.querySelectorAll(".free-input")) {
    box.addEventListener("input", () => markUnsaved(rowOf(box)));
  }
  // Leaving the page (a link, a reload, closing the tab) with a number not saved asks first.
  window.addEventListener("beforeunload", (event) => {
    if (unsavedRows().length) { event.preventDefault(); event.returnValue = ""; }
  });
}
