// The board's dark theme, for night shifts: the reader's own choice (kept in this browser), else dark on a wall
// screen, else the system's setting. The toggle button says which theme it switches to.

const KEY = "bedboard-theme";
const button = document.getElementById("theme-toggle");
const system = window.matchMedia("(prefers-color-scheme: dark)");

function chosen() {
  const stored = localStorage.getItem(KEY);
  if (stored === "dark" || stored === "light") return stored;
  if (document.body.classList.contains("wall")) return "dark";
  return system.matches ? "dark" : "light";
}

function apply() {
  const dark = chosen() === "dark";
  document.body.classList.toggle("theme-dark", dark);
  button.textContent = dark ? button.dataset.light : button.dataset.dark;
  button.setAttribute("aria-pressed", String(dark));
}

button.addEventListener("click", () => {
  localStorage.setItem(KEY, chosen() === "dark" ? "light" : "dark");
  apply();
});
system.addEventListener("change", apply);
apply();
