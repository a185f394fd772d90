// Copy buttons: a button with data-copy-target copies that input's value and says so for a moment.
// Also on the user form: the hospital field shows only when the chosen role is "operator".
// Without this script the link can still be selected and copied by hand, and the hospital field stays visible.

for (const button of document.querySelectorAll("button[data-copy-target]")) {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copyTarget);
    if (!field) return;
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select();
      document.execCommand("copy");
    }
    button.textContent = button.dataset.copiedText || label;
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}

for (const select of document.querySelectorAll("select[data-hospital-field]")) {
  const field = document.getElementById(select.dataset.hospitalField);
  if (!field) continue;
  const label = document.querySelector(`label[for="${field.id}"]`);
  const show = () => {
    const operator = select.value === "operator";
    field.hidden = !operator;
    if (label) label.hidden = !operator;
    field.required = operator;
  };
  select.addEventListener("change", show);
  show();
}
