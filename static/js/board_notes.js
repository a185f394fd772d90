// Clarification notes in a cell's details (issue 21): for the hospital's status and each section's that is limited
// or closed, the notes this reader may see (GET /board/admission-notes) and, for coordinators and administrators, a
// form to ask (POST /board/admission-notes, JSON, with the page's CSRF token). The server decides who reads what:
// another authority's coordinators get an empty list. Texts come translated in #admission-note-messages.

function messages() {
  const script = document.getElementById("admission-note-messages");
  return script ? JSON.parse(script.textContent) : null;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function noteItem(note) {
  const li = element("li", "note");
  li.append(element("strong", "", note.author), ` (${note.organisation}), ${note.written_at_text}: `,
            element("span", "text", note.text));
  return li;
}

async function send(target, text) {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const response = await fetch("/board/admission-notes", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify({ ...target, text }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message || String(response.status));
  return body.note;
}

function block(target, title, say) {
  const box = element("div", "cell-notes");
  box.append(element("p", "cell-notes-title", title));
  const list = element("ol", "notes");
  box.append(list);
  const query = target.section_id ? `section_id=${target.section_id}` : `hospital_id=${target.hospital_id}`;
  fetch(`/board/admission-notes?${query}`, { headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : { notes: [] }))
    .then(({ notes }) => notes.forEach((note) => list.append(noteItem(note))))
    .catch(() => { /* the link is down: the details show the status without its notes */ })
    .finally(() => { list.dataset.loaded = "true"; });
  if (!say.may_ask) return box;
  const form = element("form", "note-form");
  const id = `ask-${target.section_id || `h${target.hospital_id}`}`;
  const label = element("label", "", say.ask);
  label.htmlFor = id;
  const text = element("textarea");
  Object.assign(text, { id, name: "text", rows: 2, maxLength: 500 });
  const button = element("button", "secondary", say.send);
  button.type = "submit";
  const status = element("span", "note-status");
  status.setAttribute("role", "status");
  form.append(label, text, button, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      list.append(noteItem(await send(target, text.value)));
      text.value = "";
      status.textContent = say.sent;
    } catch (error) {
      status.textContent = error.message;
    }
  });
  box.append(form);
  return box;
}

// Called by the matrix when it opens a cell: `sections` are the hospital's, `whole` its own status (or null).
export function attachNotes(dialog, sections, whole) {
  const say = messages();
  if (!say || !sections.length) return;
  const hospitalId = sections[0].hospital_id;
  const blocks = [];
  if (whole && whole.status !== "open") {
    blocks.push(block({ hospital_id: hospitalId }, say.whole, say));
  }
  for (const section of sections) {
    if (section.admission && section.admission.status !== "open") {
      blocks.push(block({ hospital_id: hospitalId, section_id: section.id }, section.name, say));
    }
  }
  if (blocks.length) dialog.querySelector("button.close")?.before(...blocks);
}
