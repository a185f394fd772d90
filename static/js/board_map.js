// The board as a map (issue 22, app/beds/map_routes.py): each located hospital a marker with its free beds of the
// chosen section type, and "Nearest free bed" from an incident's location, ranked by the server
// (GET /api/v1/nearest, app/beds/nearest.py). Leaflet is the vendored static/vendor/leaflet (a global L). With no
// tile server set (BEDBOARD_MAP_TILES) the map draws the shipped outline of Romania, so it works offline.
// Closed, limited and stale hospitals are told by a mark and words, not by colour alone.

const root = document.getElementById("board-map");
const settings = JSON.parse(document.getElementById("map-settings").textContent);
const say = (key, values = {}) => settings.messages[key].replace(/\{(\w+)\}/g, (_m, name) => String(values[name] ?? ""));
const BUCHAREST = [44.4268, 26.1025];
const REFRESH_MS = 30000;

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
  icon.append(element("span", "visually-hidden", ` ${[hospital.name, ...found.map((mark) => mark[1])].join(", ")}`));
  icon.firstElementChild?.setAttribute("aria-hidden", "true");
  return L.divIcon({ className: "map-marker", html: icon, iconSize: [48, 28], iconAnchor: [24, 14] });
}

function popup(hospital) {
  const box = element("div", "map-popup");
  box.append(element("strong", "", hospital.name), element("br"),
             count(hospital.free_beds, settings.forms.free));
  for (const [, words] of marks(hospital)) box.append(element("br"), words);
  box.append(element("br"), boardLink(hospital));
  return box;
}

let fitted = false;

async function loadMarkers() {
  const answer = await fetch(`/board/map/markers?section_type=${encodeURIComponent(typeSelect.value)}`,
                             { headers: { Accept: "application/json" } });
  if (!answer.ok) return;
  const body = await answer.json();
  markers.clearLayers();
  for (const hospital of body.hospitals) {
    const words = [hospital.name, count(hospital.free_beds, settings.forms.free), ...marks(hospital).map((m) => m[1])];
    L.marker([hospital.latitude, hospital.longitude], { icon: markerIcon(hospital), title: words.join(" · "),
                                                        alt: words.join(" · "), keyboard: true })
      .bindPopup(() => popup(hospital)).addTo(markers);
  }
  if (!fitted && body.hospitals.length) {
    // The first time: every hospital in view (the demo's fit Bucharest at zoom 12), not closer than a district.
    fitted = true;
    map.fitBounds(L.latLngBounds(body.hospitals.map((h) => [h.latitude, h.longitude])), { padding: [30, 30], animate: false,
                                                                                          maxZoom: 13 });
  }
  document.getElementById("map-unplaced").textContent = body.unplaced ? count(body.unplaced, settings.forms.unplaced)
    : "";
  root.dataset.markers = String(body.hospitals.length);
}

typeSelect.addEventListener("change", () => {
  const types = document.getElementById("nearest-types");
  for (const option of types.options) option.selected = option.value === typeSelect.value;
  loadMarkers();
});
document.getElementById("nearest-types").options[typeSelect.selectedIndex].selected = true;
loadMarkers();
setInterval(loadMarkers, REFRESH_MS);

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
