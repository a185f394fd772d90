// The one staleness rule in the browser, as the server's (app/beds/staleness.py is_stale): a section is stale past its
// type's update interval, or when it was never reported. Read by the board and its map, by the server's clock.

// The seed's 24 hours, for a section whose JSON does not carry its type's interval.
const DEFAULT_INTERVAL_HOURS = 24;

export function isStaleAt(section, serverNowMs) {
  const hours = section.update_interval_hours ?? DEFAULT_INTERVAL_HOURS;
  return !section.reported_at || serverNowMs - Date.parse(section.reported_at) > hours * 3600 * 1000;
}
