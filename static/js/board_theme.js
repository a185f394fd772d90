// The board's dark theme, for night shifts. The reader's choice is kept on their account (POST
// /account/board-theme), so it follows them to the wall PC or another desk; without a choice the board follows the
// computer's setting and a wall screen starts dark. The server has already applied it before the first paint: it
// gave the dark stylesheet's <link> a media attribute ("all", "not all", or the system's dark query,
// app/beds/board_routes.py: dark_theme_media). This script keeps the body's class and the toggle's label in step
// with that attribute, and on a press changes it at once and keeps the choice on the account without leaving the
// page (without this script the toggle is a plain form that posts and comes back).

const OLD_BROWSER_KEY = "bedboard-theme";
const form = document.getElementById("theme-form");
const button = document.getElementById("theme-toggle");
const stylesheet = document.getElementById("board-dark-css");

// The choice used to be kept in this browser only; the account holds it now, so the old copy must not linger.
localStorage.removeItem(OLD_BROWSER_KEY);

function dark() {
  return window.matchMedia(stylesheet.media).matches;
}

function apply() {
  const isDark = dark();
  document.body.classList.toggle("theme-dark", isDark);
  button.textContent = isDark ? button.dataset.light : button.dataset.dark;
  button.value = isDark ? "light" : "dark";
  button.setAttribute("aria-pressed", String(isDark));
}

async function keep(theme) {
  const body = new URLSearchParams({ csrf_token: form.elements.csrf_token.value, board_theme: theme });
  try {
    const answer = await fetch(form.action, { method: "POST", body, headers: { Accept: "application/json" } });
    if (!answer.ok) throw new Error(String(answer.status));
    button.removeAttribute("title");
  } catch {
    button.title = button.dataset.notSaved;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const theme = dark() ? "light" : "dark";
  stylesheet.media = theme === "dark" ? "all" : "not all";
  apply();
  keep(theme);
});
window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", apply);
apply();
