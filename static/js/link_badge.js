// How a live page says whether its link to the server is live (the board and its map, issue 22): "Live", or
// "Reconnecting — nothing heard from the server since 14:02:07 (40 s ago)", the page greyed while it is not.
// The words come from the page's catalogue (app/beds/board_routes.py SCRIPT_MESSAGES), the state from
// static/js/link_state.js.

// "2 days, 3 hours, 10 minutes": each unit's form for its CLDR plural category, as the server's catalogue has it
// (app/beds/staleness.py script_units): the browser knows the category, the catalogue the words.
export function ageWords(ms, { lang, units, lessThanAMinute }) {
  const minutesTotal = Math.max(0, Math.floor(ms / 60000));
  const amounts = [Math.floor(minutesTotal / 1440), Math.floor((minutesTotal % 1440) / 60), minutesTotal % 60];
  const rules = new Intl.PluralRules(lang);
  const parts = amounts.map((amount, index) => [amount, units[index]]).filter(([amount]) => amount > 0)
    .map(([amount, forms]) => (forms[rules.select(amount)] ?? forms.other).replace("{count}", amount.toLocaleString(lang)));
  return parts.length ? parts.join(", ") : lessThanAMinute;
}

// When the server was last heard: the time to the second, with the date once it is not today's.
function clockTime(ms, { lang, timezone }) {
  const options = { timeZone: timezone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
  if (Date.now() - ms > 12 * 3600 * 1000) Object.assign(options, { year: "numeric", month: "short", day: "numeric" });
  return new Intl.DateTimeFormat(lang, options).format(new Date(ms));
}

// words: { say, lang, timezone, units, lessThanAMinute }; root: the element greyed (class "offline") while not live.
export function showLink(badge, root, link, words) {
  const live = link.live;
  root.classList.toggle("offline", !live);
  badge.classList.toggle("live", live);
  badge.classList.toggle("connecting", !live);
  badge.classList.toggle("link-lost", !live && link.heardAt !== null);
  if (live) badge.textContent = words.say("live");
  else if (link.heardAt !== null) {
    const ago = Date.now() - link.heardAt;
    badge.textContent = words.say(link.offline ? "offline" : "reconnecting", {
      time: clockTime(link.heardAt, words),
      age: ageWords(ago, words).replace(words.lessThanAMinute, `${Math.round(ago / 1000)} s`),
    });
  }
}
