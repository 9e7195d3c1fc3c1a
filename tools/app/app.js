// The what-if app of `accessplan serve` (docs/serve.md). The session's state is here: the list of modifications, with
// undo and redo; every change posts the whole list to /api/whatif and shows the answer. Nothing is loaded from
// anywhere but this server.
'use strict';

const VI = {
  'Map': 'Bản đồ', 'Service': 'Dịch vụ', 'Show': 'Hiển thị', 'travel time (what-if)': 'thời gian đi (phương án)',
  'travel time (baseline)': 'thời gian đi (hiện trạng)', 'change': 'thay đổi', 'Edit': 'Chỉnh sửa', 'Look': 'Xem',
  'Add facility': 'Thêm cơ sở', 'Close facility or ferry': 'Đóng cơ sở hoặc phà', 'Draw road': 'Vẽ đường', 'Draw bridge': 'Vẽ cầu',
  'Cut roads': 'Cắt đường', 'New ferry': 'Tuyến phà mới', 'Type': 'Loại', 'Capacity': 'Công suất', 'Class': 'Cấp đường',
  'Crossing (min)': 'Thời gian qua (phút)', 'Every (min)': 'Cách nhau (phút)', 'Finish line': 'Xong', 'Cancel': 'Hủy',
  'Month': 'Tháng', 'Threshold (min)': 'Ngưỡng (phút)', 'Set': 'Đặt', 'Undo': 'Hoàn tác', 'Redo': 'Làm lại',
  'Start again': 'Làm lại từ đầu', 'Name': 'Tên', 'Save scenario (YAML)': 'Lưu kịch bản (YAML)', 'Answer': 'Kết quả',
  'as the scenario says': 'theo kịch bản', 'every month': 'mọi tháng', 'computing…': 'đang tính…',
  'answered in': 'trả lời trong', 'inputs reused': 'dùng lại dữ liệu đầu vào', 'inputs read again': 'đọc lại dữ liệu đầu vào',
  'children': 'trẻ em', 'people': 'người', 'within before': 'trong ngưỡng trước', 'within after': 'trong ngưỡng sau',
  'gained': 'được thêm', 'lost': 'mất', 'no access before': 'không tiếp cận trước', 'no access after': 'không tiếp cận sau',
  'area class': 'loại vùng', 'zone': 'vùng', 'No change yet: pick a tool and click the map.':
  'Chưa có thay đổi: chọn công cụ và bấm lên bản đồ.', 'Click the map where the new facility goes.':
  'Bấm lên bản đồ nơi đặt cơ sở mới.', 'Click a facility (of the chosen service) or a ferry to close it.': 'Bấm vào một cơ sở (của dịch vụ đang chọn) hoặc một tuyến phà để đóng.',
  'Click the points of the line, then Finish line.': 'Bấm các điểm của tuyến, rồi Xong.',
  'Click the corners of the area whose roads are cut, then Finish line.': 'Bấm các góc của vùng bị cắt đường, rồi Xong.',
  'Click the two ports.': 'Bấm hai bến.', 'add': 'thêm', 'close': 'đóng', 'road': 'đường', 'bridge': 'cầu', 'cut': 'cắt đường',
  'ferry': 'phà', 'threshold': 'ngưỡng', 'all': 'tất cả', 'island': 'hải đảo', 'border': 'biên giới', 'remote': 'vùng sâu',
  'none': 'khác', 'Zones that changed most': 'Các vùng thay đổi nhiều nhất', 'warnings': 'cảnh báo',
  'saved': 'đã lưu', 'points': 'điểm', 'Rank': 'Xếp hạng', 'Rank candidate sites': 'Xếp hạng địa điểm đề xuất',
  "The scenario's candidate sites ranked for the state above (greedy, no draws, no plan); a row's + adds the site to the what-if.":
  'Các địa điểm đề xuất của kịch bản, xếp hạng theo trạng thái trên (tham lam, không mô phỏng, không kế hoạch); nút + của mỗi dòng thêm địa điểm vào phương án.',
  'Start again: remove every edit of this session?': 'Làm lại từ đầu: xóa mọi chỉnh sửa của phiên này?',
  'reason': 'lý do', 'no candidates': 'không có địa điểm đề xuất', 'nobody_left': 'không còn ai để phục vụ thêm',
  'nothing_affordable': 'không địa điểm nào vừa ngân sách còn lại', 'no_candidates': 'không có địa điểm đề xuất',
  'budget': 'ngân sách', 'spent': 'đã chi', 'sites': 'địa điểm', 'cost': 'chi phí', 'add to the what-if': 'thêm vào phương án',
  'programme': 'chương trình', 'ranked': 'đã xếp hạng', 'area classes': 'loại vùng', 'zones': 'vùng',
  'gaps (baseline)': 'vùng thiếu (hiện trạng)', 'facilities': 'cơ sở', 'gap': 'vùng thiếu',
  'Export results folder': 'Xuất thư mục kết quả', 'min': 'phút', 'exporting… (a full run: maps, report, ranking)':
  'đang xuất… (chạy đầy đủ: bản đồ, báo cáo, xếp hạng)', 'results written to': 'kết quả đã ghi vào',
};
let lang = 'en';
const t = (s) => (lang === 'vi' && VI[s]) || s;

const token = new URLSearchParams(location.search).get('token');
async function api(path, body) {
  const headers = {'Content-Type': 'application/json'};
  if (token) headers['Authorization'] = 'Bearer ' + token;
  const res = await fetch(path, body === undefined ? {headers} : {method: 'POST', headers, body: JSON.stringify(body)});
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try { message = JSON.parse(text).error; } catch (e) { /* not JSON */ }
    throw new Error(message || ('HTTP ' + res.status));
  }
  return res.headers.get('Content-Type').startsWith('application/json') ? JSON.parse(text) : text;
}

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
const num = (v) => v == null ? '' : Math.round(v).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-US');
const pct = (v, of) => of > 0 ? (100 * v / of).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-US',
  {minimumFractionDigits: 1, maximumFractionDigits: 1}) + '%' : '';

let info = null;          // /api/app
let edits = [];           // {mod, label, draw: [[lat, lng], ...] | null}
let redo = [];
let month;                // undefined: as the scenario says; null: every month; 1..12
let answer = null;        // the latest /api/whatif answer
let asked = 0;            // requests sent; only the latest one's answer is shown
let drawing = [];         // grid points of the line or polygon being drawn
const map = L.map('map', {crs: L.CRS.Simple, minZoom: -12, maxZoom: 4, zoomSnap: 0.25, doubleClickZoom: false});
map.createPane('raster').style.zIndex = 350;  // the grid's image under the outlines, facilities and edits
let overlay = null, editLayer = L.layerGroup().addTo(map), facilityLayer = L.layerGroup().addTo(map), drawLayer = L.layerGroup().addTo(map);
const ferryLayer = L.layerGroup().addTo(map);
let bounds;

function tool() { return document.querySelector('input[name=tool]:checked').value; }

function setStatus(text, error) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

async function toLonLat(latlng) {
  const p = await api(`/api/lonlat?x=${latlng.lng}&y=${latlng.lat}`);
  return [Math.round(p.lon * 1e6) / 1e6, Math.round(p.lat * 1e6) / 1e6];
}

function closedIds() {
  const ids = new Set();
  for (const e of edits) if (e.mod.close_facilities) for (const id of e.mod.close_facilities.ids) ids.add(String(id));
  return ids;
}

function drawFacilities() {
  facilityLayer.clearLayers();
  const svc = info.services.find((s) => s.name === $('service').value);
  const closed = closedIds();
  // The chosen service's facilities last (on top); only they can be clicked to close, so that a click never
  // closes another service's facility beside the one meant.
  const order = [...info.facilities].sort((a, b) => a.services.split(',').includes(svc.name) - b.services.split(',').includes(svc.name));
  for (const f of order) {
    const serves = f.services.split(',').includes(svc.name);
    const gone = closed.has(String(f.id));
    const colour = (info.types.find((x) => x.type === f.type) || {}).colour || '#999';
    const m = L.circleMarker([f.y, f.x], {radius: serves ? 6 : 3, color: gone ? '#b3261e' : '#222', weight: gone ? 2 : 1,
      fillColor: gone ? '#fff' : colour, fillOpacity: serves ? 0.95 : 0.6, bubblingMouseEvents: false});
    m.bindTooltip(`${esc(f.name)} (${esc(f.type)}, id ${esc(f.id)})${gone ? ' · ' + t('close') : ''}`);
    m.on('click', (ev) => {
      if (tool() !== 'close') { onClick(ev); return; }  // other tools: as a click on the map there
      if (gone || !serves) return;
      const id = /^-?\d+$/.test(f.id) ? Number(f.id) : f.id;  // an id that is not a whole number stays text
      push({mod: {close_facilities: {ids: [id]}}, label: `${t('close')} ${f.name} (id ${f.id})`, at: [[f.y, f.x]]});
    });
    m.addTo(facilityLayer);
  }
}

function closedFerries() {
  const names = new Set();
  for (const e of edits) if (e.mod.close_ferry) for (const n of e.mod.close_ferry.names) names.add(n);
  return names;
}

// The baseline's ferries: a dashed line each; with the Close tool a click takes one out of service (close_ferry).
function drawFerries() {
  ferryLayer.clearLayers();
  const closed = closedFerries();
  for (const f of info.ferries) {
    const gone = closed.has(f.name);
    const line = L.polyline([[f.y0, f.x0], [f.y1, f.x1]], {color: gone ? '#b3261e' : '#1f5f99', weight: 4,
      dashArray: gone ? '2 8' : '8 6', bubblingMouseEvents: false});
    line.bindTooltip(`${esc(f.name)} · ${f.crossing_min} + ${f.headway_min / 2} min${gone ? ' · ' + t('close') : ''}`);
    line.on('click', (ev) => {
      if (tool() !== 'close') { onClick(ev); return; }
      if (gone) return;
      push({mod: {close_ferry: {names: [f.name]}}, label: `${t('close')} ${f.name}`, at: null});
    });
    line.addTo(ferryLayer);
  }
}

function drawEdits() {
  editLayer.clearLayers();
  for (const e of edits) {
    if (!e.at) continue;
    if (e.mod.add_facilities) L.circleMarker(e.at[0], {radius: 7, color: '#17733a', weight: 3, fillColor: '#7fd98f', fillOpacity: 1})
      .bindTooltip(esc(e.label)).addTo(editLayer);
    else if (e.mod.road_closure) L.polygon(e.at, {color: '#b3261e', weight: 2, fillOpacity: 0.15}).bindTooltip(esc(e.label)).addTo(editLayer);
    else if (e.at.length > 1) L.polyline(e.at, {color: e.mod.new_ferry ? '#1f5f99' : '#6a3d9a', weight: 4,
      dashArray: e.mod.new_ferry ? '8 6' : null}).bindTooltip(esc(e.label)).addTo(editLayer);
  }
  $('edits').innerHTML = edits.map((e) => `<li>${esc(e.label)}</li>`).join('');
  $('undo').disabled = edits.length === 0;
  $('redo').disabled = redo.length === 0;
}

function push(edit) {
  edits.push(edit);
  redo = [];
  changed();
}

function changed() {
  drawEdits();
  drawFacilities();
  drawFerries();
  ask();
}

function request(withService) {
  const body = {modifications: edits.map((e) => e.mod)};
  if (month !== undefined) body.month = month;
  if (withService) body.service = $('service').value;
  return body;
}

async function ask() {
  const mine = ++asked;
  setStatus(t('computing…'));
  const started = performance.now();
  try {
    const a = await api('/api/whatif', request(true));
    if (mine !== asked) return;
    answer = a;
    document.body.dataset.answers = String(Number(document.body.dataset.answers || 0) + 1);  // for tests: answers shown
    const secs = ((performance.now() - started) / 1000).toFixed(2);
    setStatus(`${t('answered in')} ${secs} s (${t(a.inputs_reused ? 'inputs reused' : 'inputs read again')})`);
    showAnswer();
    showMap();
  } catch (err) {
    if (mine !== asked) return;
    setStatus(err.message, true);
  }
}

function classRow(name, c, unit) {
  const cls = (v) => v > 0.5 ? 'up' : v < -0.5 ? 'down' : '';
  return `<tr><td>${esc(name)}</td><td>${num(c.children)}</td><td>${pct(c.within_before, c.children)}</td>` +
    `<td>${pct(c.within_after, c.children)}</td><td class="${cls(c.gained)}">${num(c.gained)}</td>` +
    `<td class="${cls(-c.lost)}">${num(c.lost)}</td><td>${num(c.unreachable_before)}</td><td>${num(c.unreachable_after)}</td></tr>`;
}

function showAnswer() {
  if (!answer) return;
  const unit = info.all_ages ? t('people') : t('children');
  const head = (first) => `<tr><th>${first}</th><th>${unit}</th><th>${t('within before')}</th><th>${t('within after')}</th>` +
    `<th>${t('gained')}</th><th>${t('lost')}</th><th>${t('no access before')}</th><th>${t('no access after')}</th></tr>`;
  let html = edits.length ? '' : `<p class="hint">${t('No change yet: pick a tool and click the map.')}</p>`;
  html += '<table>' + head(t('Service'));
  for (const s of answer.compare.services) {
    const label = (info.services.find((x) => x.name === s.name) || {}).label || s.name;
    html += classRow(`${label} (${s.threshold_min}′)`, s, unit);
  }
  html += '</table>';
  const svc = answer.compare.services.find((s) => s.name === $('service').value);
  $('keyline').innerHTML = svc ? `<b>${esc($('service').selectedOptions[0].textContent)}</b>: ` +
    `${t('within after')} ${pct(svc.within_after, svc.children)} (${t('within before')} ${pct(svc.within_before, svc.children)}); ` +
    `${t('gained')} <b>${num(svc.gained)}</b>, ${t('lost')} <b>${num(svc.lost)}</b> ${unit}` : '';
  if (svc) {
    html += `<h2>${esc($('service').selectedOptions[0].textContent)}: ${t('area class')}</h2><table>` + head(t('area class'));
    for (const [cls, c] of Object.entries(svc.area_classes)) if (c.children > 0) html += classRow(t(cls), c, unit);
    html += '</table>';
    if (svc.zones) {
      const zones = svc.zones.filter((z) => z.gained + z.lost + Math.abs(z.unreachable_after - z.unreachable_before) > 0.5)
        .sort((a, b) => (b.gained + b.lost) - (a.gained + a.lost)).slice(0, 15);
      if (zones.length) {
        html += `<h2>${t('Zones that changed most')}</h2><table>` + head(t('zone'));
        for (const z of zones) html += classRow(`${z.zone_name} (${z.zone_code})`, z, unit);
        html += '</table>';
      }
    }
  }
  const warnings = [...answer.compare.warnings, ...(answer.summary.warnings || [])];
  if (warnings.length) html += `<h2>${t('warnings')}</h2><ul>` + warnings.map((w) => `<li class="hint">${esc(w)}</li>`).join('') + '</ul>';
  $('answer').innerHTML = html;
}

// Outlines in grid coordinates (GeoJSON from /api/app).
const gridGeoJson = (items, style, tip) => L.geoJSON(
  {type: 'FeatureCollection', features: items.filter((i) => i.geometry).map((i) => ({type: 'Feature', geometry: i.geometry, properties: i}))},
  {coordsToLatLng: (c) => L.latLng(c[1], c[0]), style, interactive: !!tip,
   onEachFeature: tip ? (f, layer) => layer.bindTooltip(tip(f.properties)) : undefined});
let zoneLayer = null, gapLayer = null, areaClassLayer = null;

function drawOutlines() {
  gridGeoJson(info.study_area, {color: '#111', weight: 1.5, fill: false}).addTo(map);
  gridGeoJson(info.border, {color: '#b3261e', weight: 2, dashArray: '6 4', fill: false}).addTo(map);
  zoneLayer = gridGeoJson(info.zones, {color: '#555', weight: 0.7, fill: false}, (p) => `${esc(p.zone_name)} (${esc(p.zone_code)})`);
  if ($('show-zones').checked) zoneLayer.addTo(map);
}

function drawGaps() {
  if (gapLayer) map.removeLayer(gapLayer);
  gapLayer = gridGeoJson(info.gaps.filter((g) => g.service === $('service').value),
    {color: '#e6550d', weight: 1.5, fillOpacity: 0.08}, (p) => `${t('gap')} ${esc(p.rank)}: ${num(Number(p.children))} ${info.all_ages ? t('people') : t('children')}`);
  if ($('show-gaps').checked) gapLayer.addTo(map);
}

let baseLayers = {};
async function showMap() {
  const service = $('service').value;
  const which = $('layer').value;
  let image, legend;
  if (which === 'area_classes') {
    if (!areaClassLayer) areaClassLayer = await api('/api/area_classes');
    image = areaClassLayer.travel_time; legend = areaClassLayer.legend;
  } else if (which === 'before') {
    if (!baseLayers[service]) baseLayers[service] = await api('/api/map?service=' + encodeURIComponent(service));
    image = baseLayers[service].travel_time; legend = baseLayers[service].legend;
  } else {
    if (!answer || !answer.map || answer.map.service !== service) return ask();
    image = which === 'change' ? answer.map.change : answer.map.travel_time;
    legend = which === 'change' ? answer.map.change_legend : answer.map.legend;
  }
  const next = L.imageOverlay('data:image/png;base64,' + image, bounds, {className: 'raster', opacity: 0.9, pane: 'raster'});
  next.addTo(map);
  if (overlay) map.removeLayer(overlay);
  overlay = next;
  $('legend').innerHTML = legend.map((c) => `<span class="sw" style="background:${esc(c.colour)}"></span>${esc(c.label)}`).join(' ');
}

function setTool() {
  document.querySelectorAll('label.tool').forEach((l) => l.classList.toggle('on', l.querySelector('input').checked));
  const k = tool();
  $('opt-add').hidden = k !== 'add';
  $('opt-road').hidden = k !== 'road';
  $('opt-ferry').hidden = k !== 'ferry';
  $('opt-line').hidden = !['road', 'bridge', 'cut'].includes(k);
  $('tool-hint').textContent = t({add: 'Click the map where the new facility goes.', close: 'Click a facility (of the chosen service) or a ferry to close it.',
    road: 'Click the points of the line, then Finish line.', bridge: 'Click the points of the line, then Finish line.',
    cut: 'Click the corners of the area whose roads are cut, then Finish line.', ferry: 'Click the two ports.'}[k] || '');
  drawing = [];
  drawLayer.clearLayers();
}

let added = 0;
async function onClick(ev) {
  const k = tool();
  if (k === 'pan' || k === 'close') return;
  const at = [ev.latlng.lat, ev.latlng.lng];
  if (k === 'add') {
    const type = $('type').value;
    const lonlat = await toLonLat(ev.latlng);
    const facility = {name: `${$('type').selectedOptions[0].textContent} ${++added}`, type, lon: lonlat[0], lat: lonlat[1]};
    if ($('capacity').value) facility.capacity = Number($('capacity').value);
    const current = info.services.find((s) => s.name === $('service').value);
    if (!current.types.includes(type)) {  // show the service the new facility serves
      const serves = info.services.find((s) => s.types.includes(type));
      if (serves) { $('service').value = serves.name; $('threshold').value = serves.threshold_min; }
    }
    push({mod: {add_facilities: {facilities: [facility]}}, label: `${t('add')} ${facility.name} (${lonlat[0]}, ${lonlat[1]})`, at: [at]});
    return;
  }
  drawing.push(ev.latlng);
  L.circleMarker(at, {radius: 4, color: '#6a3d9a'}).addTo(drawLayer);
  $('drawing').textContent = `${drawing.length} ${t('points')}`;
  if (k === 'ferry' && drawing.length === 2) {
    const ends = await Promise.all(drawing.map(toLonLat));
    const line = drawing.map((p) => [p.lat, p.lng]);
    const name = `${t('ferry')} ${++added}`;
    push({mod: {new_ferry: {name, from: ends[0], to: ends[1], crossing_min: Number($('crossing').value),
      headway_min: Number($('headway').value)}}, label: `${name} (${$('crossing').value} min)`, at: line});
    setTool();
  }
}

async function finishLine() {
  const k = tool();
  if (drawing.length < (k === 'cut' ? 3 : 2)) return;
  const points = await Promise.all(drawing.map(toLonLat));
  const at = drawing.map((p) => [p.lat, p.lng]);
  const name = `${t(k === 'cut' ? 'cut' : k)} ${++added}`;
  if (k === 'road') push({mod: {new_road: {name, line: points, highway: $('highway').value}}, label: `${name} (${$('highway').value})`, at});
  if (k === 'bridge') push({mod: {new_bridge: {name, line: points}}, label: name, at});
  if (k === 'cut') push({mod: {road_closure: {name, polygon: points}}, label: name, at});
  setTool();
}

async function save() {
  try {
    const body = request(false);
    body.name = $('name').value || 'what-if';
    const yaml = await api('/api/scenario', body);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([yaml], {type: 'application/yaml'}));
    a.download = (body.name.replace(/[^\p{L}\p{N}_-]+/gu, '_') || 'what-if') + '.yaml';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setStatus(`${t('saved')}: ${a.download}`);
  } catch (err) {
    setStatus(err.message, true);
  }
}

let rankLayer = L.layerGroup().addTo(map);
let ranked = null;

function showBudgets() {
  if (!ranked) return;
  $('budgets').innerHTML = ranked.programmes.map((p, i) => `<div class="row">${esc(ranked.single_budget ? t('budget') : p.name)} ` +
    `<input data-programme="${esc(p.name)}" type="number" min="0" step="any" value="${p.budget}" style="width:12em"> ${esc(ranked.currency)}` +
    ` <span class="hint">${t('spent')} ${num(p.spent)}, ${p.sites} ${t('sites')}, ${num(p.children)} ${info.all_ages ? t('people') : t('children')}` +
    `${p.unspent_reason ? ' · ' + esc(t(p.unspent_reason)) : ''}</span></div>`).join('');
}

async function rank() {
  const body = request(false);
  const inputs = [...document.querySelectorAll('#budgets input[data-programme]')];
  if (inputs.length && ranked) {
    if (ranked.single_budget) body.budget = Number(inputs[0].value);
    else body.budgets = Object.fromEntries(inputs.map((i) => [i.dataset.programme, Number(i.value)]));
  }
  setStatus(t('computing…'));
  try {
    ranked = await api('/api/rank', body);
    setStatus(`${t('ranked')}: ${ranked.sites.length} ${t('sites')} (${ranked.seconds.toFixed(2)} s)`);
  } catch (err) {
    setStatus(err.message, true);
    return;
  }
  showBudgets();
  rankLayer.clearLayers();
  let html = `<table><tr><th>#</th><th>${t('Name')}</th><th>${t('Service')}</th><th>${t('zone')}</th><th>${t('cost')}</th>` +
    `<th>${info.all_ages ? t('people') : t('children')}</th><th></th></tr>`;
  ranked.sites.slice(0, 40).forEach((r, i) => {
    const label = (info.services.find((x) => x.name === r.service) || {}).label || r.service;
    html += `<tr title="${esc(r.reason)}"><td>${r.rank}</td><td>${esc(r.name || r.id)}</td><td>${esc(label)}</td><td>${esc(r.zone)}</td>` +
      `<td>${num(r.cost)}</td><td>${num(r.children)}</td><td><button data-site="${i}">+</button></td></tr>` +
      `<tr><td></td><td colspan="6" class="hint">${esc(r.reason)}</td></tr>`;
    L.marker([r.y, r.x], {icon: L.divIcon({className: '', iconSize: [20, 20], html:
      `<div style="width:18px;height:18px;border-radius:50%;background:#6a3d9a;color:#fff;font:bold 10px/18px sans-serif;text-align:center;border:1px solid #fff">${r.rank}</div>`})})
      .bindTooltip(`${r.rank}. ${esc(r.name || r.id)} · ${esc(label)} · ${esc(r.reason)}`).addTo(rankLayer);
  });
  $('ranking').innerHTML = html + '</table>';
  $('ranking').querySelectorAll('button[data-site]').forEach((b) => b.addEventListener('click', () => {
    const r = ranked.sites[Number(b.dataset.site)];
    const svc = info.services.find((x) => x.name === r.service);
    const facility = {name: r.name || r.id, type: svc.types[0], lon: r.lon, lat: r.lat};
    push({mod: {add_facilities: {facilities: [facility]}}, label: `${t('add')} ${facility.name} (${t('Rank')} ${r.rank})`, at: [[r.y, r.x]]});
  }));
}

async function exportResults() {
  const body = request(false);
  body.name = $('name').value || 'what-if';
  setStatus(t('exporting… (a full run: maps, report, ranking)'));
  try {
    const done = await api('/api/export', body);
    setStatus(`${t('results written to')} ${done.folder} (${done.seconds.toFixed(1)} s)`);
  } catch (err) {
    setStatus(err.message, true);
  }
}

async function start() {
  info = await api('/api/app');
  lang = info.lang;
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-t]').forEach((el) => { el.textContent = t(el.dataset.t); });
  $('title').textContent = info.scenario;
  $('subtitle').textContent = `${info.file} · ${info.crs} · ${info.cell_m} m · accessplan ${info.version}`;
  for (const s of info.services) $('service').add(new Option(`${s.label} (${s.threshold_min} ${t('min')}, ${s.mode_label})`, s.name));
  for (const ty of info.types) $('type').add(new Option(ty.label, ty.type));
  $('month').add(new Option(t('as the scenario says') + (info.month ? ` (${info.month})` : ''), ''));
  $('month').add(new Option(t('every month'), 'all'));
  for (let m = 1; m <= 12; ++m) $('month').add(new Option(String(m), String(m)));
  const [x0, y0, x1, y1] = info.extent;
  bounds = [[y0, x0], [y1, x1]];
  map.fitBounds(bounds);
  map.on('click', onClick);
  document.querySelectorAll('input[name=tool]').forEach((r) => r.addEventListener('change', setTool));
  $('service').addEventListener('change', () => {
    $('threshold').value = info.services.find((s) => s.name === $('service').value).threshold_min;
    drawFacilities(); drawGaps(); showAnswer(); showMap();
  });
  drawOutlines();
  $('show-zones').addEventListener('change', () => { if ($('show-zones').checked) zoneLayer.addTo(map); else map.removeLayer(zoneLayer); });
  $('show-gaps').addEventListener('change', drawGaps);
  $('show-facilities').addEventListener('change', () => {
    if ($('show-facilities').checked) facilityLayer.addTo(map); else map.removeLayer(facilityLayer);
  });
  $('layer').addEventListener('change', showMap);
  $('month').addEventListener('change', () => {
    const v = $('month').value;
    month = v === '' ? undefined : v === 'all' ? null : Number(v);
    ask();
  });
  $('set-threshold').addEventListener('click', () => {
    const service = $('service').value, minutes = Number($('threshold').value);
    push({mod: {set_threshold: {service, threshold_min: minutes}}, label: `${t('threshold')} ${service} ${minutes} min`, at: null});
  });
  $('undo').addEventListener('click', () => { if (edits.length) { redo.push(edits.pop()); changed(); } });
  $('redo').addEventListener('click', () => { if (redo.length) { edits.push(redo.pop()); changed(); } });
  $('reset').addEventListener('click', () => {
    if (edits.length && !confirm(t('Start again: remove every edit of this session?'))) return;
    edits = []; redo = []; changed();
  });
  $('finish').addEventListener('click', finishLine);
  $('cancel').addEventListener('click', setTool);
  $('save').addEventListener('click', save);
  $('rank').addEventListener('click', rank);
  $('export').addEventListener('click', exportResults);
  $('threshold').value = info.services[0].threshold_min;
  drawGaps();
  setTool();
  changed();
}

start().catch((err) => setStatus(err.message, true));
