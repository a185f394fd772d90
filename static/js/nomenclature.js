// Nomenclature import: visible progress while a large file is uploaded, checked and applied.
// Without this script the forms post and redirect as usual; with it, the answer is swapped in place.
// The texts shown come, translated, from data attributes of #nomenclature-progress.

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

function progressArea() {
  return document.getElementById("nomenclature-progress");
}

function setProgress(text, percent) {
  const area = progressArea();
  if (!area) return;
  const bar = area.querySelector("progress");
  if (percent === null) {
    bar.removeAttribute("value"); // an indeterminate bar: the server is working
  } else {
    bar.value = percent;
  }
  area.querySelector("[role=status]").textContent = text;
  area.hidden = false;
}

function showFailure(text) {
  const area = progressArea();
  if (area) area.hidden = true;
  const result = document.getElementById("nomenclature-result");
  if (!result) return;
  const message = document.createElement("p");
  message.className = "error";
  message.setAttribute("role", "alert");
  message.textContent = text;
  result.replaceChildren(message);
}

function setBusy(busy) {
  for (const button of document.querySelectorAll("main button")) button.disabled = busy;
}

// Replaces the page's <main> with the answer's: the preview, the errors table or the result.
function swapIn(xhr, form) {
  const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
  const main = page.querySelector("main");
  if (!main) {
    showFailure(progressArea()?.dataset.failed ?? "");
    setBusy(false);
    return;
  }
  document.querySelector("main").replaceChildren(...main.childNodes);
  document.title = page.title;
  const landed = new URL(xhr.responseURL || form.action, window.location.href);
  // Only a redirect lands on a page that can be reloaded; a POST's own address cannot be.
  if (landed.pathname !== new URL(form.action, window.location.href).pathname) {
    window.history.pushState(null, "", landed.pathname + landed.search);
  }
  document.querySelector("main h1")?.focus?.();
}

function send(form, { onUploaded, onUploadProgress }) {
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("X-CSRF-Token", csrfToken());
  xhr.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable && onUploadProgress) onUploadProgress(event.loaded / event.total);
  });
  xhr.upload.addEventListener("load", onUploaded);
  xhr.addEventListener("load", () => swapIn(xhr, form));
  xhr.addEventListener("error", () => {
    showFailure(progressArea()?.dataset.failed ?? "");
    setBusy(false);
  });
  setBusy(true);
  xhr.send(new FormData(form));
}

function upload(event, form) {
  const file = form.elements.file?.files?.[0];
  if (!file) return; // the browser's own "required" message
  event.preventDefault();
  const texts = progressArea()?.dataset ?? {};
  if (file.size > Number(form.dataset.maxBytes)) {
    showFailure(texts.tooLarge ?? "");
    return;
  }
  setProgress(texts.uploading.replace("{percent}", "0"), 0);
  send(form, {
    onUploadProgress: (fraction) => {
      const percent = Math.round(fraction * 100);
      setProgress(texts.uploading.replace("{percent}", String(percent)), percent);
    },
    onUploaded: () => setProgress(texts.validating, null),
  });
}

function applyChanges(event, form) {
  event.preventDefault();
  const texts = progressArea()?.dataset ?? {};
  setProgress(texts.applying, null);
  send(form, { onUploaded: () => setProgress(texts.applying, null) });
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.id === "nomenclature-upload") upload(event, form);
  else if (form.dataset.nomenclature === "apply") applyChanges(event, form);
});

// Back and forward after a swap: show the page of that address as the server has it now.
window.addEventListener("popstate", () => window.location.reload());
