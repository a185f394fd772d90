// The printable checklist's "Print" button: shown only where scripts run, since inline handlers are not allowed
// by the content security policy; without it the page tells the reader to print with the browser.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
