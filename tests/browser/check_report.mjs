// Loads a report.html from disk in Debian's headless chromium (playwright-core) and checks that it makes no network
// request and logs no error, that its map renders, and that its tables match the CSV files beside it.
// Usage: node check_report.mjs RESULTS_DIR [run|compare]   (exit code 0 = every check passed)

import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve(process.argv[2]);
const kind = process.argv[3] || 'run';
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

/** A CSV file as objects keyed by the header (quoted fields with commas and "" handled). */
function readCsv(file) {
  const text = readFileSync(file, 'utf8').trimEnd();
  const rows = [];
  for (const line of text.split('\n')) {
    const cells = [];
    let cell = '', quoted = false;
    for (let i = 0; i < line.length; ++i) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') { cell += '"'; ++i; }
        else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') { cells.push(cell); cell = ''; }
      else cell += c;
    }
    cells.push(cell);
    rows.push(cells);
  }
  const [header, ...body] = rows;
  return body.map(r => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/** "50,557" / "62.3" / "–" as a number (English report). */
const num = s => (s === '–' ? NaN : Number(s.replace(/,/g, '').replace('%', '')));
const near = (shown, expected, tolerance) => Math.abs(num(shown) - Number(expected)) <= tolerance;

/** The rows of a report table keyed by data-service / data-class, with their cells' text. */
const tableRows = (page, selector) => page.$$eval(`${selector} tbody tr`, trs => trs.map(tr => ({
  service: tr.dataset.service, cls: tr.dataset.class, cells: [...tr.cells].map(td => td.textContent) })));

/** Each CSV row's table row (same service and area class), or a failure naming the missing one. */
function pairRows(csv, rows, name) {
  check(rows.length === csv.length, `${name} table has ${rows.length} rows, ${name}.csv ${csv.length}`);
  const pairs = [];
  for (const s of csv) {
    const r = rows.find(x => x.service === s.service && x.cls === s.area_class);
    if (r) pairs.push([s, r]);
    else failures.push(`no row for ${s.service} ${s.area_class}`);
  }
  return pairs;
}

const url = pathToFileURL(join(dir, 'report.html')).href;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const requests = [], errors = [];
  page.on('request', r => { if (r.url() !== url && !r.url().startsWith('data:')) requests.push(r.url()); });
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.accessplanMap !== undefined, null, { timeout: 15000 });
  // The raster layer has decoded and is drawn.
  await page.waitForFunction(() => {
    const img = document.querySelector('#map img.leaflet-image-layer');
    return img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 15000 });
  await page.waitForTimeout(300);

  check(requests.length === 0, `network requests: ${requests.join(', ')}`);
  check(errors.length === 0, `console errors: ${errors.join(' | ')}`);

  // The map is not blank: a screenshot of it holds many colours (the map is wider than the province: white sides).
  const shot = await page.locator('#map').screenshot();
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    let white = 0;
    for (let i = 0; i < d.length; i += 4) {
      seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      if (d[i] > 250 && d[i + 1] > 250 && d[i + 2] > 250) ++white;
    }
    return { distinct: seen.size, whiteShare: white / (d.length / 4) };
  }, shot.toString('base64'));
  check(colours.distinct > 30, `map screenshot has only ${colours.distinct} colours`);
  check(colours.whiteShare < 0.85, `map screenshot is ${Math.round(colours.whiteShare * 100)}% white`);
  check(await page.locator('.leaflet-control-layers-base input').count() === 5, 'one base layer per service');

  if (kind === 'run') {
    // Key figures against summary.csv: every row, children and % within.
    for (const [s, r] of pairRows(readCsv(join(dir, 'summary.csv')), await tableRows(page, '#summary'), 'summary')) {
      check(near(r.cells[2], s.children, 0.51), `${s.service} ${s.area_class}: children ${r.cells[2]} vs ${s.children}`);
      check(near(r.cells[3], s.within_threshold, 0.51), `${s.service} ${s.area_class}: within ${r.cells[3]} vs ${s.within_threshold}`);
      check(near(r.cells[4], s.pct_within, 0.051), `${s.service} ${s.area_class}: % ${r.cells[4]} vs ${s.pct_within}`);
      check(near(r.cells[7], s.unreachable, 0.51), `${s.service} ${s.area_class}: unreachable ${r.cells[7]} vs ${s.unreachable}`);
    }
    // The ranking against ranking.csv: every site in order, its cost and cumulative figures.
    const ranking = readCsv(join(dir, 'ranking.csv'));
    const ranked = await page.$$eval('#ranking-table tbody tr', trs => trs.map(tr => [...tr.cells].map(td => td.textContent)));
    check(ranked.length === ranking.length, `ranking table has ${ranked.length} rows, ranking.csv ${ranking.length}`);
    ranking.forEach((r, i) => {
      const row = ranked[i];
      if (!row) return;
      check(row[0] === r.rank, `ranking row ${i}: rank ${row[0]} vs ${r.rank}`);
      check(row[1].includes(r.candidate_id), `ranking row ${i}: site ${row[1]} vs ${r.candidate_id}`);
      check(near(row[4], r.cost, 0.51), `ranking row ${i}: cost ${row[4]} vs ${r.cost}`);
      check(near(row[5], r.cumulative_cost, 0.51), `ranking row ${i}: cumulative cost ${row[5]} vs ${r.cumulative_cost}`);
      check(near(row[6], r.children_new, 0.51), `ranking row ${i}: children ${row[6]} vs ${r.children_new}`);
      check(near(row[7], r.cumulative_children, 0.51), `ranking row ${i}: cumulative ${row[7]} vs ${r.cumulative_children}`);
    });
    // One budget curve per programme (programmes.csv), as many as the programmes table has rows.
    const programmes = await page.locator('#programmes-table tbody tr').count();
    check(programmes >= 1 && await page.locator('#cost-chart polyline').count() === programmes, 'a budget curve per programme');

    // The ranked sites' numbers never overlap, on the service with the most sites, as it opens and zoomed in; the
    // sites left without a number are named under the map.
    const layers = await page.evaluate(() => JSON.parse(document.getElementById('report-data').textContent).services
      .map(s => ({ label: s.label, sites: s.ranked.length })));
    const busiest = layers.reduce((a, b) => (b.sites > a.sites ? b : a));
    await page.locator('.leaflet-control-layers-base label', { hasText: busiest.label }).locator('input').check();
    for (const zoom of [0, 1]) {
      if (zoom) await page.evaluate(() => window.accessplanMap.zoomIn(1, { animate: false }));
      await page.waitForTimeout(300);
      const boxes = await page.$$eval('#map .rank-icon', els => els.map(e => { const r = e.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom, e.textContent]; }));
      const dots = (await page.locator('#map-ranks').textContent()).match(/\d+/g) || [];
      check(boxes.length > 0 && boxes.length + dots.length === busiest.sites,
            `${busiest.label} (zoom +${zoom}): ${boxes.length} numbers and ${dots.length} dots for ${busiest.sites} sites`);
      for (let i = 0; i < boxes.length; ++i)
        for (let j = i + 1; j < boxes.length; ++j) {
          const [a, b] = [boxes[i], boxes[j]];
          check(!(a[0] < b[2] - 0.5 && b[0] < a[2] - 0.5 && a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5),
                `${busiest.label} (zoom +${zoom}): rank ${a[4]} overlaps rank ${b[4]}`);
        }
      // Facility markers: 4 px, or 0.3 x the median distance on screen from one to its nearest (at least 1.5 px).
      // (every marker, on screen or not, from Leaflet's own layers: [x, y] in layer pixels and the radius)
      const marks = await page.evaluate(() => { const m = window.accessplanMap, out = [];
        m.eachLayer(l => { if (l.options && l.options.className === 'facility-marker') {
          const p = m.latLngToLayerPoint(l.getLatLng()); out.push([p.x, p.y, l.getRadius()]); } });
        return out; });
      if (marks.length > 1) {
        const nearest = marks.map((m, i) => Math.min(...marks.filter((_, j) => j !== i).map(o => Math.hypot(o[0] - m[0], o[1] - m[1]))))
          .sort((x, y) => x - y);
        const want = Math.max(1.5, Math.min(4, 0.3 * nearest[Math.floor(nearest.length / 2)]));
        check(marks.every(m => Math.abs(m[2] - want) < 0.05),
              `${busiest.label} (zoom +${zoom}): facility markers of radius ${marks[0][2].toFixed(2)} px, expected ${want.toFixed(2)}`);
      }
    }
  } else {
    const rows = await tableRows(page, '#compare');
    for (const [s, r] of pairRows(readCsv(join(dir, 'compare.csv')), rows, 'compare')) {
      check(near(r.cells[3], s.within_before, 0.51), `${s.service} ${s.area_class}: before ${r.cells[3]} vs ${s.within_before}`);
      check(near(r.cells[4], s.within_after, 0.51), `${s.service} ${s.area_class}: after ${r.cells[4]} vs ${s.within_after}`);
      check(near(r.cells[5], s.gained, 0.51), `${s.service} ${s.area_class}: gained ${r.cells[5]} vs ${s.gained}`);
      check(near(r.cells[6], s.lost, 0.51), `${s.service} ${s.area_class}: lost ${r.cells[6]} vs ${s.lost}`);
      check(near(r.cells[8], s.unreachable_before, 0.51), `${s.service} ${s.area_class}: no access before ${r.cells[8]} vs ${s.unreachable_before}`);
      check(near(r.cells[9], s.unreachable_after, 0.51), `${s.service} ${s.area_class}: no access after ${r.cells[9]} vs ${s.unreachable_after}`);
      check(near(r.cells[10], s.unreachable_to_beyond, 0.51), `${s.service} ${s.area_class}: reached beyond ${r.cells[10]} vs ${s.unreachable_to_beyond}`);
      check(near(r.cells[11], s.beyond_to_unreachable, 0.51), `${s.service} ${s.area_class}: unreached beyond ${r.cells[11]} vs ${s.beyond_to_unreachable}`);
    }
    // The report opens on the service that changed most (compare.json), in its table and on its map.
    const lead = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')).largest_change;
    check(rows.length > 0 && rows[0].service === lead, `the table opens on ${rows[0] && rows[0].service}, not ${lead}`);
    check(await page.locator('#largest-change').getAttribute('data-service') === lead, 'the opening paragraph names the largest change');
    const shown = await page.locator('.leaflet-control-layers-base input:checked + span').textContent();
    const first = await page.evaluate(() => JSON.parse(document.getElementById('report-data').textContent).services[0].label);
    check(shown.trim() === first.trim(), `the map opens on ${shown}, not ${first}`);
    // The zones that changed most: at most ten, each a row of compare_zones.csv.
    const zones = readCsv(join(dir, 'compare_zones.csv'));
    const zoneRows = await page.$$eval('#zone-change-table tbody tr', trs => trs.map(tr => ({ zone: tr.dataset.zone, service: tr.dataset.service,
      cells: [...tr.cells].map(td => td.textContent) })));
    check(zoneRows.length <= 10, `${zoneRows.length} zones listed`);
    for (const z of zoneRows) {
      const s = zones.find(x => x.zone_code === z.zone && x.service === z.service);
      check(s !== undefined, `no row of compare_zones.csv for ${z.zone} ${z.service}`);
      if (s) check(near(z.cells[3], s.within_before, 0.51) && near(z.cells[5], s.unreachable_before, 0.51),
                   `zone ${z.zone} ${z.service}: ${z.cells.join(' ')}`);
    }
  }
  // Printable: the print stylesheet hides the layer control.
  await page.emulateMedia({ media: 'print' });
  check(await page.locator('.leaflet-control-layers').isHidden(), 'the layer control is hidden in print');
} finally {
  await browser.close();
}

if (failures.length) {
  console.error(`report.html in ${dir}: ${failures.length} check(s) failed:\n  ` + failures.join('\n  '));
  process.exit(1);
}
console.log(`report.html in ${dir}: no network request, no console error, map drawn, tables match`);
