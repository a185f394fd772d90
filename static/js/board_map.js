// The board as a map (issue 22, app/beds/map_routes.py): each located hospital a marker with its free beds of the
// chosen section type, and "Nearest free bed" from an incident's location, ranked by the server
// (GET /api/v1/nearest, app/beds/nearest.py). Leaflet is the vendored static/vendor/leaflet (a global L). With no
// tile server set (BEDBOARD_MAP_TILES) the map draws the shipped outline of Romania, so it works offline.
// Closed, limited and stale hospitals are told by a mark and words, not by colour alone.
//
// The markers are live: the page rides the board's socket (/ws/beds, the board's protocol through
// static/js/link_state.js), subscribed to the chosen section type, and redraws a marker when a change, an admission
// status or an announcement frame arrives, as the board does, with the same "Live" / "Reconnecting" badge. Only while
// the socket is not live does it read /board/map/markers (every 30 s), which counts by the same rule on the server.

import { admissionOf } from "./board_admission.js";
import { countsAt, countWords } from "./board_dispatch.js";
import { showLink } from "./link_badge.js";
import { Link } from "./link_state.js";
import { SectionStream } from "./section_stream.js";
import { isStaleAt } from "./staleness.js";

const root = document.getElementById("board-map");
const settings = JSON.parse(document.getElementById("map-settings").textContent);
const say = (key, values = {}) => settings.messages[key].replace(/\{(\w+)\}/g, (_m, name) => String(values[name] ?? ""));
const BUCHAREST = [44.4268, 26.1025];
const REFRESH_MS = 30000; // the fallback's pace, while the socket is not live
const TICK_MS = 5000; // a section passes its update interval by the clock, with no frame: look again this often

function count(number, forms) {
  const category = new Intl.PluralRules(root.dataset.lang).select(number);
  return (forms[category] ?? forms.other).replace("{count}", number.toLocaleString(root.dataset.lang));
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const map = L.map("map", { zoomControl: true, attributionControl: Boolean(settings.tiles) })
  .setView(BUCHAREST, 11);
L.control.scale({ imperial: false }).addTo(map);
if (settings.tiles) {
  L.tileLayer(settings.tiles, { attribution: settings.attribution, maxZoom: 18 }).addTo(map);
} else {
  root.classList.add("offline-outline");
  fetch(settings.outline).then((answer) => answer.json()).then((outline) => {
    L.geoJSON(outline, { interactive: false, style: { className: "map-outline", color: "#4a5560", weight: 2,
                                                       fillColor: "#f4f1e8", fillOpacity: 1 } }).addTo(map);
  });
  // With no streets drawn, the shipped places' names (app/beds/localities.py) are what a reader finds their way by.
  for (const [name, latitude, longitude] of settings.places) {
    L.marker([latitude, longitude], { icon: L.divIcon({ className: "map-place", html: element("span", "", name),
                                                          iconSize: null }),
                                      interactive: false, keyboard: false, zIndexOffset: -1000 }).addTo(map);
  }
}

const markers = L.layerGroup().addTo(map);
const typeSelect = document.getElementById("map-section-type");

function marks(hospital) {
  const found = [];
  if (hospital.closed) found.push(["✕", say("closed"), "adm-closed"]);
  else if (hospital.limited) found.push(["◐", say("limited"), "adm-limited"]);
  if (hospital.stale) found.push(["!", say("stale"), "stale"]);
  return found;
}

function freeText(number) {
  return number < 0 ? `−${-number}` : String(number);
}

function boardLink(hospital) {
  const link = element("a", "map-open", say("open_board"));
  link.href = `/board?hospital=${hospital.hospital_id}&section_type=${typeSelect.value}`;
  return link;
}

function markerIcon(hospital) {
  const found = marks(hospital);
  const availability = hospital.free_beds <= 0 ? "avail-none" : "avail-free";
  const icon = element("span", `map-marker-label ${availability} ${found.map((mark) => mark[2]).join(" ")}`);
  for (const [symbol] of found) icon.append(element("span", "map-mark", symbol), " ");
  icon.append(element("span", "map-free", freeText(hospital.free_beds)));
  // Beds held and patients announced (board_dispatch.js), under the number as on the board's cell.
  const dispatch = countWords(hospital);
  if (dispatch) icon.append(element("span", "map-dispatch", dispatch));
  icon.append(element("span", "visually-hidden", ` ${[hospital.name, ...found.map((mark) => mark[1])].join(", ")}`));
  icon.firstElementChild?.setAttribute("aria-hidden", "true");
  return L.divIcon({ className: "map-marker", html: icon, iconSize: [48, 28], iconAnchor: [24, 14] });
}

function popup(hospital) {
  const box = element("div", "map-popup");
  box.append(element("strong", "", hospital.name), element("br"),
             [count(hospital.free_beds, settings.forms.free), countWords(hospital)].filter(Boolean).join(" · "));
  for (const [, words] of marks(hospital)) box.append(element("br"), words);
  box.append(element("br"), boardLink(hospital));
  return box;
}

// --- The markers ----------------------------------------------------------------------------------------------
// A hospital's marker: { hospital_id, name, latitude, longitude, free_beds, closed, limited, stale, held, announced }.
const shown = new Map(); // hospital id -> { marker, hospital, key }
const located = new Map(); // hospital id -> [latitude, longitude], from /board/map/markers for the chosen type
let unplacedCount = 0;
let locatedFor = null; // the section type `located` was read for
const askedAbout = new Set(); // hospitals read again once for, when they appeared without a known location
let fitted = false;

function chosenType() { return Number(typeSelect.value); }

function words(hospital) {
  return [hospital.name, count(hospital.free_beds, settings.forms.free), countWords(hospital),
          ...marks(hospital).map((m) => m[1])].filter(Boolean).join(" · ");
}

// Each marker is redrawn only when what it says changed, so that an open popup or a focused marker stays put.
function showMarkers(hospitals) {
  const seen = new Set();
  for (const hospital of hospitals) {
    seen.add(hospital.hospital_id);
    const key = JSON.stringify(hospital);
    const existing = shown.get(hospital.hospital_id);
    if (existing?.key === key) continue;
    if (existing) {
      Object.assign(existing, { hospital, key });
      Object.assign(existing.marker.options, { title: words(hospital), alt: words(hospital) });
      existing.marker.setLatLng([hospital.latitude, hospital.longitude]).setIcon(markerIcon(hospital));
      if (existing.marker.isPopupOpen()) existing.marker.setPopupContent(popup(hospital));
      continue;
    }
    const entry = { hospital, key };
    entry.marker = L.marker([hospital.latitude, hospital.longitude], { icon: markerIcon(hospital), title: words(hospital),
                                                                       alt: words(hospital), keyboard: true,
                                                                       // Close neighbours overlap in the city's
                                                                       // centre: the one pointed at comes on top.
                                                                       riseOnHover: true })
      .bindPopup(() => popup(entry.hospital)).addTo(markers);
    shown.set(hospital.hospital_id, entry);
  }
  for (const [id, entry] of shown) if (!seen.has(id)) { entry.marker.remove(); shown.delete(id); }
  if (!fitted && hospitals.length) {
    // The first time: every hospital in view (the demo's fit Bucharest at zoom 12), not closer than a district.
    fitted = true;
    map.fitBounds(L.latLngBounds(hospitals.map((h) => [h.latitude, h.longitude])), { padding: [30, 30], animate: false,
                                                                                    maxZoom: 13 });
  }
  document.getElementById("map-unplaced").textContent = unplacedCount ? count(unplacedCount, settings.forms.unplaced)
    : "";
  root.dataset.markers = String(hospitals.length);
}

// The server's markers of the chosen type: where the hospitals are, and, while the socket is not live, their counts.
async function loadMarkers() {
  const type = chosenType();
  const answer = await fetch(`/board/map/markers?section_type=${encodeURIComponent(type)}`,
                             { headers: { Accept: "application/json" } });
  if (!answer.ok || type !== chosenType()) return;
  const body = await answer.json();
  located.clear();
  for (const hospital of body.hospitals) located.set(hospital.hospital_id, [hospital.latitude, hospital.longitude]);
  locatedFor = type;
  unplacedCount = body.unplaced;
  if (link.live) showLive();
  else showMarkers(body.hospitals);
}

// --- Live, from the board's socket ------------------------------------------------------------------------------
const stream = new SectionStream(); // the chosen type's sections as the board's socket sends them
const sections = stream.sections;
let serverOffset = 0;
const delays = []; // commit-to-marker, ms, as the board's window.bedboardDelays (read by tests and benchmarks)
window.bedboardDelays = delays;
let awaitingSnapshot = false; // another type was chosen: the sections held are the old type's until its snapshot

// Each hospital's beds of the chosen type, by the rule of the server's markers and Find a bed
// (app/beds/nearest_queries.py _tally): a sub-section inside a section of the same type is in its parent's count; a
// closed section's beds take no ambulance, so they count only when every section of the type there is closed.
function liveHospitals() {
  const type = chosenType();
  const tallies = new Map();
  for (const section of sections.values()) {
    if (section.section_type_id !== type) continue;
    const tally = tallies.get(section.hospital_id) ?? { name: section.hospital_name, open: 0, closed: 0, anyOpen: false,
                                                        limited: false, stale: false };
    tallies.set(section.hospital_id, tally);
    const status = admissionOf(section)?.status ?? "open";
    tally.anyOpen ||= status !== "closed";
    tally.limited ||= status === "limited";
    tally.stale ||= isStaleAt(section, Date.now() + serverOffset);
    if (sections.get(section.parent_id)?.section_type_id === type) continue;
    tally[status === "closed" ? "closed" : "open"] += section.free_beds;
  }
  const hospitals = [];
  let unplaced = 0;
  for (const [id, tally] of tallies) {
    const place = located.get(id);
    if (!place) {
      unplaced += 1;
      // A hospital that got its first section of the type since the locations were read: read them again, once.
      if (locatedFor === type && !askedAbout.has(id)) { askedAbout.add(id); loadMarkers(); }
      continue;
    }
    const { held, announced } = countsAt(id, type);
    hospitals.push({ hospital_id: id, name: tally.name, latitude: place[0], longitude: place[1],
                     free_beds: tally.anyOpen ? tally.open : tally.closed, closed: !tally.anyOpen,
                     limited: tally.limited, stale: tally.stale, held, announced });
  }
  if (locatedFor === type) unplacedCount = unplaced;
  return hospitals;
}

function showLive() {
  if (link.live && !awaitingSnapshot && locatedFor === chosenType()) showMarkers(liveHospitals());
}

const badge = document.getElementById("connection");
const linkWords = { say, lang: root.dataset.lang, timezone: root.dataset.timezone, units: settings.units,
                    lessThanAMinute: settings.less_than_a_minute };
const link = new Link({
  url: `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws/beds`,
  heartbeatMs: settings.heartbeat_seconds * 1000,
  onOpen: () => subscribe(stream.lastSeq),
  onMessage,
  onChange: () => showLink(badge, root, link, linkWords),
  onSessionEnded: () => location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`),
});

function subscribe(since) {
  link.send({ type: "subscribe", filters: { section_types: [chosenType()] }, since, epoch: stream.epoch });
}

// The board's protocol (static/js/board.js onMessage): a snapshot, then changes and leaves newer than what is held.
function onMessage(message) {
  if (message.server_time) serverOffset = Date.parse(message.server_time) - Date.now();
  if (!stream.apply(message)) return; // a change already applied
  if (message.type === "snapshot") {
    awaitingSnapshot = false;
    link.markCurrent();
  } else if (message.type === "resumed") {
    link.markCurrent();
  } else if (message.type === "change") {
    if (message.committed_at) {
      showLive(); // the marker first, then the clock read: the delay is the reader's
      delays.push(Date.now() + serverOffset - Date.parse(message.committed_at));
    }
  }
  // The dispatch's counts (board_dispatch.js) are read again on a snapshot and on each announcement frame.
  document.dispatchEvent(new CustomEvent("board:message", { detail: message }));
  showLive();
}

document.addEventListener("dispatch:counts", showLive);

typeSelect.addEventListener("change", () => {
  const types = document.getElementById("nearest-types");
  for (const option of types.options) option.selected = option.value === typeSelect.value;
  locatedFor = null;
  askedAbout.clear();
  loadMarkers();
  // Another type: a fresh snapshot of its sections. Until it comes the sections held are the old type's, and a
  // reconnect in between must ask for the snapshot again rather than resume the old type's stream.
  awaitingSnapshot = true;
  stream.forget();
  subscribe(null);
});
document.getElementById("nearest-types").options[typeSelect.selectedIndex].selected = true;
loadMarkers();
link.start();
setInterval(showLive, TICK_MS);
setInterval(() => { if (!link.live) loadMarkers(); }, REFRESH_MS);
setInterval(() => showLink(badge, root, link, linkWords), 1000); // "nothing heard since … (40 s ago)" moves on

// --- Nearest free bed -----------------------------------------------------------------------------------------
const lat = document.getElementById("nearest-lat");
const lon = document.getElementById("nearest-lon");
const status = document.getElementById("nearest-status");
const results = document.getElementById("nearest-results");
let incident = null;
let radius = null;

function placeIncident(latitude, longitude) {
  lat.value = latitude.toFixed(5);
  lon.value = longitude.toFixed(5);
  const point = [latitude, longitude];
  incident?.remove();
  radius?.remove();
  incident = L.circleMarker(point, { radius: 8, className: "incident-marker", color: "#a4161a", weight: 3,
                                     fillColor: "#ffffff", fillOpacity: 1 })
    .bindTooltip(say("incident")).addTo(map);
  radius = L.circle(point, { radius: settings.radius_km * 1000, className: "incident-radius", color: "#a4161a",
                             weight: 1, dashArray: "6 6", fill: false, interactive: false }).addTo(map);
}

map.on("click", (event) => {
  placeIncident(event.latlng.lat, event.latlng.lng);
  document.getElementById("nearest-locality").value = "";
});
document.getElementById("nearest-locality").addEventListener("change", (event) => {
  const option = event.target.selectedOptions[0];
  if (!option?.dataset.lat) return;
  placeIncident(Number(option.dataset.lat), Number(option.dataset.lon));
  map.panTo([Number(option.dataset.lat), Number(option.dataset.lon)]);
});

function resultItem(item) {
  const entry = element("li", `nearest-result${item.closed ? " adm-closed" : ""}${item.stale ? " stale" : ""}`);
  entry.dataset.hospital = item.hospital_id;
  const head = element("span", "nearest-head");
  head.append(element("strong", "nearest-distance", say("km", { km: item.distance_km.toLocaleString(root.dataset.lang) })),
              " ", element("span", "nearest-name", item.name));
  entry.append(head, element("br"), count(item.available, settings.forms.free));
  if (item.held) entry.append(" · ", count(item.held, settings.forms.held));
  if (item.announced) entry.append(" · ", count(item.announced, settings.forms.announced));
  const notes = marks(item).map((mark) => `${mark[0]} ${mark[1]}`);
  if (item.taken_although_closed) notes.push(say("taken_closed", { radius: settings.radius_km }));
  else if (!item.within_radius) notes.push(say("beyond", { radius: settings.radius_km }));
  if (item.available <= 0) notes.push(say("no_bed"));
  if (notes.length) entry.append(element("br"), element("span", "nearest-notes", notes.join(" · ")));
  entry.append(" ", boardLink(item));
  return entry;
}

document.getElementById("nearest-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const types = [...document.getElementById("nearest-types").selectedOptions].map((option) => option.value);
  if (!lat.value.trim() || !lon.value.trim()) { status.textContent = say("need_place"); return; }
  const query = new URLSearchParams({ lat: lat.value.trim().replace(",", "."), lon: lon.value.trim().replace(",", ".") });
  for (const type of types.length ? types : [typeSelect.value]) query.append("section_type", type);
  const answer = await fetch(`/api/v1/nearest?${query}`, { headers: { Accept: "application/json" } });
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) { status.textContent = body.message || say("failed"); return; }
  placeIncident(body.origin.latitude, body.origin.longitude);
  results.replaceChildren(...body.hospitals.map(resultItem));
  const notes = [];
  if (!body.hospitals.length) notes.push(say("none"));
  if (body.closed_left_out) notes.push(count(body.closed_left_out, settings.forms.left_out));
  if (body.unplaced.length) notes.push(count(body.unplaced.length, settings.forms.unplaced));
  status.textContent = notes.join(" ");
});
