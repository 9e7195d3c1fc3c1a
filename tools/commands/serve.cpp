// accessplan serve SCENARIO.yaml: the planner's what-if app and its JSON API (docs/serve.md). The baseline runs once
// and stays in memory (its run cache, frozen); each what-if is the baseline plus the request's modifications, loaded
// and checked as a scenario file would be, run on the cached inputs with nothing written, and compared with the
// baseline in memory. The state of a session (its modifications, undo and redo) is the browser's: every request
// carries the whole list, so tabs and users never share or change each other's state, nor the baseline's.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <list>
#include <malloc.h>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <fmt/ranges.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "accessplan/engine/access_change.hpp"
#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/engine/version.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/scenarios/compare.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "accessplan/viz/labels.hpp"
#include "accessplan/viz/map.hpp"
#include "accessplan/viz/outputs.hpp"
#include "accessplan/viz/palette.hpp"
#include "accessplan/viz/report.hpp"
#include "../cli_common.hpp"

namespace fs = std::filesystem;
// Ordered: a saved scenario keeps the keys of each modification in the order the request gave them.
using json = nlohmann::ordered_json;

namespace accessplan::viz::embedded {
std::string_view leaflet_js();
std::string_view leaflet_css();
std::string_view app_html();
std::string_view app_js();
}  // namespace accessplan::viz::embedded

namespace accessplan::cli {

std::string command_line();

namespace {

/// A request the API refuses: its HTTP status and what was wrong.
struct ApiError {
    int status = 400;
    std::string message;
};

/// Limits of the server (docs/serve.md "Security and limits").
constexpr std::size_t max_body_bytes = 1 << 20;
constexpr std::size_t max_modifications = 200;
constexpr std::size_t max_running = 2;   ///< what-ifs computing at once
constexpr std::size_t max_waiting = 16;  ///< beyond them: 503
constexpr std::size_t kept_results = 8;  ///< the latest what-ifs' results, for switching the map's service

/// Emits `value` (a request's JSON) as YAML: mappings in block style, lists of numbers in flow style, strings quoted
/// (so that a name "yes" or "12" stays a name), numbers as written.
void emit_yaml(YAML::Emitter& out, const json& value) {
    if (value.is_object()) {
        out << YAML::BeginMap;
        for (const auto& [key, v] : value.items()) {
            out << YAML::Key << key << YAML::Value;
            emit_yaml(out, v);
        }
        out << YAML::EndMap;
    } else if (value.is_array()) {
        const bool numbers = std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_number() || v.is_array(); });
        out << (numbers ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
        for (const auto& v : value) emit_yaml(out, v);
        out << YAML::EndSeq;
    } else if (value.is_string()) {
        out << YAML::DoubleQuoted << value.get<std::string>();
    } else if (value.is_boolean()) {
        out << (value.get<bool>() ? "true" : "false");
    } else if (value.is_null()) {
        out << YAML::Null;
    } else {
        out << value.dump();  // numbers as JSON writes them: exact for integers, shortest round-trip for doubles
    }
}

/// A geometry as GeoJSON (grid coordinates), simplified within `tolerance` (half a cell: nothing a map shows).
json geometry_json(const OGRGeometry& geometry, double tolerance) {
    std::unique_ptr<OGRGeometry> simple(geometry.SimplifyPreserveTopology(tolerance));
    char* text = (simple ? simple.get() : &geometry)->exportToJson();
    if (!text) return nullptr;
    json out = json::parse(text, nullptr, false);
    CPLFree(text);
    return out.is_discarded() ? json(nullptr) : out;
}

/// Where in the request a value is, for messages: modifications[2].add_facilities.facilities[0].
std::string at(const std::string& where, const std::string& key) { return where.empty() ? key : where + "." + key; }

/// The request's modifications, checked for what the scenario reader cannot know: they name no file on the server,
/// their points lie on the analysis grid, and new facilities are of a type some service uses.
class RequestChecker {
public:
    RequestChecker(const GridSpec& grid, std::set<std::string> types) : m_grid(grid), m_types(std::move(types)),
        m_to_grid(geodata::wgs84(), grid.crs) {}

    void check(const json& modifications) {
        for (std::size_t k = 0; k < modifications.size(); ++k) {
            const json& m = modifications[k];
            const std::string where = fmt::format("modifications[{}]", k);
            if (!m.is_object() || m.size() != 1)
                throw ApiError{400, fmt::format("{}: a modification is an object with one key, its kind (add_facilities, "
                                                "close_facilities, new_ferry, ...), as in a scenario file", where)};
            walk(m, where, "");
            if (const auto it = m.find("add_facilities"); it != m.end() && it->is_object())
                if (const auto f = it->find("facilities"); f != it->end() && f->is_array())
                    for (std::size_t i = 0; i < f->size(); ++i) {
                        const json& point = (*f)[i];
                        if (!point.is_object() || !point.contains("type") || !point["type"].is_string()) continue;
                        const std::string type = point["type"].get<std::string>();
                        if (!m_types.count(type))
                            throw ApiError{422, fmt::format("{}.add_facilities.facilities[{}]: unknown facility type '{}'; the "
                                                            "services use: {}", where, i, type, fmt::join(m_types, ", "))};
                    }
        }
    }

private:
    void walk(const json& v, const std::string& where, const std::string& key) {
        if (key == "file" || key == "factor_raster")
            throw ApiError{422, fmt::format("{}: the app names no file on the server; draw the place instead (polygon: "
                                            "[[lon, lat], ...], line: ..., or points with lon and lat)", where)};
        if (v.is_object()) {
            if (v.contains("lon") && v.contains("lat") && v["lon"].is_number() && v["lat"].is_number())
                check_point(v["lon"].get<double>(), v["lat"].get<double>(), where);
            for (const auto& [k, item] : v.items()) walk(item, at(where, k), k);
        } else if (v.is_array()) {
            if (v.size() == 2 && v[0].is_number() && v[1].is_number() && (key == "from" || key == "to" || m_in_points))
                check_point(v[0].get<double>(), v[1].get<double>(), where);
            const bool points = key == "line" || key == "polygon";
            const bool was = m_in_points;
            if (points) m_in_points = true;
            for (std::size_t i = 0; i < v.size(); ++i) walk(v[i], fmt::format("{}[{}]", where, i), "");
            m_in_points = was;
        }
    }

    void check_point(double lon, double lat, const std::string& where) const {
        double x = lon, y = lat;
        const bool ok = std::isfinite(lon) && std::isfinite(lat) && std::abs(lat) <= 90.0 && std::abs(lon) <= 180.0 &&
                        m_to_grid.transform(1, &x, &y);
        if (!ok || !m_grid.cell_at(x, y))
            throw ApiError{422, fmt::format("{}: the point [{}, {}] (longitude, latitude) is outside the analysis grid; "
                                            "pick a place in the study area", where, lon, lat)};
    }

    const GridSpec& m_grid;
    std::set<std::string> m_types;
    geodata::CoordinateTransform m_to_grid;
    bool m_in_points = false;
};

/// At most max_running what-ifs compute at once; max_waiting more wait their turn; the rest are refused (503).
class Gate {
public:
    class Pass {
    public:
        explicit Pass(Gate& gate) : m_gate(gate) {}
        ~Pass() {
            std::lock_guard lock(m_gate.m_mutex);
            --m_gate.m_running;
            m_gate.m_free.notify_one();
        }
        Pass(const Pass&) = delete;
        Pass& operator=(const Pass&) = delete;

    private:
        Gate& m_gate;
    };

    std::unique_ptr<Pass> enter() {
        std::unique_lock lock(m_mutex);
        if (m_running >= max_running && m_waiting >= max_waiting)
            throw ApiError{503, fmt::format("busy: {} what-ifs are computing and {} waiting; try again in a moment",
                                            m_running, m_waiting)};
        ++m_waiting;
        m_free.wait(lock, [this] { return m_running < max_running; });
        --m_waiting;
        ++m_running;
        return std::make_unique<Pass>(*this);
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_free;
    std::size_t m_running = 0, m_waiting = 0;
};

/// The baseline in memory and the what-ifs run on it.
class WhatIfApp {
public:
    WhatIfApp(const fs::path& scenario_file, const fs::path& work, const fs::path& exports, viz::Lang lang)
        : m_file(fs::absolute(scenario_file).lexically_normal()), m_work(work),
          m_exports(fs::absolute(exports).lexically_normal()), m_lang(lang) {
        m_scenario = scenarios::load_scenario(m_file);
        m_cache = scenarios::make_run_cache(1);
        scenarios::RunOptions options;
        options.cache = m_cache;
        options.command_line = command_line();
        options.stage = [](int k, int n, const std::string& label) { log("  [{}/{}] {}", k, n, label); };
        const fs::path out = m_work / "baseline";
        fs::create_directories(out);
        m_baseline = scenarios::run_scenario(m_scenario, out, options);
        scenarios::freeze_run_cache(*m_cache);
        m_summary = json::parse(m_baseline.summary_json);
        const auto& grids = m_baseline.grids;
        m_context = viz::load_map_context(out, "", std::shared_ptr<const Grid<std::uint8_t>>(grids, &grids->land),
                                          std::shared_ptr<const Grid<std::uint8_t>>(grids, &grids->area_class));
        for (const auto& s : m_scenario.services) m_types.insert(s.facility_types.begin(), s.facility_types.end());
        fs::remove_all(out / "rasters");  // the maps read access.gpkg only; the rest is not needed again
    }

    const json& summary() const { return m_summary; }
    const scenarios::RunResult& baseline() const { return m_baseline; }
    const fs::path& file() const { return m_file; }

    /// What the app draws: the grid, services, facility types, facilities, zones and the study area.
    json app_data() const {
        const GridSpec& g = m_baseline.grid;
        json d{{"scenario", m_scenario.name}, {"file", m_file.filename().string()}, {"lang", m_lang == viz::Lang::vi ? "vi" : "en"},
               {"extent", {g.min_x(), g.min_y(), g.max_x(), g.max_y()}}, {"crs", g.crs.label()},
               {"cell_m", g.cell_width_m()}, {"all_ages", m_baseline.all_ages}, {"version", version_string}};
        d["month"] = m_scenario.month ? json(*m_scenario.month) : json(nullptr);
        for (const auto& s : m_scenario.services)
            d["services"].push_back({{"name", s.name}, {"label", viz::display_name(s.name, m_lang)}, {"types", s.facility_types},
                                     {"threshold_min", s.threshold_min}, {"mode", s.mode},
                                     {"mode_label", viz::display_name(s.mode, m_lang)}, {"target_group", s.target_group}});
        std::size_t colour = 0;  // as the maps colour facility types
        for (const auto& t : m_types)
            d["types"].push_back({{"type", t}, {"label", viz::display_name(t, m_lang)}, {"colour", viz::facility_colour(colour++).hex()}});
        d["facilities"] = json::array();
        const geodata::CoordinateTransform to_lonlat(g.crs, geodata::wgs84());
        for (const auto& f : m_context.facilities) {
            if (!f.geometry || wkbFlatten(f.geometry->getGeometryType()) != wkbPoint || f.attribute("services").empty()) continue;
            const auto* p = f.geometry->toPoint();
            double lon = p->getX(), lat = p->getY();
            to_lonlat.transform_point(lon, lat);
            d["facilities"].push_back({{"id", f.attribute("facility_id")}, {"name", f.attribute("name")}, {"type", f.attribute("type")},
                                       {"services", f.attribute("services")}, {"x", p->getX()}, {"y", p->getY()},
                                       {"lon", lon}, {"lat", lat}});
        }
        d["ferries"] = json::array();
        for (const auto& f : m_baseline.ferries)
            d["ferries"].push_back({{"name", f.name}, {"x0", f.x0}, {"y0", f.y0}, {"x1", f.x1}, {"y1", f.y1},
                                    {"crossing_min", f.crossing_min}, {"headway_min", f.headway_min}});
        // Outlines: the study area, the national border, the zones (with code and name), and each service's gaps.
        const double tol = g.cell_width_m() / g.crs.metres_per_unit / 2.0;
        const auto outlines = [&](const std::vector<geodata::Feature>& features, const std::vector<std::string>& fields) {
            json list = json::array();
            for (const auto& f : features) {
                if (!f.geometry) continue;
                json item{{"geometry", geometry_json(*f.geometry, tol)}};
                for (const auto& field : fields) item[field] = f.attribute(field);
                list.push_back(std::move(item));
            }
            return list;
        };
        d["study_area"] = outlines(m_context.study_area, {});
        d["border"] = outlines(m_context.border, {});
        d["zones"] = outlines(m_context.zones, {"zone_code", "zone_name"});
        // The 30 largest gaps of each service (gaps.csv and access.gpkg have them all).
        std::vector<geodata::Feature> largest;
        for (const auto& f : m_context.gaps)
            if (f.geometry && std::atoi(f.attribute("rank").c_str()) <= 30)
                largest.push_back({f.fid, std::unique_ptr<OGRGeometry>(f.geometry->clone()), f.attributes});
        d["gaps"] = outlines(largest, {"service", "rank", "children"});
        return d;
    }

    /// The area classes as the app's map draws them (PNG, base64), with their legend.
    json area_class_layer() const {
        const auto& flags = m_baseline.grids->area_class;
        Grid<float> values(flags.spec(), 0.0f);
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(flags[i]);
        const std::vector<std::pair<const char*, viz::Rgb>> kinds{
            {"none", {236, 236, 228}}, {"island", {66, 146, 198}}, {"border", {215, 48, 39}}, {"island + border", {128, 90, 160}},
            {"remote", {253, 174, 97}}, {"island + remote", {102, 189, 99}}, {"border + remote", {166, 97, 26}},
            {"island + border + remote", {60, 60, 60}}};
        std::vector<viz::ValueClass> classes;
        json legend = json::array();
        for (std::size_t k = 0; k < kinds.size(); ++k) {
            std::string label = k == 0 ? std::string(m_lang == viz::Lang::vi ? "không thuộc loại nào" : "none") : "";
            for (const char* part : {"island", "border", "remote"})
                if (std::string(kinds[k].first).find(part) != std::string::npos)
                    label += (label.empty() ? "" : " + ") + viz::tr(part, m_lang);
            classes.push_back({static_cast<double>(k) + 0.5, kinds[k].second, label});
            if (std::any_of(flags.values().begin(), flags.values().end(), [k](std::uint8_t v) { return v == k; }))
                legend.push_back({{"colour", kinds[k].second.hex()}, {"label", label}});
        }
        return {{"travel_time", viz::base64(viz::raster_png(m_context, values, classes, false))}, {"legend", legend}};
    }

    /// Grid coordinates to longitude and latitude (the app's clicks).
    std::pair<double, double> lonlat(double x, double y) const {
        const geodata::CoordinateTransform to_lonlat(m_baseline.grid.crs, geodata::wgs84());
        to_lonlat.transform_point(x, y);
        return {x, y};
    }

    /// The session's scenario file: `base:` the baseline, the request's month and modifications. Checked as
    /// `accessplan validate` would (ApiError 422 with the reader's message).
    std::string scenario_yaml(const json& request, const std::string& name) const {
        const json mods = modifications_of(request);
        RequestChecker(m_baseline.grid, m_types).check(mods);
        YAML::Emitter out;
        out.SetIndent(2);
        out << YAML::BeginMap << YAML::Key << "schema_version" << YAML::Value << 1;
        out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << name;
        out << YAML::Key << "base" << YAML::Value << YAML::DoubleQuoted << m_file.string();
        if (request.contains("month")) {
            const json& month = request["month"];
            if (!month.is_null() && (!month.is_number_integer() || month.get<int>() < 1 || month.get<int>() > 12))
                throw ApiError{400, "month: a whole number from 1 to 12, or null (every ferry runs, floods apply)"};
            out << YAML::Key << "month" << YAML::Value;
            if (month.is_null()) out << YAML::Null;
            else out << month.get<int>();
        }
        if (!mods.empty()) {
            out << YAML::Key << "modifications" << YAML::Value;
            emit_yaml(out, mods);
        }
        out << YAML::EndMap;
        return fmt::format("# A what-if of accessplan serve ({}), on {}.\n# Run it with: accessplan run <this file> --out DIR\n{}\n",
                           version_string, m_file.filename().string(), out.c_str());
    }

    /// Loads the session's scenario as a file (the reader's checks and messages), its file then removed.
    scenarios::Scenario load(const json& request, const std::string& name) {
        const std::string yaml = scenario_yaml(request, name);
        const fs::path file = m_work / fmt::format("whatif-{}.yaml", m_counter.fetch_add(1));
        geodata::write_text_file(file, yaml);
        struct Remove {
            fs::path f;
            ~Remove() {
                std::error_code ec;
                fs::remove(f, ec);
            }
        } remove{file};
        try {
            return scenarios::load_scenario(file);
        } catch (const InputError& e) {
            throw ApiError{422, naming_the_request(e.what())};
        }
    }

    /// A message of the reader or the run with the server's what-if files (and their line numbers, which are theirs)
    /// named "request".
    std::string naming_the_request(std::string message) const {
        const std::string prefix = (m_work / "whatif-").string();
        for (std::size_t at = message.find(prefix); at != std::string::npos; at = message.find(prefix, at)) {
            std::size_t end = at + prefix.size();
            while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) ++end;
            if (message.compare(end, 5, ".yaml") == 0) end += 5;
            if (end < message.size() && message[end] == ':' && end + 1 < message.size() &&
                std::isdigit(static_cast<unsigned char>(message[end + 1]))) {
                ++end;
                while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) ++end;
            }
            message.replace(at, end - at, "request");
            at += 7;
        }
        return message;
    }

    struct WhatIf {
        scenarios::RunResult result;
        json compare;
        double seconds = 0.0;
        bool reused = false;
    };

    /// The what-if of `request` (the latest few are kept: the same request again is answered from memory).
    std::shared_ptr<const WhatIf> whatif(const json& request) {
        const std::string key = json{{"m", modifications_of(request)}, {"month", request.value("month", json(nullptr))}}.dump();
        {
            std::lock_guard lock(m_kept_mutex);
            for (auto it = m_kept.begin(); it != m_kept.end(); ++it)
                if (it->first == key) {
                    m_kept.splice(m_kept.begin(), m_kept, it);
                    return it->second;
                }
        }
        scenarios::Scenario s = load(request, "what-if");
        s.ranking.reset();  // what-ifs answer access; ranking is its own request
        const auto pass = m_gate.enter();
        const auto start = std::chrono::steady_clock::now();
        scenarios::RunOptions options;
        options.cache = m_cache;
        options.write_outputs = false;
        auto w = std::make_shared<WhatIf>();
        try {
            w->result = scenarios::run_scenario(s, m_work, options);
        } catch (const InputError& e) {
            throw ApiError{422, naming_the_request(e.what())};
        }
        w->compare = json::parse(scenarios::comparison_json(scenarios::compare_results(m_baseline, w->result)));
        w->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        w->reused = std::any_of(w->result.stage_seconds.begin(), w->result.stage_seconds.end(),
                                [](const auto& st) { return st.first.find("reused") != std::string::npos; });
        {
            std::lock_guard lock(m_kept_mutex);
            m_kept.emplace_front(key, w);
            if (m_kept.size() > kept_results) m_kept.pop_back();
        }
        // The run's working memory goes back to the system (else each of the server's threads keeps its own).
        ::malloc_trim(0);
        return w;
    }

    /// The ranking of the scenario's candidate sites for the state of `request` (the baseline's ranking section, with
    /// the request's facilities, ferries, roads and month): greedy, without uncertainty draws or the plan. The request
    /// may set programme budgets ("budgets": {"programme": amount}, or "budget" with one pot).
    json rank(const json& request) {
        json what = request;
        const json budgets = what.value("budgets", json::object());
        const json budget = what.value("budget", json(nullptr));
        what.erase("budgets");
        what.erase("budget");
        scenarios::Scenario s = load(what, "what-if");
        if (!s.ranking)
            throw ApiError{422, fmt::format("{} has no ranking section: add ranking: with budgets, costs and candidates "
                                            "(docs/scenarios.md) and start the server again", m_file.filename().string())};
        auto& r = *s.ranking;
        r.draws = 0;
        r.plan.reset();
        r.exact = false;
        if (!budgets.is_object()) throw ApiError{400, "budgets: an object {\"programme\": amount, ...}"};
        for (const auto& [name, amount] : budgets.items()) {
            const auto p = std::find_if(r.programmes.begin(), r.programmes.end(), [&](const auto& x) { return x.name == name; });
            if (p == r.programmes.end()) {
                std::vector<std::string> names;
                for (const auto& x : r.programmes) names.push_back(x.name);
                throw ApiError{422, fmt::format("budgets: no programme '{}' in the scenario's ranking; its programmes: {}", name,
                                                names.empty() ? std::string("none (one budget: set budget)") : fmt::format("{}", fmt::join(names, ", ")))};
            }
            p->budget = money(amount, fmt::format("budgets.{}", name));
        }
        if (!budget.is_null()) {
            if (!r.programmes.empty())
                throw ApiError{422, "budget: this scenario's ranking has programmes; set budgets: {programme: amount}"};
            r.budget = money(budget, "budget");
        }
        const auto pass = m_gate.enter();
        const auto start = std::chrono::steady_clock::now();
        scenarios::RunOptions options;
        options.cache = m_cache;
        options.write_outputs = false;
        scenarios::RunResult result;
        try {
            result = scenarios::run_scenario(s, m_work, options);
        } catch (const InputError& e) {
            throw ApiError{422, naming_the_request(e.what())};
        }
        ::malloc_trim(0);
        const auto& rk = *result.ranking;
        json out{{"objective", rk.objective}, {"currency", rk.currency}, {"budget", rk.budget}, {"spent", rk.spent},
                 {"children", rk.children}, {"candidates", rk.candidates}, {"single_budget", rk.single_budget},
                 {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}};
        for (const auto& p : rk.programmes)
            out["programmes"].push_back({{"name", p.name}, {"budget", p.budget}, {"spent", p.spent}, {"sites", p.sites},
                                         {"children", p.children}, {"candidates", p.candidates}, {"unspent_reason", p.unspent_reason}});
        out["sites"] = json::array();
        for (const auto& row : rk.rows)
            out["sites"].push_back({{"rank", row.rank}, {"id", row.id}, {"name", row.name}, {"service", row.service},
                                    {"programme", row.programme}, {"cost", row.cost}, {"children", row.children},
                                    {"gain", row.gain}, {"island", row.island}, {"border", row.border}, {"remote", row.remote},
                                    {"reason", viz::site_reason(row, s, rk, result.all_ages, m_lang)}, {"zone", row.zone}, {"x", row.x}, {"y", row.y},
                                    {"lon", row.lon}, {"lat", row.lat}, {"near_funded", row.near_funded}});
        out["warnings"] = result.warnings;
        return out;
    }

    /// The what-if of `request` run in full into a new folder of the export folder (named after the request's name
    /// and the time: nothing there is ever replaced), as `accessplan run` of the saved file writes it (the ranking
    /// it inherits included), with its scenario file beside (scenario.yaml). Returns the folder.
    fs::path export_results(const json& request) {
        const std::string name = request.contains("name") && request["name"].is_string() ? request["name"].get<std::string>()
                                                                                         : std::string("what-if");
        scenarios::Scenario s = load(request, name);
        // The folder's name: the what-if's letters (Vietnamese ones too) and digits, anything else as one '_'.
        std::string slug;
        for (const unsigned char c : name) {
            const bool keep = std::isalnum(c) || c == '-' || c >= 0x80;
            if (keep) slug += static_cast<char>(c);
            else if (!slug.empty() && slug.back() != '_') slug += '_';
        }
        if (slug.size() > 60) {
            std::size_t cut = 60;
            while (cut > 0 && (static_cast<unsigned char>(slug[cut]) & 0xC0) == 0x80) --cut;  // not inside a letter
            slug.resize(cut);
        }
        while (!slug.empty() && slug.back() == '_') slug.pop_back();
        if (slug.empty()) slug = "what-if";
        const auto pass = m_gate.enter();
        fs::path target;
        {
            std::lock_guard lock(m_export_mutex);  // two exports in the same second get different folders
            const std::time_t now = std::time(nullptr);
            std::tm local{};
            ::localtime_r(&now, &local);
            const std::string stamp = fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}", local.tm_year + 1900, local.tm_mon + 1,
                                                  local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec);
            fs::create_directories(m_exports);
            target = m_exports / fmt::format("{}-{}", slug, stamp);
            for (int n = 2; fs::exists(target) || m_reserved.count(target); ++n)
                target = m_exports / fmt::format("{}-{}-{}", slug, stamp, n);
            m_reserved.insert(target);  // the folder appears only when it is complete (OutputFolder::commit)
        }
        geodata::OutputFolder folder(target, false, scenarios::files_read(s));
        scenarios::RunOptions options;
        options.cache = m_cache;
        options.command_line = "accessplan serve: export";
        const fs::path out = folder.staging();
        options.visual_outputs = [&s, out, this](const scenarios::RunResult& result) {
            viz::write_visual_outputs(s, result, out, {m_lang});
        };
        try {
            scenarios::run_scenario(s, out, options);
        } catch (const InputError& e) {
            throw ApiError{422, naming_the_request(e.what())};
        }
        geodata::write_text_file(out / "scenario.yaml", scenario_yaml(request, name));
        folder.commit();
        ::malloc_trim(0);
        return folder.target();
    }

    /// A service's index, or ApiError.
    std::size_t service_index(const std::string& name) const {
        for (std::size_t k = 0; k < m_baseline.services.size(); ++k)
            if (m_baseline.services[k].service == name) return k;
        throw ApiError{404, fmt::format("no service '{}'; the scenario's services: {}", name, service_names())};
    }

    /// A service's travel time as the app's map draws it (PNG, base64), with its legend; `before`: the baseline's
    /// minutes for the change map (NaN = none).
    json map_layer(const scenarios::RunResult& run, std::size_t k, const scenarios::RunResult* before) const {
        const double threshold = run.services[k].threshold_min;
        Grid<float> minutes = run.grids->travel_time_min.at(k);
        for (float& v : minutes.values())
            if (!std::isfinite(v)) v = std::numeric_limits<float>::quiet_NaN();
        const auto classes = viz::travel_time_classes(threshold, m_lang);
        json legend = json::array();
        for (const auto& c : classes) legend.push_back({{"colour", c.colour.hex()}, {"label", c.label}});
        json layer{{"service", run.services[k].service}, {"threshold_min", threshold}, {"legend", legend},
                   {"travel_time", viz::base64(viz::raster_png(m_context, minutes, classes, true))}};
        if (before) {
            const std::size_t kb = service_index(run.services[k].service);
            const Grid<std::uint8_t> status = status_change(before->grids->travel_time_min.at(kb), run.grids->travel_time_min.at(k),
                                                            before->services[kb].threshold_min, threshold);
            Grid<float> diff(minutes.spec(), std::numeric_limits<float>::quiet_NaN());
            const auto& b = before->grids->travel_time_min.at(kb);
            const auto& a = run.grids->travel_time_min.at(k);
            for (std::size_t i = 0; i < diff.size(); ++i)
                if (std::isfinite(b[i]) && std::isfinite(a[i])) diff[i] = a[i] - b[i];
            const viz::CategoryLayer categories{&status, viz::categories_present(m_context, status, viz::status_change_categories(threshold, m_lang))};
            const auto change_classes = viz::time_change_classes(m_lang);
            json change_legend = json::array();
            for (const auto& c : change_classes) change_legend.push_back({{"colour", c.colour.hex()}, {"label", c.label}});
            for (const auto& c : categories.categories) change_legend.push_back({{"colour", c.colour.hex()}, {"label", c.label}});
            layer["change"] = viz::base64(viz::raster_png(m_context, diff, change_classes, true, 2000, categories));
            layer["change_legend"] = change_legend;
        }
        return layer;
    }

private:
    /// An amount of the request: a number, or a text as scenario files write money ("5 tỷ", "40e9").
    static double money(const json& value, const std::string& what) {
        const NumberRule rule{what, 0.0, 1e18};
        try {
            if (value.is_number()) {
                const double v = value.get<double>();
                if (v >= rule.min && v <= rule.max) return v;
                throw ApiError{400, fmt::format("{}: {} is not an amount from 0 to 1e18", what, value.dump())};
            }
            if (value.is_string()) return parse_money(value.get<std::string>(), rule);
        } catch (const InputError& e) {
            throw ApiError{400, e.what()};
        }
        throw ApiError{400, fmt::format("{}: an amount in the scenario's currency, a number or a text such as \"5 tỷ\"", what)};
    }

    static json modifications_of(const json& request) {
        if (!request.is_object())
            throw ApiError{400, "the request body is a JSON object: {\"modifications\": [...], \"month\": null}"};
        for (const auto& [key, v] : request.items())
            if (key != "modifications" && key != "month" && key != "service" && key != "name")
                throw ApiError{400, fmt::format("unknown key '{}' in the request; it takes modifications, month, service and "
                                                "name (and /api/rank budgets or budget)", key)};
        if (!request.contains("modifications")) return json::array();
        const json& mods = request["modifications"];
        if (!mods.is_array()) throw ApiError{400, "modifications: a list of modification objects, as in a scenario file"};
        if (mods.size() > max_modifications)
            throw ApiError{413, fmt::format("modifications: {} of them; at most {} in one what-if", mods.size(), max_modifications)};
        return mods;
    }

    std::string service_names() const {
        std::vector<std::string> names;
        for (const auto& s : m_baseline.services) names.push_back(s.service);
        return fmt::format("{}", fmt::join(names, ", "));
    }

    fs::path m_file, m_work, m_exports;
    viz::Lang m_lang;
    std::mutex m_export_mutex;
    std::set<fs::path> m_reserved;  ///< export folders named by this server
    scenarios::Scenario m_scenario;
    std::shared_ptr<scenarios::RunCache> m_cache;
    scenarios::RunResult m_baseline;
    json m_summary;
    viz::MapContext m_context;
    std::set<std::string> m_types;
    std::atomic<std::uint64_t> m_counter{1};
    Gate m_gate;
    std::mutex m_kept_mutex;
    std::list<std::pair<std::string, std::shared_ptr<const WhatIf>>> m_kept;
};

std::string random_token() {
    std::random_device rd;
    std::string token;
    for (int i = 0; i < 4; ++i) token += fmt::format("{:08x}", rd());
    return token;
}

bool same_text(const std::string& a, const std::string& b) {  // in time independent of where they differ
    if (a.size() != b.size()) return false;
    unsigned char d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d = static_cast<unsigned char>(d | (a[i] ^ b[i]));
    return d == 0;
}

/// The value of `name` in a Cookie header ("" when absent).
std::string cookie_value(const std::string& header, const std::string& name) {
    std::size_t at = 0;
    while (at < header.size()) {
        const std::size_t end = std::min(header.find(';', at), header.size());
        std::string part = header.substr(at, end - at);
        part.erase(0, part.find_first_not_of(' '));
        if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
        at = end + 1;
    }
    return "";
}

bool loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }

void send_json(httplib::Response& res, const json& body, int status = 200) {
    res.status = status;
    // A message quoting a request's bytes that are not UTF-8 (its JSON error) keeps them as U+FFFD, not a failure.
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

json parse_body(const httplib::Request& req) {
    try {
        return json::parse(req.body);
    } catch (const json::parse_error& e) {
        throw ApiError{400, fmt::format("malformed JSON in the request body ({})", e.what())};
    }
}

/// Runs a handler, turning ApiError and the run's errors into a 4xx or 5xx answer with {"error": message}.
void answer(httplib::Response& res, const std::function<void()>& body) {
    try {
        body();
    } catch (const ApiError& e) {
        send_json(res, {{"error", e.message}}, e.status);
    } catch (const InputError& e) {
        send_json(res, {{"error", e.what()}}, 422);
    } catch (const Interrupted&) {
        send_json(res, {{"error", "the server is stopping"}}, 503);
    } catch (const std::bad_alloc&) {
        send_json(res, {{"error", "out of memory for this what-if; the server goes on with the others"}}, 503);
    } catch (const std::exception& e) {
        send_json(res, {{"error", fmt::format("internal error: {}", e.what())}}, 500);
    }
}

/// A folder of the server's own under the system's temporary folder, removed when the server stops.
struct WorkFolder {
    fs::path path;
    WorkFolder() {
        std::string pattern = (fs::temp_directory_path() / "accessplan-serve-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw IoError(fmt::format("{}: cannot make the server's working folder; set TMPDIR to a writable folder", pattern));
        path = pattern;
    }
    ~WorkFolder() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    WorkFolder(const WorkFolder&) = delete;
    WorkFolder& operator=(const WorkFolder&) = delete;
};

int serve(const std::string& file, const std::string& listen, int port, bool need_token, const std::string& exports) {
    const std::string token = loopback(listen) && !need_token ? std::string() : random_token();
    WorkFolder work;
    log("accessplan serve: working folder {} (removed when it stops)", work.path.string());
    log("accessplan serve: running the baseline {}", file);
    WhatIfApp app(file, work.path, exports, viz::parse_lang(globals().lang));

    httplib::Server server;
    // Threads for the what-ifs computing and waiting their turn (Gate), and a few for pages and maps beside them.
    server.new_task_queue = [] { return new httplib::ThreadPool(max_running + max_waiting + 6); };
    server.set_payload_max_length(max_body_bytes);
    server.set_read_timeout(10, 0);
    server.set_pre_routing_handler([&token](const httplib::Request& req, httplib::Response& res) {
        if (token.empty()) {
            // On loopback, only pages of this machine's own addresses: a web page elsewhere that names one of them
            // (DNS rebinding) is refused.
            const std::string host = req.get_header_value("Host");
            const std::string name = host.rfind('[', 0) == 0 ? host.substr(0, host.find(']') + 1) : host.substr(0, host.rfind(':'));
            if (host.empty() || name == "127.0.0.1" || name == "localhost" || name == "[::1]")
                return httplib::Server::HandlerResponse::Unhandled;
            send_json(res, {{"error", fmt::format("Host {}: this server answers pages of 127.0.0.1 and localhost only", host)}}, 403);
            return httplib::Server::HandlerResponse::Handled;
        }
        // The token in the page's address (?token=, which then sets a cookie for the page's scripts), the
        // Authorization header (the app's API calls, scripts) or that cookie.
        const std::string query = req.get_param_value("token");
        const std::string auth = req.get_header_value("Authorization");
        const std::string cookie = req.get_header_value("Cookie");
        const std::string cookie_token = cookie_value(cookie, "accessplan_token");
        if (same_text(query, token)) {
            res.set_header("Set-Cookie", fmt::format("accessplan_token={}; Path=/; HttpOnly; SameSite=Strict", token));
            return httplib::Server::HandlerResponse::Unhandled;
        }
        if ((auth.rfind("Bearer ", 0) == 0 && same_text(auth.substr(7), token)) || same_text(cookie_token, token))
            return httplib::Server::HandlerResponse::Unhandled;
        send_json(res, {{"error", "a token is needed: the one accessplan serve printed when it started "
                                  "(Authorization: Bearer TOKEN, or ?token=TOKEN)"}}, 401);
        return httplib::Server::HandlerResponse::Handled;
    });
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return;
        const std::string message = res.status == 413 ? fmt::format("the request body is larger than {} bytes", max_body_bytes)
                                    : res.status == 404 ? std::string("no such page or API (docs/serve.md lists them)")
                                                        : fmt::format("HTTP {}", res.status);
        send_json(res, {{"error", message}}, res.status);
    });
    const auto page = [](std::string_view text, const char* type) {
        return [text, type](const httplib::Request&, httplib::Response& res) {
            res.set_content(std::string(text), type);
            res.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
        };
    };
    server.Get("/", page(viz::embedded::app_html(), "text/html; charset=utf-8"));
    server.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    server.Get("/app.js", page(viz::embedded::app_js(), "text/javascript; charset=utf-8"));
    server.Get("/leaflet.js", page(viz::embedded::leaflet_js(), "text/javascript; charset=utf-8"));
    server.Get("/leaflet.css", page(viz::embedded::leaflet_css(), "text/css; charset=utf-8"));
    server.Get("/api/summary", [&app](const httplib::Request&, httplib::Response& res) {
        answer(res, [&] { send_json(res, app.summary()); });
    });
    server.Get("/api/app", [&app](const httplib::Request&, httplib::Response& res) {
        answer(res, [&] { send_json(res, app.app_data()); });
    });
    server.Get("/api/map", [&app](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] {
            const std::size_t k = app.service_index(req.get_param_value("service"));
            send_json(res, app.map_layer(app.baseline(), k, nullptr));
        });
    });
    server.Get("/api/area_classes", [&app](const httplib::Request&, httplib::Response& res) {
        answer(res, [&] { send_json(res, app.area_class_layer()); });
    });
    server.Get("/api/lonlat", [&app](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] {
            double x = 0.0, y = 0.0;
            try {
                x = std::stod(req.get_param_value("x"));
                y = std::stod(req.get_param_value("y"));
            } catch (const std::exception&) {
                throw ApiError{400, "x and y: numbers (grid coordinates)"};
            }
            const auto [lon, lat] = app.lonlat(x, y);
            send_json(res, {{"lon", lon}, {"lat", lat}});
        });
    });
    server.Post("/api/whatif", [&app](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] {
            const json body = parse_body(req);
            const auto w = app.whatif(body);
            json stages = json::object();
            for (const auto& [stage, seconds] : w->result.stage_seconds) stages[stage] = seconds;
            json out{{"summary", json::parse(w->result.summary_json)}, {"compare", w->compare}, {"seconds", w->seconds},
                     {"stages", stages}, {"inputs_reused", w->reused}};
            if (body.contains("service") && body["service"].is_string()) {
                const std::size_t k = app.service_index(body["service"].get<std::string>());
                out["map"] = app.map_layer(w->result, k, &app.baseline());
            }
            send_json(res, out);
        });
    });
    server.Post("/api/rank", [&app](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] { send_json(res, app.rank(parse_body(req))); });
    });
    server.Post("/api/export", [&app](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] {
            const auto start = std::chrono::steady_clock::now();
            const fs::path folder = app.export_results(parse_body(req));
            send_json(res, {{"folder", folder.string()},
                            {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}});
        });
    });
    server.Post("/api/scenario", [&app](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] {
            const json body = parse_body(req);
            const std::string name = body.contains("name") && body["name"].is_string() ? body["name"].get<std::string>()
                                                                                       : std::string("what-if");
            app.load(body, name);  // checked as accessplan validate would
            res.set_content(app.scenario_yaml(body, name), "application/yaml; charset=utf-8");
        });
    });

    for (const char* path : {"/api/whatif", "/api/rank", "/api/scenario", "/api/export"})
        server.Get(path, [path](const httplib::Request&, httplib::Response& res) {
            send_json(res, {{"error", fmt::format("{} takes POST with a JSON body (docs/serve.md)", path)}}, 405);
        });
    const int bound = port == 0 ? server.bind_to_any_port(listen) : (server.bind_to_port(listen, port) ? port : -1);
    if (bound < 0)
        throw InputError(fmt::format("--listen {} --port {}: cannot listen there (in use, or not an address of this machine); "
                                     "choose another port with --port", listen, port));
    const std::string url = fmt::format("http://{}:{}/{}", listen.find(':') != std::string::npos ? "[" + listen + "]" : listen,
                                        bound, token.empty() ? "" : "?token=" + token);
    fmt::print("accessplan serve: {} ready at {}\n", app.file().filename().string(), url);
    if (!token.empty())
        fmt::print("accessplan serve: every request needs the token {} (in the address above for the browser)\n", token);
    fmt::print("accessplan serve: stop with Ctrl+C\n");
    std::fflush(stdout);
    std::thread watcher([&server] {
        while (!interrupt_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        server.stop();
    });
    server.listen_after_bind();
    if (!interrupt_requested()) request_interrupt();  // listen ended on its own: let the watcher end too
    watcher.join();
    log("accessplan serve: stopped");
    return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
    static std::string file, listen = "127.0.0.1", exports = "accessplan-exports";
    static int port = 8765;
    static bool need_token = false;
    auto* cmd = app.add_subcommand("serve",
                                   "The planner's what-if app: runs the scenario once, keeps it in memory and serves a\n"
                                   "local web app and JSON API (docs/serve.md): add or close facilities, ferries, roads,\n"
                                   "the month, thresholds; children gained and lost per service, area class and zone.\n"
                                   "Binds 127.0.0.1; another --listen (or --token) needs the token it prints on every\n"
                                   "request.\n"
                                   "Example: accessplan serve demo/scenarios/baseline.yaml --port 8765");
    cmd->add_option("SCENARIO", file, "The baseline scenario file")->required();
    cmd->add_option("--port", port, "TCP port (0: any free port, printed)")->check(CLI::Range(0, 65535));
    cmd->add_option("--listen", listen, "Address to listen on (default 127.0.0.1, this machine only)");
    cmd->add_flag("--token", need_token, "Require the printed token on 127.0.0.1 too (a machine shared with other users)");
    cmd->add_option("--export-dir", exports, "Where the app's Export writes results folders, each a new folder named after\n"
                                             "the what-if and the time (default: accessplan-exports in this folder)");
    cmd->callback([&exit_code] { exit_code = guarded([] { return serve(file, listen, port, need_token, exports); }); });
}

}  // namespace accessplan::cli
