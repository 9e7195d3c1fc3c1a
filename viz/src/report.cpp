#include "accessplan/viz/report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include "accessplan/engine/version.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/viz/labels.hpp"
#include "accessplan/viz/outputs.hpp"
#include "xml_escape.hpp"

namespace fs = std::filesystem;

namespace accessplan::viz {
namespace embedded {
std::string_view leaflet_js();
std::string_view leaflet_css();
}  // namespace embedded

std::string base64(std::string_view bytes) {
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i < bytes.size()) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

namespace {

std::string esc(const std::string& text) { return detail::xml_escape(text); }


/// Phrases of the report (maps share labels.hpp's).
std::string t(const std::string& key, Lang lang) {
    static const std::map<std::string, std::pair<const char*, const char*>> table{
        {"report", {"Access to services for children", "Tiếp cận dịch vụ cho trẻ em"}},
        {"key figures", {"Key figures", "Số liệu chính"}},
        {"interactive map", {"Map", "Bản đồ"}},
        {"gaps", {"Largest access gaps", "Các vùng thiếu tiếp cận lớn nhất"}},
        {"ranking", {"Ranked investments", "Danh mục đầu tư theo thứ tự ưu tiên"}},
        {"cost coverage", {"Cost and coverage", "Chi phí và độ bao phủ"}},
        {"method", {"Method and data", "Phương pháp và dữ liệu"}},
        {"service", {"Service", "Dịch vụ"}},
        {"area class", {"Area class", "Loại vùng"}},
        {"children", {"Children", "Trẻ em"}},
        {"within", {"Within threshold", "Trong ngưỡng"}},
        {"pct within", {"% within", "% trong ngưỡng"}},
        {"mean", {"Mean (min)", "Trung bình (phút)"}},
        {"p90", {"90th pct. (min)", "Phân vị 90 (phút)"}},
        {"unreachable", {"No access", "Không tiếp cận được"}},
        {"threshold", {"Threshold", "Ngưỡng"}},
        {"mode", {"Travel mode", "Phương tiện"}},
        {"target group", {"Target group", "Nhóm tuổi"}},
        {"rank", {"Rank", "Thứ tự"}},
        {"site", {"Site", "Địa điểm"}},
        {"origin", {"Origin", "Nguồn"}},
        {"cost", {"Cost", "Chi phí"}},
        {"cumulative cost", {"Cumulative cost", "Chi phí lũy kế"}},
        {"new children", {"Children newly within reach", "Trẻ em mới được tiếp cận"}},
        {"cumulative children", {"Cumulative children", "Trẻ em lũy kế"}},
        {"zone", {"Where", "Khu vực"}},
        {"reason", {"Why", "Lý do"}},
        {"budget", {"Budget", "Ngân sách"}},
        {"spent", {"spent", "đã dùng"}},
        {"mean min", {"Mean time (min)", "Thời gian TB (phút)"}},
        {"area km2", {"Area (km²)", "Diện tích (km²)"}},
        {"nearest", {"Nearest facility", "Cơ sở gần nhất"}},
        {"before", {"Within before", "Trong ngưỡng trước"}},
        {"after", {"Within after", "Trong ngưỡng sau"}},
        {"gained", {"Gained access", "Được tiếp cận"}},
        {"lost", {"Lost access", "Mất tiếp cận"}},
        {"points", {"Change (pct. points)", "Thay đổi (điểm %)"}},
        {"before after", {"Before and after", "Trước và sau"}},
        {"facilities", {"Facilities", "Cơ sở"}},
        {"zones", {"Zones", "Khu vực hành chính"}},
        {"study area", {"Study area", "Khu vực nghiên cứu"}},
        {"national border", {"National border", "Biên giới quốc gia"}},
        {"osm extract", {"OpenStreetMap complete inside", "OpenStreetMap đầy đủ bên trong"}},
        {"gap layer", {"Access gaps", "Vùng thiếu tiếp cận"}},
        {"ranked sites", {"Ranked sites", "Địa điểm đề xuất"}},
        {"x budget", {"budget (each point re-ranked at that budget)", "ngân sách (mỗi điểm được xếp hạng lại với ngân sách đó)"}},
        {"programmes", {"Programmes", "Chương trình"}},
        {"programme", {"Programme", "Chương trình"}},
        {"services", {"Services", "Dịch vụ"}},
        {"left", {"Left", "Còn lại"}},
        {"spent col", {"Spent", "Đã dùng"}},
        {"sites", {"Sites", "Địa điểm"}},
        {"bound", {"At most this far from the best possible", "Khoảng cách tối đa tới tối ưu"}},
        {"reserved", {"Kept for priority areas", "Dành cho vùng ưu tiên"}},
        {"why left", {"Why money is left", "Vì sao còn tiền"}},
        {"budget curve note", {"What each budget buys: the ranking re-run at 10%, 20% … 100% of each programme's budget "
                               "(budget_curve.csv), not the first sites of the full list.",
                               "Mỗi mức ngân sách mua được gì: xếp hạng lại ở 10%, 20% … 100% ngân sách của từng chương "
                               "trình (budget_curve.csv), không phải các địa điểm đầu của danh sách đầy đủ."}},
        {"y children", {"children newly within reach", "trẻ em mới được tiếp cận"}},
        {"y people", {"people newly within reach", "người dân mới được tiếp cận"}},
        {"new people", {"People newly within reach", "Người dân mới được tiếp cận"}},
        {"cumulative people", {"Cumulative people", "Số dân lũy kế"}},
        {"all", {"all", "tất cả"}},
        {"nothing ranked", {"No site was ranked.", "Không có địa điểm nào được xếp hạng."}},
        {"rank dots", {"Too close together to number at this zoom (white dots: zoom in, or see the ranking table): ranks",
                       "Quá gần nhau để ghi số ở mức thu phóng này (chấm trắng: phóng to, hoặc xem bảng xếp hạng): thứ tự"}},
        {"warnings", {"What this run assumed or left out", "Những điều lần chạy này đã giả định hoặc bỏ qua"}},
        {"people", {"People", "Dân số"}},
        {"population account", {"Where the people of the population raster are", "Dân số trong dữ liệu dân số ở đâu"}},
        {"in boundary", {"inside the boundary (as the raster has them)", "trong ranh giới (theo dữ liệu gốc)"}},
        {"moved off water", {"moved off water onto land", "chuyển từ mặt nước lên đất liền"}},
        {"not placed", {"on water far from land (in no figure)", "trên mặt nước xa đất liền (không tính)"}},
        {"beyond border", {"beyond the national border line (in no figure)", "bên kia đường biên giới quốc gia (không tính)"}},
        {"boundary edge", {"left out at the boundary's edge, net (cells count whole by their centre; people moved across "
                           "it or on water far from land; negative: the edge cells bring in more than they leave out)",
                           "chênh lệch ròng ở mép ranh giới (ô được tính trọn theo tâm ô; người được chuyển qua ranh giới "
                           "hoặc trên mặt nước xa đất liền; số âm: các ô ở mép mang vào nhiều hơn bỏ ra)"}},
        {"counted", {"counted in every figure", "được tính trong mọi số liệu"}},
        {"islands", {"Islands", "Đảo"}},
        {"zones table", {"By zone: who lives beyond each threshold", "Theo khu vực: ai sống ngoài ngưỡng của từng dịch vụ"}},
        {"zones table note all", {"Every zone, the most people beyond the thresholds first (all services together); each "
                                  "service's cell: the share within its threshold and, below, the people beyond it. "
                                  "zones.csv has the full figures.",
                                  "Mọi khu vực, nơi nhiều người ngoài ngưỡng nhất trước (cộng mọi dịch vụ); mỗi ô dịch vụ: "
                                  "tỷ lệ trong ngưỡng và, bên dưới, số người ngoài ngưỡng. zones.csv có đầy đủ số liệu."}},
        {"zones table note some", {"The zones with the most people beyond the thresholds (all services together), of {} "
                                   "(zones.csv has every zone); each service's cell: the share within its threshold and, "
                                   "below, the people beyond it.",
                                   "Các khu vực có nhiều người ngoài ngưỡng nhất (cộng mọi dịch vụ), trong {} khu vực "
                                   "(zones.csv có mọi khu vực); mỗi ô dịch vụ: tỷ lệ trong ngưỡng và, bên dưới, số người "
                                   "ngoài ngưỡng."}},
        {"island status", {"Status", "Tình trạng"}},
        {"reached by", {"Reached by", "Tiếp cận bằng"}},
        {"warnings note", {"Read these before quoting any figure (also in summary.json).",
                           "Hãy đọc trước khi trích dẫn số liệu (cũng có trong summary.json)."}},
    };
    const auto it = table.find(key);
    if (it == table.end()) return key;
    return lang == Lang::vi ? it->second.second : it->second.first;
}

/// A ranking label about children ("new children", "y children", "cumulative children"): about people when the run has
/// no age data (its "children" are people of all ages).
std::string rt(const std::string& key, const scenarios::RankingReport& rk, Lang lang) {
    if (!rk.all_ages) return t(key, lang);
    return t(std::string(key).replace(key.find("children"), 8, "people"), lang);
}

std::string number(double v, int decimals, Lang lang) {
    if (!std::isfinite(v)) return "–";
    if (decimals == 0) return format_count(v, lang);
    std::string s = fmt::format("{:.{}f}", v, decimals);
    if (lang == Lang::vi) std::replace(s.begin(), s.end(), '.', ',');
    return s;
}

/// A geometry as GeoJSON (grid CRS, metres rounded), simplified to half a cell: small enough to inline.
nlohmann::json geometry_json(const OGRGeometry& g, double tolerance) {
    std::unique_ptr<OGRGeometry> simple(tolerance > 0 ? g.SimplifyPreserveTopology(tolerance) : nullptr);
    const OGRGeometry& use = simple ? *simple : g;
    const char* options[] = {"COORDINATE_PRECISION=0", nullptr};
    char* text = OGR_G_ExportToJsonEx(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&use)), const_cast<char**>(options));
    nlohmann::json j = text ? nlohmann::json::parse(text) : nlohmann::json();
    CPLFree(text);
    return j;
}

nlohmann::json feature_collection(const std::vector<geodata::Feature>& features, double tolerance,
                                  const std::vector<std::string>& keys) {
    nlohmann::json fc{{"type", "FeatureCollection"}, {"features", nlohmann::json::array()}};
    for (const auto& f : features) {
        if (!f.geometry) continue;
        nlohmann::json props = nlohmann::json::object();
        for (const auto& k : keys) props[k] = f.attribute(k);
        fc["features"].push_back({{"type", "Feature"}, {"geometry", geometry_json(*f.geometry, tolerance)}, {"properties", props}});
    }
    return fc;
}

std::string css() {
    return R"css(
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;color:#1a1a1a;background:#fff;font-size:14px;line-height:1.45}
header{background:#253494;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:24px}
header p{margin:0;opacity:.9}
nav{padding:8px 28px;background:#f0f3fa;border-bottom:1px solid #d5dbea}
nav a{margin-right:16px;color:#253494;text-decoration:none;font-weight:bold}
main{padding:0 28px 28px;max-width:1280px}
section{margin-top:26px}
h2{font-size:19px;border-bottom:2px solid #253494;padding-bottom:3px}
table{border-collapse:collapse;margin:8px 0 14px;font-size:13px}
th,td{border:1px solid #d0d0d0;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#eef1f8}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.robust{font-weight:bold}
tr.all td{font-weight:bold;background:#fafafa}
#map{height:620px;border:1px solid #999;background:#fff}
.raster{image-rendering:pixelated;image-rendering:crisp-edges}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:8px 0;font-size:12px}
.legend span.sw{display:inline-block;width:16px;height:10px;border:1px solid #888;margin-right:5px;vertical-align:middle}
.rank-icon{box-sizing:border-box;background:#fff;border:1.5px solid #1a1a1a;border-radius:10px;font:bold 10px/17px "DejaVu Sans",Arial,sans-serif;text-align:center;color:#1a1a1a}
.note{color:#555;font-size:12px}
svg text{font-family:"DejaVu Sans",Arial,sans-serif}
.leaflet-control-layers-toggle{background-image:none}
@media print{
  nav,.leaflet-control-layers,.leaflet-control-zoom{display:none}
  header{background:none;color:#000;padding:0 0 8px;border-bottom:2px solid #000}
  main{padding:0;max-width:none}
  section{page-break-inside:avoid;break-inside:avoid}
  section.pagebreak{page-break-before:always;break-before:page}
  #map{height:17cm}
  table{font-size:9pt}
  a{color:#000;text-decoration:none}
}
)css";
}

/// The interactive map's script: Leaflet on the analysis grid's own coordinates (L.CRS.Simple: metres, no web
/// tiles, nothing fetched), one raster per service to choose from, and the service's gaps, facilities and sites.
std::string map_script() {
    return R"js(
(function () {
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var ox = D.extent[0], oy = D.extent[1];
  var ll = function (c) { return L.latLng(c[1] - oy, c[0] - ox); };
  var bounds = L.latLngBounds(ll([D.extent[0], D.extent[1]]), ll([D.extent[2], D.extent[3]]));
  var map = L.map('map', {crs: L.CRS.Simple, minZoom: -12, maxZoom: 4, zoomSnap: 0.25});
  map.fitBounds(bounds);
  map.attributionControl.setPrefix('Leaflet');
  map.attributionControl.addAttribution(D.credits);
  var geo = function (data, style, popup) {
    return L.geoJSON(data, {coordsToLatLng: ll, style: style, interactive: !!popup,
      onEachFeature: function (f, layer) { if (popup) layer.bindPopup(popup(f.properties)); }});
  };
  var text = function (s) { var d = document.createElement('div'); d.textContent = s; return d.innerHTML; };
  var base = {}, perService = {}, current = null;
  var gapLayer = L.layerGroup(), facilityLayer = L.layerGroup(), rankLayer = L.layerGroup();
  D.services.forEach(function (s) {
    base[s.label] = L.imageOverlay('data:image/png;base64,' + s.image, bounds, {className: 'raster', opacity: 0.92});
    perService[s.label] = s;
  });
  // The ranked sites' numbers, placed anew at every zoom so that none overlaps another or covers another site: on
  // the site, else beside it with a leader line, else the site is a white dot and the note under the map names it
  // (the same greedy placement as the printed maps, viz/src/label_placer.cpp).
  var crosses = function (b, x0, y0, x1, y1) {  // the segment passes through the box's inside (Liang-Barsky)
    var t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    var p = [-dx, dx, -dy, dy], q = [x0 - b[0], b[2] - x0, y0 - b[1], b[3] - y0];
    for (var i = 0; i < 4; ++i) {
      if (p[i] === 0) { if (q[i] <= 0) return false; continue; }
      var t = q[i] / p[i];
      if (p[i] < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t);
      if (t0 >= t1) return false;
    }
    return t1 - t0 > 1e-9;
  };
  var placeRanks = function () {
    rankLayer.clearLayers();
    var note = document.getElementById('map-ranks');
    if (note) note.textContent = '';
    if (!current || !current.ranked.length) return;
    var sites = current.ranked.slice().sort(function (a, b) { return a.rank - b.rank; });
    var pts = sites.map(function (r) { return map.latLngToLayerPoint(ll([r.x, r.y])); });
    var R = 3, gap = 1, boxes = [], leaders = [], dots = [];
    var dirs = function (fine) {
      var deg = [45, -45, 135, -135, 0, 180, 90, -90];
      if (fine) deg = deg.concat([22.5, -22.5, 157.5, -157.5, 67.5, -67.5, 112.5, -112.5]);
      return deg.map(function (d) { return [Math.cos(d * Math.PI / 180), -Math.sin(d * Math.PI / 180)]; });
    };
    var free = function (b, i, leader) {
      var k;
      for (k = 0; k < boxes.length; ++k) {
        var o = boxes[k];
        if (b[0] < o[2] + gap && o[0] < b[2] + gap && b[1] < o[3] + gap && o[1] < b[3] + gap) return false;
      }
      for (k = 0; k < pts.length; ++k) {
        if (k === i && !leader) continue;
        if (pts[k].x + R > b[0] && pts[k].x - R < b[2] && pts[k].y + R > b[1] && pts[k].y - R < b[3]) return false;
      }
      for (k = 0; k < leaders.length; ++k) if (crosses(b, leaders[k][0], leaders[k][1], leaders[k][2], leaders[k][3])) return false;
      if (leader) {
        var cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2;
        for (k = 0; k < boxes.length; ++k) if (crosses(boxes[k], pts[i].x, pts[i].y, cx, cy)) return false;
      }
      return true;
    };
    sites.forEach(function (r, i) {
      var p = pts[i], w = String(r.rank).length > 2 ? 26 : 20, h = 20, placed = null, leader = false;
      var at = function (cx, cy) { return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]; };
      if (free(at(p.x, p.y), i, false)) placed = at(p.x, p.y);
      for (var ring = 0; !placed && ring < 4; ++ring) {
        var d = R + gap + ring * 10;
        var ds = dirs(ring >= 2);
        for (var k = 0; k < ds.length && !placed; ++k) {
          var support = Math.abs(ds[k][0]) * w / 2 + Math.abs(ds[k][1]) * h / 2;
          var b = at(p.x + ds[k][0] * (d + support), p.y + ds[k][1] * (d + support));
          if (free(b, i, true)) { placed = b; leader = true; }
        }
      }
      var popup = '<b>' + r.rank + '. ' + text(r.id) + '</b><br>' + text(r.reason);
      if (!placed || leader)
        L.circleMarker(ll([r.x, r.y]), {radius: R, color: '#1a1a1a', weight: 1, fillColor: '#fff', fillOpacity: 1})
          .bindPopup(popup).addTo(rankLayer);
      if (!placed) { dots.push(r.rank); return; }
      var centre = map.layerPointToLatLng(L.point((placed[0] + placed[2]) / 2, (placed[1] + placed[3]) / 2));
      if (leader) {
        leaders.push([p.x, p.y, (placed[0] + placed[2]) / 2, (placed[1] + placed[3]) / 2]);
        L.polyline([ll([r.x, r.y]), centre], {color: '#1a1a1a', weight: 1, interactive: false}).addTo(rankLayer);
      }
      boxes.push(placed);
      L.marker(centre, {icon: L.divIcon({className: 'rank-icon', html: String(r.rank), iconSize: [w, h]})})
        .bindPopup(popup).addTo(rankLayer);
    });
    if (note && dots.length) note.textContent = D.words.rank_dots + ' ' + dots.join(', ') + '.';
  };
  // Facility markers: 4 px, smaller where they crowd at the current zoom (hundreds of district centres on a national
  // map would hide the travel times): at most 0.3 x the median distance from a marker to its nearest neighbour on
  // screen, and at least 1.5 px, as the printed maps do; again at every zoom.
  var facilityMarkers = [];
  var sizeFacilities = function () {
    var pts = facilityMarkers.map(function (m) { return map.latLngToLayerPoint(m.getLatLng()); });
    var r = 4;
    if (pts.length > 1) {
      var step = Math.max(1, Math.floor(pts.length / 2000)), nearest = [];
      for (var i = 0; i < pts.length; i += step) {
        var best = Infinity;
        for (var j = 0; j < pts.length; ++j) if (j !== i) best = Math.min(best, pts[i].distanceTo(pts[j]));
        nearest.push(best);
      }
      nearest.sort(function (a, b) { return a - b; });
      r = Math.max(1.5, Math.min(4, 0.3 * nearest[Math.floor(nearest.length / 2)]));
    }
    facilityMarkers.forEach(function (m) { m.setRadius(r); });
  };
  var show = function (label) {
    var s = perService[label];
    gapLayer.clearLayers(); facilityLayer.clearLayers(); rankLayer.clearLayers();
    geo(s.gaps, {color: '#b2182b', weight: 1.4, fill: false}, function (p) {
      return '<b>' + text(D.words.gap) + ' #' + text(p.rank) + '</b><br>' + text(p.children) + ' ' + text(D.words.children);
    }).addTo(gapLayer);
    facilityMarkers = s.facilities.map(function (f) {
      return L.circleMarker(ll([f.x, f.y]), {radius: 4, color: '#222', weight: 0.8, fillColor: f.colour, fillOpacity: 1,
                                             className: 'facility-marker'})
        .bindPopup('<b>' + text(f.name || f.type) + '</b><br>' + text(f.type)).addTo(facilityLayer);
    });
    sizeFacilities();
    current = s;
    placeRanks();
    document.getElementById('map-legend').innerHTML = s.legend;
  };
  var overlays = {};
  overlays[D.words.zones] = geo(D.zones, {color: '#6f6f6f', weight: 0.6, fill: true, fillOpacity: 0}, function (p) {
    return '<b>' + text(p.zone_name) + '</b> (' + text(p.zone_code) + ')';
  });
  overlays[D.words.study_area] = geo(D.study_area, {color: '#1a1a1a', weight: 1.6, fill: false});
  if (D.border.features.length) overlays[D.words.border] = geo(D.border, {color: '#4a1486', weight: 2, dashArray: '8 3 2 3'});
  if (D.osm_extract.features.length) overlays[D.words.osm_extract] = geo(D.osm_extract, {color: '#cc5500', weight: 2, dashArray: '6 3', fill: false});
  overlays[D.words.gaps] = gapLayer;
  overlays[D.words.facilities] = facilityLayer;
  overlays[D.words.ranked] = rankLayer;
  var first = D.services[0].label;
  base[first].addTo(map);
  [D.words.zones, D.words.study_area, D.words.border, D.words.osm_extract, D.words.gaps, D.words.facilities, D.words.ranked].forEach(function (k) {
    if (overlays[k]) overlays[k].addTo(map);
  });
  show(first);
  map.on('baselayerchange', function (e) { show(e.name); });
  map.on('zoomend', placeRanks);
  map.on('zoomend', sizeFacilities);
  L.control.layers(base, overlays, {collapsed: false}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  window.accessplanMap = map;
})();
)js";
}

std::string legend_html(const std::vector<ValueClass>& classes, bool unreachable, const std::string& unreachable_label, Lang lang) {
    std::string out = "<div class=\"legend\">";
    for (const auto& c : classes)
        out += fmt::format("<span><span class=\"sw\" style=\"background:{}\"></span>{}</span>", c.colour.hex(), esc(c.label));
    if (unreachable)
        out += fmt::format("<span><span class=\"sw\" style=\"background:{}\"></span>{}</span>", unreachable_colour().hex(),
                           esc(unreachable_label.empty() ? tr("unreachable", lang) : unreachable_label));
    out += fmt::format("<span><span class=\"sw\" style=\"background:#dbe9f6\"></span>{}</span>", esc(tr("water", lang)));
    return out + "</div>";
}

/// The map's data (everything but the per-service rasters and layers).
nlohmann::json map_data(const MapContext& ctx, Lang lang) {
    const GridSpec& g = ctx.grid;
    const double tol = g.cell_width_m() / g.crs.metres_per_unit / 2.0;
    nlohmann::json d;
    d["extent"] = {g.min_x(), g.min_y(), g.max_x(), g.max_y()};
    d["credits"] = esc(ctx.credits);
    d["zones"] = feature_collection(ctx.zones, tol, {"zone_code", "zone_name"});
    d["study_area"] = feature_collection(ctx.study_area, tol, {});
    d["border"] = feature_collection(ctx.border, tol, {});
    d["osm_extract"] = feature_collection(ctx.osm_extract, tol, {});
    d["words"] = {{"zones", t("zones", lang)}, {"study_area", t("study area", lang)}, {"border", t("national border", lang)},
                  {"osm_extract", t("osm extract", lang)},
                  {"gaps", t("gap layer", lang)}, {"facilities", t("facilities", lang)}, {"ranked", t("ranked sites", lang)},
                  {"gap", t("gap layer", lang)}, {"children", tr("children", lang)}, {"rank_dots", t("rank dots", lang)}};
    d["services"] = nlohmann::json::array();
    return d;
}

nlohmann::json service_layer(const MapContext& ctx, const std::string& service, const std::string& label, const Grid<float>& values,
                             const std::vector<ValueClass>& classes, bool unreachable, const std::string& unreachable_label,
                             const std::vector<std::string>& types, Lang lang) {
    const double tol = ctx.grid.cell_width_m() / ctx.grid.crs.metres_per_unit / 2.0;
    nlohmann::json s{{"label", label}, {"image", base64(raster_png(ctx, values, classes, unreachable))},
                     {"legend", legend_html(classes, unreachable, unreachable_label, lang)}};
    std::vector<geodata::Feature> gaps;
    for (const auto& f : ctx.gaps)
        if (f.attribute("service") == service && f.geometry) gaps.push_back({f.fid, std::unique_ptr<OGRGeometry>(f.geometry->clone()), f.attributes});
    s["gaps"] = feature_collection(gaps, tol, {"rank", "children"});
    s["facilities"] = nlohmann::json::array();
    for (const auto& f : ctx.facilities) {
        const auto it = std::find(types.begin(), types.end(), f.attribute("type"));
        if (it == types.end() || !f.geometry || wkbFlatten(f.geometry->getGeometryType()) != wkbPoint) continue;
        const auto* p = f.geometry->toPoint();
        s["facilities"].push_back({{"x", std::round(p->getX())}, {"y", std::round(p->getY())}, {"name", f.attribute("name")},
                                   {"type", display_name(f.attribute("type"), lang)},
                                   {"colour", facility_colour(static_cast<std::size_t>(it - types.begin())).hex()}});
    }
    s["ranked"] = nlohmann::json::array();
    for (const auto& r : ctx.ranking) {
        if (r.attribute("service") != service || !r.geometry) continue;
        const auto* p = r.geometry->toPoint();
        s["ranked"].push_back({{"x", std::round(p->getX())}, {"y", std::round(p->getY())}, {"rank", ranked_site_rank(r)},
                               {"id", r.attribute("candidate_id")}, {"reason", r.attribute("reason")}});
    }
    return s;
}

std::string page(const std::string& title, const std::string& subtitle, const std::string& nav, const std::string& body,
                 const nlohmann::json& data, Lang lang) {
    std::string leaflet_css(embedded::leaflet_css());
    leaflet_css = std::regex_replace(leaflet_css, std::regex(R"(url\([^)]*\))"), "none");  // its icons: not used, never fetched
    std::string leaflet_js(embedded::leaflet_js());
    if (const auto at = leaflet_js.rfind("//# sourceMappingURL"); at != std::string::npos) leaflet_js.erase(at);
    std::string json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (std::size_t at = json.find("</"); at != std::string::npos; at = json.find("</", at + 2)) json.replace(at, 2, "<\\/");
    return fmt::format(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"accessplan {}\">\n<title>{}</title>\n"
        "<style>{}</style>\n<style>{}</style>\n</head>\n<body>\n"
        "<header><h1>{}</h1><p>{}</p></header>\n<nav>{}</nav>\n<main>\n{}</main>\n"
        "<script type=\"application/json\" id=\"report-data\">{}</script>\n"
        "<script>{}</script>\n<script>{}</script>\n</body>\n</html>\n",
        lang == Lang::vi ? "vi" : "en", version_string, esc(title), leaflet_css, css(), esc(title), esc(subtitle), nav, body, json,
        leaflet_js, map_script());
}

std::string nav_link(const std::string& id, const std::string& label) { return fmt::format("<a href=\"#{}\">{}</a>", id, esc(label)); }

/// The cost–coverage chart: cumulative children against cumulative cost (share of the budget), as an inline SVG.
/// Money as budget officers write it: "60 tỷ đồng", "400 triệu đồng" (English: "60 billion VND"); other currencies as
/// plain amounts.
std::string money(double v, const std::string& currency, Lang lang) {
    if (!std::isfinite(v)) return "–";
    if (currency != "VND") return number(v, 0, lang) + " " + currency;
    const bool vi = lang == Lang::vi;
    double amount = v;
    std::string unit;
    if (std::abs(v) >= 1e9) {
        amount = v / 1e9;
        unit = vi ? " tỷ" : " billion";
    } else if (std::abs(v) >= 1e6) {
        amount = v / 1e6;
        unit = vi ? " triệu" : " million";
    }
    std::string text = number(amount, 2, lang);
    if (!unit.empty() || std::abs(amount - std::round(amount)) < 0.005) {  // 1,50 -> 1,5; 60,00 -> 60
        while (!text.empty() && text.back() == '0' && text.find_first_of(".,") != std::string::npos) text.pop_back();
        if (!text.empty() && (text.back() == '.' || text.back() == ',')) text.pop_back();
        if (std::abs(amount) >= 1000.0) text = number(amount, 0, lang);
    }
    return text + unit + (vi ? " đồng" : " VND");
}

std::string area_words(const std::string& areas, Lang lang) {
    if (areas == "island_border_remote")
        return lang == Lang::vi ? "hải đảo, biên giới hoặc vùng sâu, vùng xa" : "island, border or remote";
    return display_name(areas, lang);
}

}  // namespace

/// A ranked site's reason in the report's language: ranking.csv's sentence in English; in Vietnamese, the same said
/// from the row's figures (children, area classes, near water, zone, a funded neighbour).
std::string site_reason(const scenarios::RankingRow& r, const scenarios::Scenario& scenario, const scenarios::RankingReport& rk,
                        bool all_ages, Lang lang) {
    if (lang != Lang::vi) return r.reason;
    const auto svc = std::find_if(scenario.services.begin(), scenario.services.end(),
                                  [&](const scenarios::Service& v) { return v.name == r.service; });
    if (svc == scenario.services.end()) return r.reason;
    const auto& g = scenario.group(svc->target_group);
    const std::string who = age_group_label(g.min_age, g.max_age, lang, all_ages);
    std::string text =
        rk.objective == "time_saved"
            ? fmt::format("đưa {} {} đến gần {} hơn, sớm hơn trung bình {} phút", number(r.children, 0, lang), who,
                          display_name(r.service, lang), number(r.children > 0.0 ? r.minutes_saved / r.children : 0.0, 0, lang))
            : fmt::format("giúp {} {} hiện ở ngoài {} phút tới {} được tiếp cận", number(r.children, 0, lang), who,
                          number(svc->threshold_min, 0, lang), display_name(r.service, lang));
    std::vector<std::string> where;
    for (auto [label, n] : {std::pair{"ở hải đảo", r.island}, {"gần biên giới", r.border}, {"ở vùng sâu, vùng xa", r.remote}})
        if (n >= 0.1 * r.children && n >= 1.0) where.push_back(fmt::format("{} {}", number(n, 0, lang), label));
    if (!where.empty()) text += fmt::format(" ({})", fmt::join(where, ", "));
    if (r.near_water >= 1.0 && scenario.ranking &&
        std::find(scenario.ranking->pool_services.begin(), scenario.ranking->pool_services.end(), r.service) !=
            scenario.ranking->pool_services.end())
        text += fmt::format(", {} trẻ trong số đó sống cách mặt nước hở dưới {} m", number(r.near_water, 0, lang),
                            number(scenario.ranking->water_distance_m, 0, lang));
    if (!r.zone.empty()) text += fmt::format("; chủ yếu ở {}", r.zone);
    if (!r.near_funded.empty()) text += fmt::format("; cách {} — cũng được chọn, mỗi nơi phục vụ trẻ mà nơi kia không tới được", r.near_funded);
    return text;
}

namespace {

/// A candidate site's name in the report's language: generated names ("gap 3 centre", "(no road within 1000 m)").
std::string site_name(const std::string& name, Lang lang) {
    if (lang != Lang::vi) return name;
    std::string out = std::regex_replace(name, std::regex(R"(^gap (\d+) centre)"), "tâm vùng thiếu $1");
    return std::regex_replace(out, std::regex(R"(\(no road within ([0-9.]+) m\))"), "(không có đường trong $1 m)");
}

/// Why a programme's money is left, in the report's language ("" when none is).
std::string unspent_words(const scenarios::ProgrammeReport& p, const std::string& currency, Lang lang) {
    const bool vi = lang == Lang::vi;
    if (p.unspent_reason == "no_candidates")
        return p.beyond >= 0.5
                   ? (vi ? fmt::format("không có địa điểm ứng viên: {} trẻ ngoài ngưỡng không thuộc cụm thiếu hụt nào từ {} trẻ "
                                       "trở lên (gaps.min_children); hãy liệt kê địa điểm ứng viên trong một tệp (ranking.candidates)",
                                       number(p.beyond, 0, lang), number(p.gap_min_children, 0, lang))
                         : fmt::format("no candidate sites: the {} children beyond the threshold live in no gap cluster of {} "
                                       "children or more (gaps.min_children); list candidate sites in a file",
                                       number(p.beyond, 0, lang), number(p.gap_min_children, 0, lang)))
                   : (vi ? "không có địa điểm ứng viên: mọi trẻ đều trong ngưỡng" : "no candidate sites: every child is within the threshold");
    if (p.unspent_reason == "nobody_left")
        return vi ? "không còn địa điểm nào giúp thêm trẻ được tiếp cận" : "no site left would reach anyone new";
    if (p.unspent_reason == "nothing_affordable")
        return vi ? fmt::format("địa điểm rẻ nhất còn đưa thêm trẻ vào trong ngưỡng có giá {}", money(p.cheapest_useful, currency, lang))
                  : fmt::format("the cheapest site that would still reach anyone new costs {}", money(p.cheapest_useful, currency, lang));
    return "";
}

/// Speeds drawn class by class, for the robustness sentence: ", speeds by class (every mode): track ±40%, ..." (in
/// Vietnamese the class's name, with the scenario's key: "đường mòn (track) ±40%").
std::string speed_classes_words(const scenarios::UncertaintyReport& u, Lang lang) {
    if (u.speed_pct_by_class.empty()) return "";
    static const std::map<std::string, std::string> vi_names{
        {"motorway", "đường cao tốc"}, {"trunk", "quốc lộ chính"}, {"primary", "đường chính"}, {"secondary", "đường cấp hai"},
        {"tertiary", "đường cấp ba"}, {"unclassified", "đường không phân cấp"}, {"residential", "đường khu dân cư"},
        {"service", "đường nội bộ"}, {"track", "đường mòn"}, {"path", "lối đi bộ"}, {"tree_cover", "rừng cây"},
        {"shrubland", "cây bụi"}, {"grassland", "đồng cỏ"}, {"cropland", "đất trồng trọt"}, {"built_up", "đất xây dựng"},
        {"bare", "đất trống"}, {"snow_ice", "băng tuyết"}, {"water", "mặt nước"}, {"wetland", "đất ngập nước"},
        {"mangroves", "rừng ngập mặn"}, {"moss_lichen", "rêu, địa y"}, {"boat", "thuyền"}};
    std::vector<std::string> parts;
    for (const auto& [name, pct] : u.speed_pct_by_class) {
        const auto it = vi_names.find(name);
        parts.push_back(lang == Lang::vi && it != vi_names.end() ? fmt::format("{} ({}) ±{}%", it->second, name, number(pct, 0, lang))
                                                                : fmt::format("{} ±{}%", name, number(pct, 0, lang)));
    }
    return (lang == Lang::vi ? ", tốc độ theo loại (mọi phương tiện): " : ", speeds by class (every mode): ") +
           fmt::format("{}", fmt::join(parts, ", "));
}

std::string reserve_words(const scenarios::ReserveReport& r, const std::string& currency, Lang lang) {
    const bool vi = lang == Lang::vi;
    std::string text = vi ? fmt::format("{}% cho địa điểm chủ yếu phục vụ trẻ vùng {}: đã dùng {} / {}", number(100.0 * r.share, 0, lang),
                                        area_words(r.areas, lang), money(r.spent, currency, lang), money(r.target, currency, lang))
                          : fmt::format("{}% for sites reaching mostly {} children: {} of {} spent", number(100.0 * r.share, 0, lang),
                                        area_words(r.areas, lang), money(r.spent, currency, lang), money(r.target, currency, lang));
    if (!r.met())
        text += r.short_of_money ? (vi ? " (chưa đủ: địa điểm như vậy tiếp theo không vừa ngân sách)"
                                       : " (short: the next such site does not fit the budget)")
                                 : (vi ? " (chưa đủ: không còn địa điểm nào mà phần lớn trẻ mới được tiếp cận sống ở đó)"
                                       : " (short: no site is left whose new children mostly live there)");
    return text;
}

}  // namespace

std::string ranking_note_text(const scenarios::RankingNote& n, const scenarios::RankingReport& r, Lang lang) {
    if (lang != Lang::vi) return n.text;
    const auto f = [&](const char* key) {
        const auto it = n.figures.find(key);
        return it == n.figures.end() ? NAN : it->second;
    };
    const auto w = [&](const char* key) {
        const auto it = n.words.find(key);
        return it == n.words.end() ? std::string() : it->second;
    };
    const auto count = [&](const char* key) { return number(f(key), 0, lang); };
    const auto plain = [&](const char* key) {  // 0.05 -> "0,05", 500 -> "500"
        std::string s = fmt::format("{:g}", f(key));
        std::replace(s.begin(), s.end(), '.', ',');
        return s;
    };
    const auto year = [&](const char* key) { return fmt::format("{:.0f}", f(key)); };
    const auto metres = [&](const char* key) { return number(f(key), 0, lang) + " m"; };  // "1.000 m"
    const std::string who = w("programme").empty() ? "ngân sách" : "chương trình " + w("programme");
    const std::string gap = std::isfinite(f("gap_pct"))
                                ? fmt::format(", thấp hơn tối ưu nhiều nhất {}% (programmes.csv gap_pct)", number(f("gap_pct"), 1, lang))
                                : "";
    const std::string near = "mỗi địa điểm phục vụ thêm những trẻ mà địa điểm kia không phục vụ, nhưng hãy kiểm tra rằng đó "
                             "không phải một nơi bị liệt kê hai lần";
    const std::string& key = n.key;
    if (key == "share_not_met" || key == "money_left") {
        const auto pi = static_cast<std::size_t>(f("programme"));
        if (!(pi < r.programmes.size())) return n.text;
        const scenarios::ProgrammeReport& p = r.programmes[pi];
        const std::string label = r.single_budget ? "ngân sách" : "chương trình " + p.name;
        if (key == "money_left")
            return p.unspent_reason == "no_candidates"
                       ? fmt::format("xếp hạng, {}: {}", label, unspent_words(p, r.currency, lang))
                       : fmt::format("xếp hạng, {}: còn {} chưa dùng: {}", label, money(p.budget - p.spent, r.currency, lang),
                                     unspent_words(p, r.currency, lang));
        const auto k = static_cast<std::size_t>(f("reserve"));
        if (!(k < p.reserves.size())) return n.text;
        return fmt::format("xếp hạng, {}: {}", label, reserve_words(p.reserves[k], r.currency, lang));
    }
    if (key == "candidates_unplaced")
        return fmt::format("{}: {} địa điểm ứng viên nằm ngoài lưới hoặc cách đất đi lại được hơn {} nên bị bỏ qua: {}",
                           w("file"), count("count"), metres("snap_m"), w("ids"));
    if (key == "plan_zones_without_growth")
        return fmt::format("kế hoạch: {} trong {} vùng không có tốc độ tăng trong growth_pct nên tăng 0% mỗi năm; hãy cho "
                           "chúng other: <% mỗi năm>", count("zones"), count("of"));
    if (key == "plan_population_year_after")
        return fmt::format("kế hoạch: population_year {} sau năm đầu {}: các năm trước đó giảm số trẻ ngược lại theo tốc độ tăng",
                           year("population_year"), year("first_year"));
    if (key == "plan_population_year_unset")
        return fmt::format("kế hoạch: chưa đặt population_year; lưới dân số được coi là của năm {} (năm đầu của kế hoạch) và "
                           "tăng từ đó; hãy đặt năm của dữ liệu dân số (WorldPop 2020: population_year: 2020)", year("first_year"));
    if (key == "off_road")
        return fmt::format("xếp hạng: {} địa điểm ứng viên được tạo không có đường trong phạm vi {}{}: chúng được đặt trên đất "
                           "đi lại được gần nhất (tên của chúng ghi rõ), và có thể cần làm đường đến đó mà chi phí chưa tính",
                           count("count"), metres("road_m"), f("roads") > 0.0 ? "" : " (chưa đặt travel.roads)");
    if (key == "generated_dropped")
        return fmt::format("xếp hạng: {} địa điểm ứng viên được tạo không có đất đi lại được trong phạm vi {} "
                           "(facilities.snap_distance_m) nên bị bỏ qua", count("count"), metres("snap_m"));
    if (key == "no_candidates")
        return "xếp hạng: không có địa điểm ứng viên (không có trong tệp, và không có vùng thiếu hụt để tạo địa điểm)";
    if (key == "service_in_no_programme")
        return fmt::format("xếp hạng: dịch vụ {} không thuộc chương trình nào (ranking.programmes): {} địa điểm ứng viên của "
                           "nó không được xếp hạng; hãy thêm dịch vụ vào một chương trình để xếp hạng", display_name(w("service"), lang),
                           count("count"));
    if (key == "uncertainty_without_draws")
        return "xếp hạng: ranking.uncertainty có biên độ dao động nhưng không có lần rút (draws: 0, mặc định): xếp hạng "
               "không được chạy lại theo chúng; hãy đặt ranking.uncertainty.draws (ví dụ 200) hoặc --draws";
    if (key == "time_saved_capacity")
        return "xếp hạng: mục tiêu time_saved không giới hạn địa điểm theo công suất (công suất chỉ dùng cho mục tiêu children)";
    if (key == "greedy_for_min_share")
        return fmt::format("xếp hạng, {}: xếp bằng thuật toán tham lam, không phải bộ giải chính xác (bộ giải chưa nhận "
                           "min_share); programmes.csv cho cận của thuật toán tham lam khi biết được (địa điểm không giới hạn "
                           "công suất)", who);
    if (key == "greedy_for_size")
        return fmt::format("xếp hạng, {}: xếp bằng thuật toán tham lam, không phải bộ giải chính xác, vốn nhận tối đa {} ứng "
                           "viên trong khi chương trình này có {}; programmes.csv cho cận của thuật toán tham lam khi biết được "
                           "(địa điểm không giới hạn công suất)", who, count("limit"), count("candidates"));
    if (key == "exact_no_solution")
        return fmt::format("xếp hạng, {}: bộ giải chính xác không tìm được lời giải trong giới hạn thời gian ({} giây thực, "
                           "ranking.exact_time_s); kết quả là của thuật toán tham lam{}", who, plain("seconds"), gap);
    if (key == "exact_stopped")
        return fmt::format("xếp hạng, {}: bộ giải chính xác dừng ở giới hạn thời gian ({} giây thực, ranking.exact_time_s); "
                           "kết quả là {}{}", who, plain("seconds"),
                           f("greedy_better") > 0.0 ? "của thuật toán tham lam, tốt hơn lời giải tốt nhất bộ giải tìm được"
                                                    : "lời giải tốt nhất bộ giải tìm được", gap);
    if (key == "plan_money_differs")
        return fmt::format("kế hoạch: tổng tiền của {} trong {}–{} là {}, còn ngân sách của nó là {}: kế hoạch chi tiền của "
                           "từng năm (plan_years.csv), xếp hạng một lần (ranking.csv) chi ngân sách; hãy cho hai số khớp nhau "
                           "nếu trích dẫn cả hai", who, year("first_year"), year("last_year"), money(f("money"), r.currency, lang),
                           money(f("budget"), r.currency, lang));
    if (key == "plan_share_not_met") {
        std::vector<std::string> where;
        for (std::size_t k = 0; n.words.count(fmt::format("where_{}", k)); ++k)
            where.push_back(fmt::format("{} (đã dùng {} / {})", n.words.at(fmt::format("where_{}", k)),
                                        money(f(fmt::format("spent_{}", k).c_str()), r.currency, lang),
                                        money(f(fmt::format("target_{}", k).c_str()), r.currency, lang)));
        return fmt::format("kế hoạch: tỷ lệ tối thiểu không đạt ở {} lượt chương trình–năm: {}; các cột min_share_spent và "
                           "why_unspent của plan_years.csv cho biết đã chi gì và vì sao còn tiền", count("count"),
                           fmt::join(where, ", "));
    }
    if (key == "speed_classes_idle")
        return fmt::format("xếp hạng: speed_pct_by_class có {} loại không làm thay đổi gì ({}): không phương tiện nào của các "
                           "dịch vụ đi trên chúng, hoặc không ô nào của lưới có chúng; các lần rút mẫu của chúng chỉ tốn thời gian",
                           count("count"), w("classes"));
    if (key == "exact_one_shot_only")
        return fmt::format("xếp hạng: bộ giải chính xác chỉ áp dụng cho bảng xếp hạng một lần (ranking.csv); {} được xếp bằng "
                           "thuật toán tham lam, nên một địa điểm tối ưu có thể có funded_share thấp",
                           f("plan") > 0.0 && f("draws") > 0.0 ? "các đường cong ngân sách, các năm của kế hoạch và các lần rút mẫu"
                           : f("plan") > 0.0                   ? "các đường cong ngân sách và các năm của kế hoạch"
                                                               : "các đường cong ngân sách và các lần rút mẫu");
    if (key == "budget_below_cheapest")
        return fmt::format("xếp hạng: ngân sách {} thấp hơn ứng viên rẻ nhất ({}): không có địa điểm nào được xếp hạng",
                           money(f("budget"), r.currency, lang), money(f("cheapest"), r.currency, lang));
    if (key == "nobody_new")
        return "xếp hạng: không ứng viên nào đưa thêm trẻ vào trong ngưỡng: không có địa điểm nào được xếp hạng";
    if (key == "near_funded")
        return fmt::format("xếp hạng: {} địa điểm được cấp vốn nằm trong vòng {} (ranking.near_m) quanh một địa điểm được cấp "
                           "vốn khác cùng dịch vụ (cột near_funded của ranking.csv): {}", count("count"), metres("near_m"), near);
    if (key == "plan_near_funded")
        return fmt::format("kế hoạch: {} địa điểm của kế hoạch nằm trong vòng {} (ranking.near_m) quanh một địa điểm khác cùng "
                           "dịch vụ trong kế hoạch (cột near_funded của plan.csv): {}", count("count"), metres("near_m"), near);
    return n.text;  // a note without its Vietnamese sentence (the test of every key catches one)
}

namespace {

/// The programmes' table: envelope, spending, what is left and why, the reserved shares, the distance to the bound.
std::string programmes_table(const scenarios::RankingReport& rk, Lang lang) {
    std::string out = fmt::format("<table id=\"programmes-table\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
                                  "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
                                  esc(t("programme", lang)), esc(t("services", lang)), esc(t("budget", lang)),
                                  esc(t("spent col", lang)), esc(t("left", lang)), esc(t("sites", lang)), esc(rt("new children", rk, lang)),
                                  esc(t("bound", lang)), esc(t("reserved", lang)), esc(t("why left", lang)));
    for (const auto& p : rk.programmes) {
        std::vector<std::string> services, reserves;
        for (const auto& v : p.services) services.push_back(display_name(v, lang));
        for (const auto& r : p.reserves) reserves.push_back(reserve_words(r, rk.currency, lang));
        const double gap = scenarios::gap_to_bound_pct(p.gain, p.upper_bound);
        out += fmt::format("<tr data-programme=\"{}\"><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td>{}</td><td>{}</td></tr>\n",
                           esc(p.name), esc(rk.single_budget ? t("all", lang) : p.name), esc(fmt::format("{}", fmt::join(services, ", "))),
                           esc(money(p.budget, rk.currency, lang)), esc(money(p.spent, rk.currency, lang)),
                           esc(money(p.budget - p.spent, rk.currency, lang)), p.sites, number(p.children, 0, lang),
                           std::isfinite(gap) ? number(gap, 1, lang) + "%" : "–", esc(fmt::format("{}", fmt::join(reserves, "; "))),
                           esc(unspent_words(p, rk.currency, lang)));
    }
    out += "</tbody></table>\n";
    out += fmt::format("<p class=\"note\">{}</p>\n",
                       esc(lang == Lang::vi
                               ? "Cột \u201cKhoảng cách tối đa tới tối ưu\u201d: phương án tham lam kém phương án tốt nhất có thể nhiều nhất bấy nhiêu "
                                 "phần trăm (một cận trên, thường rộng hơn nhiều so với khoảng cách thật: với --exact, xếp hạng "
                                 "giáo dục của tỉnh mẫu là tối ưu). \u201c–\u201d: không có cận khi địa điểm có công suất."
                               : "\u201cAt most this far from the best possible\u201d: the greedy ranking is at most this many percent "
                                 "below the best choice of sites within the budget (an upper bound, often far wider than the real "
                                 "distance: with --exact the demo's education ranking proves optimal). \u201c–\u201d: no bound is known "
                                 "for sites with a capacity."));
    return out;
}

/// The plan's sites on the study area, a colour per year (an SVG, inline: it prints with the report).
std::string plan_map(const scenarios::RankingReport& rk, const scenarios::PlanReport& plan, const MapContext& ctx, Lang lang) {
    const auto& g = ctx.grid;
    const double w = 640.0, h = w * (g.max_y() - g.min_y()) / (g.max_x() - g.min_x());
    const auto sx = [&](double x) { return (x - g.min_x()) / (g.max_x() - g.min_x()) * w; };
    const auto sy = [&](double y) { return (g.max_y() - y) / (g.max_y() - g.min_y()) * h; };
    std::string out = fmt::format("<svg id=\"plan-map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {:.0f} {:.0f}\" "
                                  "width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\"><rect width=\"100%\" height=\"100%\" fill=\"#f4f4f0\"/>",
                                  w, h, w, h);
    const double tol = (g.max_x() - g.min_x()) / w;  // a pixel
    std::string d;
    const auto ring = [&](const OGRLinearRing* r) {
        for (int i = 0; i < r->getNumPoints(); ++i)
            d += fmt::format("{}{:.1f},{:.1f}", i == 0 ? "M" : "L", sx(r->getX(i)), sy(r->getY(i)));
        d += "Z";
    };
    const auto paths = [&](const std::vector<geodata::Feature>& features) {
        d.clear();
        for (const auto& f : features) {
            if (!f.geometry) continue;
            std::unique_ptr<OGRGeometry> simple(f.geometry->SimplifyPreserveTopology(tol));
            if (!simple) continue;
            const auto polygon = [&](const OGRPolygon* p) {
                ring(p->getExteriorRing());
                for (int i = 0; i < p->getNumInteriorRings(); ++i) ring(p->getInteriorRing(i));
            };
            const OGRwkbGeometryType type = wkbFlatten(simple->getGeometryType());
            if (type == wkbPolygon) polygon(simple->toPolygon());
            else if (type == wkbMultiPolygon)
                for (const auto* p : *simple->toMultiPolygon()) polygon(p);
        }
        return d;
    };
    out += fmt::format("<path d=\"{}\" fill=\"#ffffff\" stroke=\"#555\" stroke-width=\"1\" fill-rule=\"evenodd\"/>", paths(ctx.study_area));
    out += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#c8c8c8\" stroke-width=\"0.6\"/>", paths(ctx.zones));
    const std::size_t n = static_cast<std::size_t>(plan.last_year - plan.first_year + 1);
    for (const auto& x : plan.sites) {
        const auto i = static_cast<std::size_t>(x.year - plan.first_year);
        out += fmt::format("<circle class=\"plan-site\" data-year=\"{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\" stroke=\"#1a1a1a\" "
                           "stroke-width=\"0.8\"><title>{} · {} · {}</title></circle>",
                           x.year, sx(x.x), sy(x.y), plan_year_colour(i, n).hex(), x.year,
                           esc(x.name.empty() ? x.id : site_name(x.name, lang) + " (" + x.id + ")"),
                           esc(fmt::format("{}, {} {}", display_name(x.service, lang), number(x.children, 0, lang), rt("y children", rk, lang))));
    }
    out += "</svg>\n<div class=\"legend\">";
    for (std::size_t i = 0; i < n; ++i) {
        const int year = plan.first_year + static_cast<int>(i);
        const auto sites = std::count_if(plan.sites.begin(), plan.sites.end(), [&](const auto& x) { return x.year == year; });
        out += fmt::format("<span><span class=\"sw\" style=\"background:{}\"></span>{} ({} {})</span>", plan_year_colour(i, n).hex(), year,
                           sites, lang == Lang::vi ? "địa điểm" : sites == 1 ? "site" : "sites");
    }
    return out + "</div>\n";
}

/// Why a year of a plan left money, in the report's language ("" when it spent all).
std::string year_unspent_words(const scenarios::PlanYear& y, const std::string& currency, Lang lang) {
    const bool vi = lang == Lang::vi;
    if (y.unspent_reason == "no_candidates") return vi ? "không có địa điểm ứng viên" : "no candidate sites";
    scenarios::ProgrammeReport p;
    p.unspent_reason = y.unspent_reason;
    p.cheapest_useful = y.cheapest_useful;
    return unspent_words(p, currency, lang);
}

/// The plan: per year and programme what it had, spent and bought; per year and service the children beyond the
/// threshold with and without the plan; the sites on a map by year.
std::string plan_section(const scenarios::RankingReport& rk, const MapContext& ctx, Lang lang) {
    const auto& plan = *rk.plan;
    const bool vi = lang == Lang::vi;
    std::string out = fmt::format("<h3>{} {}–{}</h3>\n<p>{}</p>\n", vi ? "Kế hoạch" : "Plan", plan.first_year, plan.last_year,
                                  esc(vi ? fmt::format("Ngân sách mỗi năm được xếp hạng tiếp từ những gì các năm trước đã xây; số "
                                                       "trẻ tăng theo năm ({}). Tiền còn lại của một năm {}.",
                                                       plan.growth_zones > 0
                                                           ? fmt::format("{} khu vực có tỷ lệ riêng, nơi khác {}%/năm, tính từ năm dữ "
                                                                         "liệu dân số {}", plan.growth_zones,
                                                                         number(plan.growth_pct, 1, lang), plan.population_year)
                                                           : fmt::format("{}%/năm ở mọi nơi, tính từ năm dữ liệu dân số {}",
                                                                         number(plan.growth_pct, 1, lang), plan.population_year),
                                                       plan.carry_over ? "được chuyển sang năm sau" : "không được chuyển sang năm sau")
                                         : fmt::format("Each year's money is ranked from where the years before left off (their "
                                                       "sites built), on that year's children ({}). Money a year leaves {}.",
                                                       plan.growth, plan.carry_over ? "carries to the next year" : "is not carried over")));
    if (!plan.split_evenly.empty())
        out += fmt::format("<p class=\"note\">{}: {}</p>\n",
                           esc(vi ? "Ngân sách chia đều cho các năm (không có ranking.plan.budgets)"
                                  : "Budget split evenly over the years (no ranking.plan.budgets for it)"),
                           esc(fmt::format("{}", fmt::join(plan.split_evenly, ", "))));
    out += fmt::format("<table id=\"plan-table\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
                       "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
                       vi ? "Năm" : "Year", esc(t("programme", lang)), vi ? "Ngân sách năm" : "The year's money",
                       vi ? "Chuyển từ năm trước" : "Carried in", esc(t("spent col", lang)), esc(t("left", lang)),
                       esc(t("sites", lang)), esc(rt("new children", rk, lang)), esc(t("why left", lang)));
    for (const auto& y : plan.years)
        out += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
                           y.year, esc(y.programme == "all" ? t("all", lang) : y.programme), esc(money(y.budget, rk.currency, lang)),
                           esc(money(y.carried_in, rk.currency, lang)), esc(money(y.spent, rk.currency, lang)),
                           esc(money(y.budget + y.carried_in - y.spent, rk.currency, lang)), y.sites,
                           number(y.children, 0, lang), esc(year_unspent_words(y, rk.currency, lang)));
    out += "</tbody></table>\n";
    // Per programme over the plan: its money, spent, and what is left when the plan ends.
    std::vector<std::string> totals;
    for (const auto& x : plan.totals)
        totals.push_back(vi ? fmt::format("{}: {} trong {} năm, đã dùng {}, còn {} khi kế hoạch kết thúc",
                                          x.programme == "all" ? t("all", lang) : x.programme, money(x.money, rk.currency, lang),
                                          plan.last_year - plan.first_year + 1, money(x.spent, rk.currency, lang),
                                          money(x.left_at_end, rk.currency, lang))
                            : fmt::format("{}: {} over {} years, {} spent, {} left when the plan ends",
                                          x.programme == "all" ? t("all", lang) : x.programme, money(x.money, rk.currency, lang),
                                          plan.last_year - plan.first_year + 1, money(x.spent, rk.currency, lang),
                                          money(x.left_at_end, rk.currency, lang)));
    out += fmt::format("<p id=\"plan-totals\">{}</p>\n", esc(fmt::format("{}", fmt::join(totals, "; "))));
    // What each programme buys each year, site by site.
    out += fmt::format("<table id=\"plan-sites\"><thead><tr><th>{}</th><th>{}</th><th>#</th><th>{}</th><th>{}</th><th>{}</th>"
                       "<th>{}</th><th>{}</th></tr></thead><tbody>\n",
                       vi ? "Năm" : "Year", esc(t("programme", lang)), esc(t("site", lang)), esc(t("service", lang)),
                       esc(t("cost", lang) + " (" + rk.currency + ")"), esc(rt("new children", rk, lang)), esc(t("zone", lang)));
    for (const auto& x : plan.sites)
        out += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n\">{}</td><td>{}</td></tr>\n",
                           x.year, esc(x.programme == "all" ? t("all", lang) : x.programme), x.rank,
                           esc(x.name.empty() ? x.id : site_name(x.name, lang) + " (" + x.id + ")"), esc(display_name(x.service, lang)),
                           number(x.cost, 0, lang), number(x.children, 0, lang), esc(x.zone));
    out += "</tbody></table>\n";
    out += fmt::format("<p>{}</p>\n<table id=\"plan-access-table\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
                       "</tr></thead><tbody>\n",
                       esc(vi ? "Số trẻ ngoài ngưỡng thời gian mỗi năm, không có và có các địa điểm của kế hoạch đã xây đến cuối năm đó "
                                "(plan_access.csv; công suất không được tính ở đây)."
                              : "Children beyond the threshold each year, without the plan and with its sites built by the end of "
                                "that year (plan_access.csv; capacities are not counted here)."),
                       vi ? "Năm" : "Year", esc(t("service", lang)), vi ? "Số trẻ" : "Children",
                       vi ? "Ngoài ngưỡng, không có kế hoạch" : "Beyond, without the plan",
                       vi ? "Ngoài ngưỡng, có kế hoạch" : "Beyond, with the plan");
    for (const auto& a : plan.access)
        out += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                           a.year, esc(display_name(a.service, lang)), number(a.children, 0, lang), number(a.beyond_without, 0, lang),
                           number(a.beyond_with, 0, lang));
    out += "</tbody></table>\n";
    return out + plan_map(rk, plan, ctx, lang);
}

/// Who gains: per service, children beyond the threshold (and of them in island, border or remote areas) and the
/// Gini of travel time over children, before and after the ranked sites.
std::string equity_table(const scenarios::RankingReport& rk, Lang lang) {
    if (rk.equity.empty()) return "";
    const bool vi = lang == Lang::vi;
    std::string out = fmt::format(
        "<h3>{}</h3>\n<p>{}{}</p>\n<table id=\"equity-table\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
        "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
        vi ? "Ai được lợi" : "Who gains",
        !rk.all_ages ? ""
        : vi         ? "Không có dữ liệu độ tuổi: \u201ctrẻ\u201d ở đây là người dân mọi lứa tuổi. "
                     : "No age data: \u201cchildren\u201d here are people of all ages. ",
        vi ? "Trước và sau khi xây các địa điểm được xếp hạng: số trẻ ngoài ngưỡng thời gian (trong đó ở vùng hải đảo, biên "
             "giới, vùng sâu vùng xa) và hệ số Gini của thời gian di chuyển theo trẻ em (0: mọi trẻ đi xa như nhau; càng gần 1, "
             "thời gian càng dồn vào ít trẻ). Công suất không được tính ở đây: một bể bơi 500 trẻ đưa mọi trẻ trong phạm vi "
             "vào ngưỡng, nên số giảm có thể lớn hơn số trẻ mới được tiếp cận của bảng xếp hạng. Đọc hệ số Gini cùng số trẻ "
             "ngoài ngưỡng: khi phần lớn trẻ ở xa, đưa một số trẻ lại gần có thể làm Gini tăng."
           : "Before and after building the ranked sites: children beyond the threshold (of them in island, border or remote "
             "areas) and the Gini index of travel time over children (0: every child equally far; towards 1: the travel "
             "time falls on few children). Capacities are not counted here: a pool for 500 children brings every child "
             "in its reach within the threshold, so the drop can exceed the ranking's children newly within reach. Read "
             "the Gini with the children beyond: where most children are far, bringing some of them close can raise it.",
        esc(t("service", lang)), vi ? "Địa điểm mới" : "New sites", vi ? "Ngoài ngưỡng, trước" : "Beyond threshold, before",
        vi ? "sau" : "after", vi ? "Vùng ưu tiên, trước" : "In priority areas, before", vi ? "sau" : "after",
        vi ? "Gini, trước" : "Gini, before", vi ? "sau" : "after");
    for (const auto& e : rk.equity)
        out += fmt::format("<tr data-service=\"{}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                           esc(e.service), esc(display_name(e.service, lang)), e.new_sites, number(e.beyond_before, 0, lang),
                           number(e.beyond_after, 0, lang), number(e.priority_before, 0, lang), number(e.priority_after, 0, lang),
                           number(e.gini_before, 3, lang), number(e.gini_after, 3, lang));
    return out + "</tbody></table>\n";
}

/// What each budget buys, per programme: children newly within reach against the budget, in money.
std::string cost_chart(const scenarios::RankingReport& rk, Lang lang) {
    constexpr double W = 720, H = 340, left = 70, right = 150, top = 20, bottom = 50;
    static const char* colours[] = {"#2166ac", "#b2182b", "#1b7837", "#762a83", "#e08214", "#4d4d4d"};
    const double pw = W - left - right, ph = H - top - bottom;
    double xmax = 0.0, ymax = 1.0;
    for (const auto& p : rk.programmes)
        for (const auto& b : p.curve) {
            xmax = std::max(xmax, b.budget);
            ymax = std::max(ymax, b.children);
        }
    if (!(xmax > 0.0)) xmax = 1.0;
    const double step = std::pow(10.0, std::floor(std::log10(ymax)));
    double ytick = step;
    for (double m : {1.0, 2.0, 2.5, 5.0})
        if (ymax / (m * step) <= 6) {
            ytick = m * step;
            break;
        }
    const double ytop = std::ceil(ymax / ytick) * ytick;
    auto X = [&](double budget) { return left + pw * std::min(1.0, budget / xmax); };
    auto Y = [&](double children) { return top + ph * (1.0 - children / ytop); };
    std::string svg = fmt::format("<svg id=\"cost-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">\n",
                                  W, H, W, H);
    for (int k = 0; k <= 4; ++k) {
        const double x = left + pw * k / 4.0;
        svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#ddd\"/><text x=\"{0:.1f}\" y=\"{3}\" font-size=\"11\" text-anchor=\"middle\">{4}</text>\n",
                           x, top, top + ph, top + ph + 16, esc(money(xmax * k / 4.0, rk.currency, lang)));
    }
    for (double v = 0; v <= ytop + 1e-9; v += ytick)
        svg += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/><text x=\"{3}\" y=\"{4:.1f}\" font-size=\"11\" text-anchor=\"end\">{5}</text>\n",
                           left, Y(v), left + pw, left - 6, Y(v) + 4, esc(format_count(v, lang)));
    for (std::size_t i = 0; i < rk.programmes.size(); ++i) {
        const auto& p = rk.programmes[i];
        const char* colour = colours[i % std::size(colours)];
        std::string points = fmt::format("{:.1f},{:.1f}", X(0), Y(0));
        std::string dots;
        for (const auto& b : p.curve) {
            points += fmt::format(" {:.1f},{:.1f}", X(b.budget), Y(b.children));
            dots += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"><title>{}: {} → {} ({} {})</title></circle>\n",
                                X(b.budget), Y(b.children), colour, esc(rk.single_budget ? t("all", lang) : p.name),
                                esc(money(b.budget, rk.currency, lang)), number(b.children, 0, lang), b.sites,
                                lang == Lang::vi ? "địa điểm" : b.sites == 1 ? "site" : "sites");
        }
        svg += fmt::format("<polyline data-programme=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n{}",
                           esc(p.name), colour, points, dots);
        svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"2\"/><text x=\"{4}\" y=\"{5}\" font-size=\"12\">{6}</text>\n",
                           left + pw + 10, top + 10 + 18 * i, left + pw + 30, colour, left + pw + 36, top + 14 + 18 * i,
                           esc(rk.single_budget ? t("all", lang) : p.name));
    }
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#555\"/>\n", left, top, pw, ph);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n", left + pw / 2, H - 8, esc(t("x budget", lang)));
    svg += fmt::format("<text transform=\"translate(14 {}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n", top + ph / 2,
                       esc(rt("y children", rk, lang)));
    return svg + "</svg>\n";
}

std::string summary_rows(const scenarios::ServiceResult& svc, Lang lang) {
    std::vector<std::pair<std::string, const AccessSummary*>> rows{{"all", &svc.access}};
    for (const auto& [cls, a] : svc.by_class) rows.emplace_back(cls, &a);
    std::string out;
    for (const auto& [cls, a] : rows)
        out += fmt::format("<tr class=\"{}\" data-service=\"{}\" data-class=\"{}\"><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                           cls == "all" ? "all" : "cls", esc(svc.service), esc(cls), esc(display_name(svc.service, lang)),
                           esc(display_name(cls, lang)), number(a->children, 0, lang), number(a->within_threshold, 0, lang),
                           number(a->pct_within(), 1, lang), number(a->mean_min, 1, lang), number(a->p90_min, 1, lang),
                           number(a->unreachable, 0, lang));
    return out;
}

/// What the ranking was solved with, in a sentence (the method section).
std::string ranking_method(const scenarios::RankingReport* rk, Lang lang) {
    const bool vi = lang == Lang::vi;
    if (!rk) return "";
    std::vector<std::string> exact;
    for (const auto& p : rk->programmes)
        if (p.exact) exact.push_back(p.name == "all" ? t("all", lang) : p.name);
    if (exact.empty())
        return vi ? " Xếp hạng: tham lam theo số trẻ mới được tiếp cận trên chi phí, có trọng số công bằng (Khuller, Moss & Naor 1999)."
                  : " Ranking: lazy greedy on children newly within reach per cost, with equity weights (Khuller, Moss & Naor 1999).";
    return vi ? fmt::format(" Xếp hạng: quy hoạch nguyên ({}) cho {}; các chương trình khác, đường cong ngân sách, kế hoạch "
                            "theo năm và các lần rút ngẫu nhiên: tham lam (Khuller, Moss & Naor 1999).",
                            rk->proven_optimal ? "tối ưu đã chứng minh" : "tốt nhất tìm được trong giới hạn thời gian", fmt::join(exact, ", "))
              : fmt::format(" Ranking: the integer program ({}) for {}; other programmes, budget curves, the plan's years and "
                            "the draws: lazy greedy (Khuller, Moss & Naor 1999).",
                            rk->proven_optimal ? "proven optimal" : "best found within the time limit", fmt::join(exact, ", "));
}

/// `all_ages`: the run had no age data (unknown: a comparison of two runs); `study_area_search`: travel.search was
/// study_area.
std::string method_section(const std::string& credits, const scenarios::RankingReport* rk, Lang lang,
                           std::optional<bool> all_ages, bool study_area_search) {
    const bool vi = lang == Lang::vi;
    const std::string children =
        !all_ages ? (vi ? "Trẻ em: dân số theo ô, nhân tỷ lệ nhóm tuổi khi có dữ liệu tuổi."
                        : "Children: population per cell, times the share of the age group where age data is given.")
        : *all_ages ? (vi ? "Trẻ em: toàn bộ dân số theo ô — không có dữ liệu tuổi, nên mọi lứa tuổi đều được tính."
                          : "Children: the whole population per cell — no age data was given, so people of all ages count.")
                    : (vi ? "Trẻ em: dân số theo ô nhân tỷ lệ nhóm tuổi." : "Children: population per cell times the share of the age group.");
    const std::string search =
        !study_area_search ? ""
        : vi ? " Ngoài khu vực nghiên cứu, thời gian di chuyển chỉ tính đến thời gian của ô xa nhất trong khu vực (travel.search: study_area)."
             : " Outside the study area, travel times only up to the time of its farthest cell (travel.search: study_area).";
    const std::string text = vi
        ? "Thời gian di chuyển: Dijkstra đa nguồn trên lưới ô (16 hướng, như GRASS r.cost -k), từ nơi ở của trẻ đến cơ sở gần nhất." +
              search + " " + children + " Vùng hải đảo, biên giới và vùng sâu vùng xa được tính riêng." + ranking_method(rk, lang)
        : "Travel time: multi-source Dijkstra on the raster grid (16 neighbours, the semantics of GRASS r.cost -k), from where "
          "children live to the nearest facility." + search + " " + children + " Island, border and remote areas are reported "
          "separately." + ranking_method(rk, lang);
    return fmt::format("<section id=\"method\" class=\"pagebreak\"><h2>{}</h2><p>{}</p><p class=\"note\">{}</p><p class=\"note\">accessplan {}</p></section>\n",
                       esc(t("method", lang)), esc(text), esc(credits), version_string);
}

/// Per zone (a province at national scale, a commune in a province): each service's share within its threshold and
/// the people beyond it, the zones with the most people beyond all thresholds first; every zone up to 100, else the
/// 40 with the most (zones.csv has all). Empty without zones.
std::string zones_table(const scenarios::RunResult& result, Lang lang) {
    if (result.zones.empty() || result.services.empty()) return "";
    constexpr std::size_t all_up_to = 100, shown_of_many = 40;
    std::vector<std::pair<double, std::size_t>> order;  // (people beyond all thresholds, zone)
    for (std::size_t z = 0; z < result.zones.size(); ++z) {
        double beyond = 0.0;
        for (const auto& a : result.zones[z].per_service) beyond += a.access.children - a.access.within_threshold;
        order.emplace_back(beyond, z);
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const bool every = order.size() <= all_up_to;
    if (!every) order.resize(shown_of_many);
    std::string out = fmt::format("<h3>{}</h3><p class=\"note\">{}</p><table id=\"zones\"><thead><tr><th>{}</th>",
                                  esc(t("zones table", lang)),
                                  esc(every ? t("zones table note all", lang)
                                            : fmt::format(fmt::runtime(t("zones table note some", lang)), result.zones.size())),
                                  esc(t("zone", lang)));
    for (const auto& svc : result.services)
        out += fmt::format("<th>{} ({} {})</th>", esc(display_name(svc.service, lang)), number(svc.threshold_min, 0, lang),
                           esc(tr("minutes", lang)));
    out += "</tr></thead><tbody>\n";
    for (const auto& [beyond, z] : order) {
        const auto& zone = result.zones[z];
        out += fmt::format("<tr><td>{}</td>", esc(zone.name.empty() ? zone.code : zone.name));
        for (const auto& a : zone.per_service)
            out += fmt::format("<td class=\"n\">{}%<br>{}</td>", number(a.access.pct_within(), 1, lang),
                               number(a.access.children - a.access.within_threshold, 0, lang));
        out += "</tr>\n";
    }
    return out + "</tbody></table>\n";
}

void write(const fs::path& out, const std::string& html) {
    geodata::write_text_file(scenarios::ResultsLayout(out).report_html(), html);
}

}  // namespace

void write_run_report(const scenarios::Scenario& scenario, const scenarios::RunResult& result, const MapContext& context,
                      const std::vector<const Grid<float>*>& minutes, const fs::path& out, Lang lang) {
    nlohmann::json data = map_data(context, lang);
    std::string body, nav = nav_link("figures", t("key figures", lang)) + nav_link("map-section", t("interactive map", lang)) +
                            nav_link("gaps", t("gaps", lang));
    const bool all_ages = !scenario.has_age_data();
    // What the run assumed or left out: before any figure.
    if (!result.warnings.empty()) {
        nav = nav_link("warnings", t("warnings", lang)) + nav;
        body += fmt::format("<section id=\"warnings\"><h2>{}</h2><p class=\"note\">{}</p><ul>\n", esc(t("warnings", lang)),
                            esc(t("warnings note", lang)));
        for (const auto& w : result.warnings) {
            // The ranking's warnings in the report's language (each is also a note with its figures).
            const scenarios::RankingNote* note = nullptr;
            if (result.ranking)
                for (const auto& n : result.ranking->notes)
                    if (n.text == w) note = &n;
            body += "<li>" + esc(note ? ranking_note_text(*note, *result.ranking, lang) : w) + "</li>\n";
        }
        body += "</ul></section>\n";
    }
    // Key figures.
    body += fmt::format("<section id=\"figures\"><h2>{}</h2>\n<table id=\"summary\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
                        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
                        esc(t("key figures", lang)), esc(t("service", lang)), esc(t("area class", lang)),
                        esc(all_ages ? t("people", lang) : t("children", lang)),
                        esc(t("within", lang)), esc(t("pct within", lang)), esc(t("mean", lang)), esc(t("p90", lang)),
                        esc(t("unreachable", lang)));
    for (const auto& svc : result.services) body += summary_rows(svc, lang);
    body += "</tbody></table>\n<table id=\"services\"><thead><tr>";
    for (const char* h : {"service", "threshold", "mode", "target group"}) body += "<th>" + esc(t(h, lang)) + "</th>";
    body += "</tr></thead><tbody>\n";
    for (std::size_t k = 0; k < result.services.size(); ++k) {
        const auto& svc = result.services[k];
        const auto& g = scenario.group(svc.target_group);
        body += fmt::format("<tr><td>{}</td><td class=\"n\">{} {}</td><td>{}</td><td>{}</td></tr>\n", esc(display_name(svc.service, lang)),
                            number(svc.threshold_min, 0, lang), esc(tr("minutes", lang)), esc(display_name(svc.mode, lang)),
                            esc(age_group_label(g.min_age, g.max_age, lang, all_ages)));
    }
    body += "</tbody></table>\n";
    // Where the people are: the raster's people inside the boundary, moved, left out and counted.
    const scenarios::PopulationAccount& pa = result.population;
    body += fmt::format("<h3>{}</h3><table id=\"population\"><tbody>\n", esc(t("population account", lang)));
    // Inside the boundary − beyond the border − at the edge = counted: the table adds up (moved off water and not
    // placed say what happened to some of them).
    for (auto [key, value] : {std::pair{"in boundary", pa.in_boundary}, {"moved off water", pa.moved_off_water},
                              {"not placed", pa.not_placed}, {"beyond border", pa.beyond_border},
                              {"boundary edge", pa.left_boundary}, {"counted", pa.in_study_area}})
        body += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>\n", esc(t(key, lang)), number(value, 0, lang));
    body += "</tbody></table>\n";
    // The islands, most people first (islands.csv has them all).
    if (!result.islands.empty()) {
        body += fmt::format("<h3>{}</h3><table id=\"islands\"><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
                            "<th>{}</th></tr></thead><tbody>\n", esc(t("islands", lang)), esc(t("island status", lang)),
                            esc(t("area km2", lang)), esc(people_noun(true, lang)), esc(t("zone", lang)), esc(t("reached by", lang)));
        for (std::size_t k = 0; k < std::min<std::size_t>(10, result.islands.size()); ++k) {
            const auto& i = result.islands[k];
            body += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td>"
                                "<td>{}</td></tr>\n", i.id, esc(i.status), number(i.area_km2, 2, lang), number(i.people, 0, lang),
                                esc(i.zone.empty() ? "–" : i.zone), esc(i.reached_by));
        }
        body += "</tbody></table>\n";
    }
    body += zones_table(result, lang);
    body += "</section>\n";
    // The map.
    for (std::size_t k = 0; k < result.services.size(); ++k) {
        const auto& svc = result.services[k];
        const Grid<float>& values = *minutes.at(k);
        data["services"].push_back(service_layer(context, svc.service,
                                                 fmt::format("{} ({} {})", display_name(svc.service, lang), number(svc.threshold_min, 0, lang), tr("minutes", lang)),
                                                 values, travel_time_classes(svc.threshold_min, study_area_values(context, values), lang), true, "",
                                                 scenario.services[k].facility_types, lang));
    }
    // The ranked sites' popups in the report's language (the ranking layer holds ranking.csv's English sentence).
    if (result.ranking && lang == Lang::vi)
        for (auto& layer : data["services"])
            for (auto& site : layer["ranked"])
                for (const auto& row : result.ranking->rows)
                    if (row.id == site["id"].get<std::string>()) {
                        site["reason"] = site_reason(row, scenario, *result.ranking, result.all_ages, lang);
                        if (!row.name.empty()) site["id"] = site_name(row.name, lang) + " (" + row.id + ")";
                        break;
                    }
    body += fmt::format("<section id=\"map-section\" class=\"pagebreak\"><h2>{}</h2><div id=\"map\"></div><div id=\"map-legend\"></div><p id=\"map-ranks\" class=\"note\"></p>"
                        "<p class=\"note\">{}</p></section>\n",
                        esc(t("interactive map", lang)), esc(context.credits));
    // Gaps: the five largest per service.
    body += fmt::format("<section id=\"gaps\"><h2>{}</h2><table id=\"gap-table\"><thead><tr><th>{}</th><th>#</th><th>{}</th><th>{}</th>"
                        "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
                        esc(t("gaps", lang)), esc(t("service", lang)), esc(all_ages ? t("people", lang) : t("children", lang)),
                        esc(t("area class", lang)),
                        esc(t("mean min", lang)), esc(t("nearest", lang)), esc(t("area km2", lang)));
    std::map<std::int32_t, std::string> names;
    for (const auto& p : result.placements) names.emplace(p.id, p.name);
    for (const auto& svc : result.services)
        for (std::size_t k = 0; k < std::min<std::size_t>(5, svc.gaps.size()); ++k) {
            const auto& g = svc.gaps[k];
            std::string cls;
            for (auto [name, c] : {std::pair{"island", g.island_children}, {"border", g.border_children}, {"remote", g.remote_children}})
                if (c > 0.5 * g.children) cls += (cls.empty() ? "" : ", ") + display_name(name, lang);
            body += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>\n",
                                esc(display_name(svc.service, lang)), g.rank, number(g.children, 0, lang),
                                esc(cls.empty() ? display_name("none", lang) : cls),
                                std::isfinite(g.mean_min) ? number(g.mean_min, 1, lang) : esc(t("unreachable", lang)),
                                esc(names.count(g.nearest_facility) ? names.at(g.nearest_facility) : "–"),
                                number(static_cast<double>(g.cells) * result.grid.cell_area_m2() / 1e6, 2, lang));
        }
    body += "</tbody></table></section>\n";
    // The ranking.
    if (const auto& rk = result.ranking) {
        nav += nav_link("ranking", t("ranking", lang));
        body += fmt::format("<section id=\"ranking\" class=\"pagebreak\"><h2>{}</h2><p>{}: {} · {} {} · {} {}</p>\n",
                            esc(t("ranking", lang)), esc(t("budget", lang)), esc(money(rk->budget, rk->currency, lang)),
                            esc(t("spent", lang)), esc(money(rk->spent, rk->currency, lang)), number(rk->children, 0, lang),
                            esc(rt("y children", *rk, lang)));
        // The budget officer's first view: how much of the ranking holds under uncertainty, then the programmes.
        const bool drawn = rk->uncertainty.has_value();
        if (drawn) {
            const auto& u = *rk->uncertainty;
            std::vector<std::string> cores;
            for (std::size_t k = 0; k < rk->programmes.size(); ++k)
                cores.push_back(fmt::format("{}{} / {} ({} {})", rk->single_budget ? "" : rk->programmes[k].name + ": ", u.robust_core[k],
                                            rk->programmes[k].sites, u.robust_core_area[k],
                                            lang == Lang::vi ? fmt::format("tính cả địa điểm lân cận trong {} m", number(u.near_m, 0, lang))
                                                             : fmt::format("counting a neighbour within {} m", number(u.near_m, 0, lang))));
            body += fmt::format("<p id=\"robust-core\">{}</p>\n",
                                esc(lang == Lang::vi
                                        ? fmt::format("Độ vững: xếp hạng lại {} lần với {} theo {} ±{}% và chi phí ±{}%{} (giá trị khởi tạo ngẫu nhiên, seed: {}). "
                                                      "Nhóm lõi vững (được chọn trong ≥ 90% lần): {}. Cột cuối của bảng xếp hạng (bên dưới): tỷ lệ lần "
                                                      "địa điểm được chọn; robustness.csv có mọi địa điểm.",
                                                      u.draws, all_ages ? "số dân" : "số trẻ", u.population_unit == "zone" ? "khu vực" : "ô 1 km",
                                                      number(u.population_pct, 0, lang), number(u.cost_pct, 0, lang),
                                                      fmt::format("{}{}", u.speed_pct > 0.0 ? fmt::format(", tốc độ mỗi phương tiện ±{}%", number(u.speed_pct, 0, lang)) : "",
                                                                  speed_classes_words(u, lang)),
                                                      u.seed, fmt::join(cores, ", "))
                                        : fmt::format("Robustness: re-ranked in {} draws with {} per {} ±{}%, costs ±{}%{} "
                                                      "(seed {}). The robust core (funded in ≥ 90% of draws): {} sites. The "
                                                      "ranking table's last column (below) is each site's share of draws funding it; "
                                                      "robustness.csv lists every site any draw funds.",
                                                      u.draws, all_ages ? "people" : "children", u.population_unit, number(u.population_pct, 0, lang),
                                                      number(u.cost_pct, 0, lang),
                                                      fmt::format("{}{}", u.speed_pct > 0.0 ? fmt::format(" and every speed of a travel mode ±{}%", number(u.speed_pct, 0, lang)) : "",
                                                                  speed_classes_words(u, lang)),
                                                      u.seed, fmt::join(cores, ", "))));
        }
        body += fmt::format("<h3>{}</h3>\n{}", esc(t("programmes", lang)), programmes_table(*rk, lang));
        body += equity_table(*rk, lang);
        if (rk->plan) body += plan_section(*rk, context, lang);
        if (rk->rows.empty()) body += "<p>" + esc(t("nothing ranked", lang)) + "</p>";
        body += fmt::format("<table id=\"ranking-table\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
                            "<th>{}</th><th>{}</th><th>{}</th><th>{}</th>{}</tr></thead><tbody>\n",
                            esc(t("rank", lang)), esc(t("site", lang)), esc(t("service", lang)), esc(t("origin", lang)),
                            esc(t("cost", lang) + " (" + rk->currency + ")"), esc(t("cumulative cost", lang)), esc(rt("new children", *rk, lang)),
                            esc(rt("cumulative children", *rk, lang)), esc(t("zone", lang)), esc(t("reason", lang)),
                            drawn ? fmt::format("<th>{}</th>", esc(lang == Lang::vi ? "Được chọn (% lần)" : "Funded (% of draws)")) : "");
        for (const auto& r : rk->rows)
            body += fmt::format("<tr data-rank=\"{}\"><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                                "<td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td>{}</tr>\n",
                                r.rank, r.rank, esc(r.name.empty() ? r.id : site_name(r.name, lang) + " (" + r.id + ")"),
                                esc(display_name(r.service, lang)), esc(display_name(r.origin, lang)), number(r.cost, 0, lang),
                                number(r.cumulative_cost, 0, lang), number(r.children, 0, lang), number(r.cumulative_children, 0, lang),
                                esc(r.zone), esc(site_reason(r, scenario, *rk, result.all_ages, lang)),
                                !drawn ? std::string()
                                       : fmt::format("<td class=\"n{}\">{}%</td>", r.funded_share >= 0.9 ? " robust" : "",
                                                     number(100.0 * (std::isfinite(r.funded_share) ? r.funded_share : 0.0), 0, lang)));
        body += "</tbody></table>\n";
        body += fmt::format("<h3>{}</h3>\n<p>{}</p>\n{}</section>\n", esc(t("cost coverage", lang)),
                            esc(t("budget curve note", lang)), cost_chart(*rk, lang));
    }
    nav += nav_link("method", t("method", lang));
    body += method_section(context.credits, result.ranking ? &*result.ranking : nullptr, lang, result.all_ages,
                           result.travel_search == "study_area");
    const std::string subtitle = fmt::format("{} · {} × {} {} {:g} m · {} {}", scenario.name, result.grid.cols, result.grid.rows,
                                             lang == Lang::vi ? "ô" : "cells of", result.grid.cell_width_m(),
                                             format_count(result.population_in_area, lang), lang == Lang::vi ? "người" : "people");
    write(out, page(t("report", lang) + " — " + scenario.name, subtitle, nav, body, data, lang));
}

namespace {

/// Phrases of the comparison's report.
std::string ct(const std::string& key, Lang lang) {
    static const std::map<std::string, std::pair<const char*, const char*>> table{
        {"largest change", {"Largest change", "Thay đổi lớn nhất"}},
        {"no change", {"Neither run differs from the other in access to any service.",
                       "Hai kịch bản không khác nhau về tiếp cận dịch vụ nào."}},
        {"no access before", {"No access before", "Không tiếp cận được trước"}},
        {"no access after", {"No access after", "Không tiếp cận được sau"}},
        {"reached beyond", {"Now reachable, beyond threshold (no access before)", "Nay tiếp cận được, quá ngưỡng (trước không)"}},
        {"unreached beyond", {"No access now (beyond threshold before)", "Nay không tiếp cận được (trước quá ngưỡng)"}},
        {"zones changed", {"Zones with the largest change", "Các khu vực thay đổi nhiều nhất"}},
        {"zones note", {"At most ten zone × service pairs: those whose children within the threshold and children with no "
                        "access changed most, then those where most children reach a facility faster or slower "
                        "(compare_zones.csv has every zone).",
                        "Tối đa mười cặp khu vực × dịch vụ: có số trẻ trong ngưỡng và số trẻ không tiếp cận được thay đổi "
                        "nhiều nhất, rồi đến nơi nhiều trẻ đi nhanh hơn hoặc chậm hơn nhất (compare_zones.csv có mọi khu vực)."}},
        {"no zone changed", {"No zone changed.", "Không khu vực nào thay đổi."}},
        {"zone", {"Zone", "Khu vực"}},
        {"faster", {"Faster", "Nhanh hơn"}},
        {"slower", {"Slower", "Chậm hơn"}},
        {"subtitle", {"Changes in travel time and in access, service by service", "Thay đổi thời gian di chuyển và tiếp cận theo từng dịch vụ"}},
        {"facility changes", {"Facilities", "Cơ sở"}},
        {"new", {"new facility", "cơ sở mới"}},
        {"moved", {"moved facility", "cơ sở di dời"}},
        {"closed", {"closed facility", "cơ sở đóng cửa"}},
    };
    const auto it = table.find(key);
    if (it == table.end()) return key;
    return lang == Lang::vi ? it->second.second : it->second.first;
}

/// The opening paragraph: the service that changed most, in children within the threshold and with no access.
std::string largest_change_paragraph(const scenarios::ServiceComparison& svc, Lang lang) {
    const AccessChange& a = svc.change.by_class.front().second;
    if (!(a.net_change() > 0.0 || a.status_changes() > 0.0 || a.faster + a.slower > 0.0))
        return fmt::format("<p id=\"largest-change\">{}</p>\n", esc(ct("no change", lang)));
    const bool vi = lang == Lang::vi;
    const auto n = [lang](double v) { return number(v, 0, lang); };
    std::string text = vi ? fmt::format("Trong {} phút: {} → {} trẻ ({} được tiếp cận, {} mất tiếp cận). Không tiếp cận được: {} → {} trẻ.",
                                        number(svc.threshold_min, 0, lang), n(a.within_before), n(a.within_after), n(a.gained),
                                        n(a.lost), n(a.unreachable_before), n(a.unreachable_after))
                          : fmt::format("Within {} min: {} → {} children ({} gained access, {} lost it). With no access: {} → {} children.",
                                        number(svc.threshold_min, 0, lang), n(a.within_before), n(a.within_after), n(a.gained),
                                        n(a.lost), n(a.unreachable_before), n(a.unreachable_after));
    if (a.unreachable_to_within >= 0.5)
        text += vi ? fmt::format(" {} trẻ trước không tiếp cận được nay trong ngưỡng.", n(a.unreachable_to_within))
                   : fmt::format(" {} children with no access before are now within the threshold.", n(a.unreachable_to_within));
    if (a.unreachable_to_beyond >= 0.5)
        text += vi ? fmt::format(" {} trẻ trước không tiếp cận được nay tiếp cận được, nhưng quá ngưỡng.", n(a.unreachable_to_beyond))
                   : fmt::format(" {} children with no access before can reach one now, beyond the threshold.", n(a.unreachable_to_beyond));
    if (a.within_to_unreachable + a.beyond_to_unreachable >= 0.5)
        text += vi ? fmt::format(" {} trẻ nay không tiếp cận được.", n(a.within_to_unreachable + a.beyond_to_unreachable))
                   : fmt::format(" {} children have no access now.", n(a.within_to_unreachable + a.beyond_to_unreachable));
    return fmt::format("<p id=\"largest-change\" data-service=\"{}\"><b>{}: {}.</b> {}</p>\n", esc(svc.service),
                       esc(ct("largest change", lang)), esc(display_name(svc.service, lang)), esc(text));
}

/// The rows of the before/after table for one service (one per area class).
std::string comparison_rows(const scenarios::ServiceComparison& svc, Lang lang) {
    std::string out;
    for (const auto& [cls, a] : svc.change.by_class)
        out += fmt::format("<tr class=\"{}\" data-service=\"{}\" data-class=\"{}\"><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                           cls == "all" ? "all" : "cls", esc(svc.service), esc(cls), esc(display_name(svc.service, lang)),
                           esc(display_name(cls, lang)), number(a.children, 0, lang), number(a.within_before, 0, lang),
                           number(a.within_after, 0, lang), number(a.gained, 0, lang), number(a.lost, 0, lang),
                           number(a.pct_points(), 2, lang), number(a.unreachable_before, 0, lang),
                           number(a.unreachable_after, 0, lang), number(a.unreachable_to_beyond, 0, lang),
                           number(a.beyond_to_unreachable, 0, lang));
    return out;
}

/// The zones whose access changed most (largest_zone_changes), when the baseline had zones.
std::string zone_changes_section(const scenarios::ComparisonReport& report, Lang lang) {
    std::string out = fmt::format("<section id=\"zone-changes\"><h2>{}</h2><p class=\"note\">{}</p>\n", esc(ct("zones changed", lang)),
                                  esc(ct("zones note", lang)));
    const auto rows = scenarios::largest_zone_changes(report, 10);
    if (rows.empty()) return out + "<p>" + esc(ct("no zone changed", lang)) + "</p></section>\n";
    out += fmt::format("<table id=\"zone-change-table\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
                       "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
                       esc(ct("zone", lang)), esc(t("service", lang)), esc(t("children", lang)), esc(t("before", lang)),
                       esc(t("after", lang)), esc(ct("no access before", lang)), esc(ct("no access after", lang)),
                       esc(t("gained", lang)), esc(t("lost", lang)), esc(ct("faster", lang)), esc(ct("slower", lang)));
    for (const auto& r : rows) {
        const scenarios::ComparisonZone& zone = report.zones[r.zone];
        const auto& svc = report.services[r.service];
        const AccessChange& a = svc.change.by_zone[r.zone];
        out += fmt::format("<tr data-zone=\"{}\" data-service=\"{}\"><td>{} ({})</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                           esc(zone.code), esc(svc.service), esc(zone.name), esc(zone.code), esc(display_name(svc.service, lang)),
                           number(a.children, 0, lang), number(a.within_before, 0, lang), number(a.within_after, 0, lang),
                           number(a.unreachable_before, 0, lang), number(a.unreachable_after, 0, lang), number(a.gained, 0, lang),
                           number(a.lost, 0, lang), number(a.faster, 0, lang), number(a.slower, 0, lang));
    }
    return out + "</tbody></table></section>\n";
}

/// One service's layer of the comparison's map: the travel-time change with the cells reached or no longer reached
/// (as on the change maps), and the facilities new, moved or closed as its facilities (popups say which).
nlohmann::json comparison_layer(const MapContext& ctx, const scenarios::ServiceComparison& svc, const Grid<float>& diff,
                                const Grid<std::uint8_t>& status, Lang lang) {
    const CategoryLayer categories{&status, categories_present(ctx, status, status_change_categories(svc.threshold_min, lang))};
    const auto classes = time_change_classes(lang);
    std::string legend = "<div class=\"legend\">";
    auto swatch = [&](const Rgb& c, const std::string& label) {
        legend += fmt::format("<span><span class=\"sw\" style=\"background:{}\"></span>{}</span>", c.hex(), esc(label));
    };
    for (const auto& c : classes) swatch(c.colour, c.label);
    for (const auto& c : categories.categories) swatch(c.colour, c.label);
    swatch(unreachable_colour(), unreachable_both_label(lang));
    swatch({219, 233, 246}, tr("water", lang));
    nlohmann::json facilities = nlohmann::json::array();
    for (const auto& f : svc.facilities) {
        const char* name = scenarios::facility_change_name(f.kind);
        facilities.push_back({{"x", std::round(f.x_after)}, {"y", std::round(f.y_after)}, {"name", f.name},
                              {"type", ct(name, lang) + " · " + display_name(f.type, lang)},
                              {"colour", facility_change_colour(f.kind).hex()}});
    }
    for (const auto kind : {scenarios::FacilityChange::Kind::added, scenarios::FacilityChange::Kind::moved,
                            scenarios::FacilityChange::Kind::closed})
        if (std::any_of(svc.facilities.begin(), svc.facilities.end(), [&](const auto& f) { return f.kind == kind; }))
            swatch(facility_change_colour(kind), ct(scenarios::facility_change_name(kind), lang));
    legend += "</div>";
    return {{"label", display_name(svc.service, lang)},
            {"image", base64(raster_png(ctx, diff, classes, true, 2000, categories))},
            {"legend", legend},
            {"gaps", {{"type", "FeatureCollection"}, {"features", nlohmann::json::array()}}},
            {"facilities", std::move(facilities)},
            {"ranked", nlohmann::json::array()}};
}

}  // namespace

void write_comparison_report(const scenarios::ComparisonReport& report, const MapContext& context, const fs::path& out, Lang lang) {
    nlohmann::json data = map_data(context, lang);
    // The service that changed most comes first: in the opening paragraph, the table and the map.
    const std::vector<std::size_t> order = comparison_service_order(report);
    std::string body, nav = nav_link("before-after", t("before after", lang));
    if (!report.zones.empty()) nav += nav_link("zone-changes", ct("zones changed", lang));
    nav += nav_link("map-section", t("interactive map", lang));
    body += fmt::format("<section id=\"before-after\"><h2>{}</h2>\n", esc(t("before after", lang)));
    if (!order.empty()) body += largest_change_paragraph(report.services[order.front()], lang);
    body += fmt::format("<table id=\"compare\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
                        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
                        esc(t("service", lang)), esc(t("area class", lang)), esc(t("children", lang)), esc(t("before", lang)),
                        esc(t("after", lang)), esc(t("gained", lang)), esc(t("lost", lang)), esc(t("points", lang)),
                        esc(ct("no access before", lang)), esc(ct("no access after", lang)), esc(ct("reached beyond", lang)),
                        esc(ct("unreached beyond", lang)));
    for (const std::size_t k : order) body += comparison_rows(report.services[k], lang);
    body += "</tbody></table></section>\n";
    if (!report.zones.empty()) body += zone_changes_section(report, lang);
    const scenarios::ResultsLayout layout(out);
    for (const std::size_t k : order) {
        const auto& svc = report.services[k];
        data["services"].push_back(comparison_layer(context, svc, geodata::read_raster_float(layout.diff_travel_time_tif(svc.service)),
                                                    geodata::read_raster_byte(layout.status_change_tif(svc.service)), lang));
    }
    body += fmt::format("<section id=\"map-section\" class=\"pagebreak\"><h2>{}</h2><div id=\"map\"></div><div id=\"map-legend\"></div><p id=\"map-ranks\" class=\"note\"></p>"
                        "<p class=\"note\">{}</p></section>\n", esc(t("interactive map", lang)), esc(context.credits));
    nav += nav_link("method", t("method", lang));
    body += method_section(context.credits, nullptr, lang, std::nullopt, false);
    const std::string title = fmt::format("{} — {} {} {}", t("report", lang), report.scenario_name, tr("compared with", lang), report.base_name);
    write(out, page(title, ct("subtitle", lang), nav, body, data, lang));
}

}  // namespace accessplan::viz
