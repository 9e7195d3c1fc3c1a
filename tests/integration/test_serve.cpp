// `accessplan serve` through its HTTP API (docs/serve.md), the server run as a process on a free loopback port:
// what-ifs answer what `accessplan run` and `accessplan compare` give for the scenario file the server saves, many
// at once answer as one at a time, the baseline never changes, bad requests are refused with a message, the token
// guards every request, and SIGTERM stops the server cleanly.

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "accessplan/scenarios/demo_province.hpp"
#include "accessplan/scenarios/demo_writer.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// `accessplan serve` on the demo province's baseline (inputs written for this test), as a child process on a free
/// port of 127.0.0.1; stopped with SIGTERM when the test ends.
class Server {
public:
    explicit Server(std::vector<std::string> extra = {}) {
        demo::write_demo_inputs(demo::generate_demo_province(28), m_dir.path());
        const fs::path out = m_dir / "serve.out", err = m_dir / "serve.err";
        std::vector<std::string> args{ACCESSPLAN_BINARY, "serve", (m_dir / "scenarios" / "baseline.yaml").string(), "--port", "0"};
        args.insert(args.end(), extra.begin(), extra.end());
        m_pid = ::fork();
        if (m_pid == 0) {
            const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(o, 1);
            ::dup2(e, 2);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        for (int i = 0; i < 1200; ++i) {  // 2 minutes at most for the baseline's run
            const std::string text = test::slurp(out);
            if (const auto at = text.find("ready at http://127.0.0.1:"); at != std::string::npos) {
                port = std::stoi(text.substr(at + 26));
                if (const auto t = text.find("needs the token "); t != std::string::npos) token = text.substr(t + 16, 32);
                break;
            }
            int status = 0;
            if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
                m_pid = -1;
                FAIL("the server stopped before it was ready:\n" << test::slurp(err));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        REQUIRE(port > 0);
    }
    ~Server() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }

    /// SIGTERM, then the exit status (-1: did not stop within 30 s, killed).
    int stop() {
        ::kill(m_pid, SIGTERM);
        for (int i = 0; i < 300; ++i) {
            int status = 0;
            if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
                m_pid = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return -1;
    }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(120, 0);
        if (!token.empty()) c.set_bearer_token_auth(token.c_str());
        return c;
    }

    /// POST `body` to `path`: status and parsed answer (or {"text": body} when it is not JSON).
    std::pair<int, json> post(const std::string& path, const std::string& body) const {
        auto c = client();
        auto res = c.Post(path.c_str(), body, "application/json");
        REQUIRE(res);
        json answer = json::parse(res->body, nullptr, false);
        if (answer.is_discarded()) answer = json{{"text", res->body}};
        return {res->status, answer};
    }

    std::string err_text() const { return test::slurp(m_dir / "serve.err"); }
    const fs::path& dir() const { return m_dir.path(); }

    int port = 0;
    std::string token;

private:
    test::TempDir m_dir;
    pid_t m_pid = -1;
};

/// A what-if of several kinds: a pool, a school closed, a new ferry and the old one closed, a threshold, in August.
json mixed_request(const Server& server) {
    auto c = server.client();
    const json app = json::parse(c.Get("/api/app")->body);
    std::string school;
    for (const auto& f : app["facilities"])
        if (f["type"] == "primary_school") {
            school = f["id"].get<std::string>();
            break;
        }
    REQUIRE(!school.empty());
    return json{{"month", 8},
                {"modifications",
                 {{{"add_facilities", {{"facilities", {{{"name", "Bể bơi mới"}, {"type", "swimming_pool"}, {"lon", 107.3817}, {"lat", 21.3110}}}}}}},
                  {{"close_facilities", {{"ids", {std::stoll(school)}}}}},
                  {{"new_ferry", {{"name", "Tàu cao tốc"}, {"from", {107.3359, 21.1619}}, {"to", {107.3661, 21.3105}}, {"crossing_min", 30}, {"headway_min", 60}}}},
                  {{"set_threshold", {{"service", "playground"}, {"threshold_min", 20}}}},
                  {{"close_ferry", {{"names", {"Phà Cô Lam - Cảng Hải Tiến"}}}}}}}};
}

/// The figures of a compare.json service entry (or the API's) that must agree, with the facilities left aside.
json figures(json service) {
    service.erase("facilities");
    return service;
}

}  // namespace

TEST_CASE("serve: a what-if answers what accessplan run and compare give for the scenario file it saves, many at once "
          "answer as one at a time, the baseline never changes", "[serve][integration]") {
    Server server;
    auto c = server.client();
    const json baseline = json::parse(c.Get("/api/summary")->body);
    REQUIRE(baseline.contains("rows"));

    const json request = mixed_request(server);
    const auto [status, answer] = server.post("/api/whatif", request.dump());
    REQUIRE(status == 200);
    // Another month with the same floods and road closures (the demo's baseline has none): the inputs serve, and the
    // figures below equal a fresh run's.
    CHECK(answer["inputs_reused"] == true);
    json named = request;
    named["name"] = "saved what-if";
    auto saved = c.Post("/api/scenario", named.dump(), "application/json");
    REQUIRE(saved);
    REQUIRE(saved->status == 200);
    const fs::path scenario = server.dir() / "scenarios" / "saved.yaml";
    std::ofstream(scenario) << saved->body;

    // The CLI on the saved file: its base is the baseline, by its absolute path.
    const fs::path out = server.dir() / "cli";
    const auto run = test::run_cli({"run", "-q", (server.dir() / "scenarios" / "baseline.yaml").string(), scenario.string(),
                                    "--out", out.string()});
    REQUIRE(run.exit_code == 0);
    const auto cmp = test::run_cli({"compare", "-q", (out / "baseline").string(), (out / "saved").string(), "--out",
                                    (server.dir() / "cmp").string()});
    REQUIRE(cmp.exit_code == 0);
    const json cli_summary = json::parse(test::slurp(out / "saved" / "summary.json"));
    const json cli_compare = json::parse(test::slurp(server.dir() / "cmp" / "compare.json"));
    const json cli_baseline = json::parse(test::slurp(out / "baseline" / "summary.json"));

    // The same figures, to the last digit: the summary's rows and services, compare.json's services (by area class
    // and zone); the baseline's as well.
    CHECK(answer["summary"]["rows"] == cli_summary["rows"]);
    CHECK(answer["summary"]["services"] == cli_summary["services"]);
    CHECK(baseline["rows"] == cli_baseline["rows"]);
    REQUIRE(answer["compare"]["services"].size() == cli_compare["services"].size());
    for (std::size_t k = 0; k < cli_compare["services"].size(); ++k) {
        INFO(cli_compare["services"][k]["name"]);
        CHECK(answer["compare"]["services"][k] == figures(cli_compare["services"][k]));
    }
    // Not a no-op: the pool gains children, the closed school loses some, the threshold is the new one.
    const auto service = [&](const std::string& name) {
        for (const auto& s : answer["compare"]["services"])
            if (s["name"] == name) return s;
        FAIL("no " << name);
        return json();
    };
    CHECK(service("swimming_pool")["gained"].get<double>() > 0.0);
    CHECK(service("primary_school")["lost"].get<double>() + service("primary_school")["slower"].get<double>() > 0.0);
    CHECK(service("playground")["threshold_min"] == 20.0);
    // A threshold what-if: "before" is the baseline's own figure at its own threshold (15 min), "after" at 20 min.
    CHECK(service("playground")["threshold_before_min"] == 15.0);
    for (const auto& row : baseline["rows"])
        if (row["service"] == "playground" && row["area_class"] == "all")
            CHECK(service("playground")["within_before"].get<double>() == Approx(row["within_threshold"].get<double>()).epsilon(1e-9));
    CHECK(service("playground")["gained"].get<double>() > 0.0);
    // Within before + gained - lost = within after, for every service (an identity of the figures, not the tool's).
    for (const auto& s : answer["compare"]["services"])
        CHECK(s["within_before"].get<double>() + s["gained"].get<double>() - s["lost"].get<double>() ==
              Approx(s["within_after"].get<double>()).margin(1e-6));

    // The ranking from the app: accessplan rank of the saved file without draws and plan (what the app ranks) funds the
    // same sites in the same order, with the same money and children per programme.
    const fs::path rank_file = server.dir() / "scenarios" / "saved_rank.yaml";
    std::ofstream(rank_file) << saved->body << "ranking:\n  uncertainty: {draws: 0}\n  plan: null\n";
    const auto ranked_cli = test::run_cli({"rank", "-q", rank_file.string(), "--out", (server.dir() / "ranked").string()});
    REQUIRE(ranked_cli.exit_code == 0);
    const auto [rank_status, ranked] = server.post("/api/rank", request.dump());
    REQUIRE(rank_status == 200);
    const json cli_ranking = json::parse(test::slurp(server.dir() / "ranked" / "summary.json"))["ranking"];
    REQUIRE(ranked["programmes"].size() == cli_ranking["programmes"].size());
    for (std::size_t p = 0; p < cli_ranking["programmes"].size(); ++p) {
        INFO(cli_ranking["programmes"][p]["name"]);
        CHECK(ranked["programmes"][p]["spent"] == cli_ranking["programmes"][p]["spent"]);
        CHECK(ranked["programmes"][p]["sites"] == cli_ranking["programmes"][p]["sites"]);
        CHECK(ranked["programmes"][p]["children"] == cli_ranking["programmes"][p]["children_reached"]);
    }
    std::vector<std::string> cli_ids, app_ids;
    {
        std::istringstream csv(test::slurp(server.dir() / "ranked" / "ranking.csv"));
        std::string line;
        std::getline(csv, line);
        while (std::getline(csv, line)) cli_ids.push_back(line.substr(line.find(",\"") + 2, line.find("\",") - line.find(",\"") - 2));
    }
    for (const auto& site : ranked["sites"]) app_ids.push_back(site["id"].get<std::string>());
    CHECK(app_ids == cli_ids);
    CHECK(!app_ids.empty());

    // Several what-ifs at once (4 clients x 3), each as its own session: the answers equal the serial ones.
    std::vector<json> requests{request, json{{"modifications", json::array({request["modifications"][0]})}},
                               json{{"modifications", json::array({request["modifications"][1]})}, {"month", 3}}};
    std::vector<json> serial;
    for (const auto& r : requests) {
        const json one = server.post("/api/whatif", r.dump()).second;
        serial.push_back(one["compare"]);
        CHECK(one["inputs_reused"] == true);  // facilities, ferries, thresholds and months: the cached inputs serve
    }
    std::vector<std::vector<json>> parallel(4);
    std::vector<std::thread> clients;
    for (std::size_t t = 0; t < parallel.size(); ++t)
        clients.emplace_back([&, t] {
            auto cl = server.client();
            for (std::size_t k = 0; k < requests.size(); ++k) {
                const auto& r = requests[(k + t) % requests.size()];
                auto res = cl.Post("/api/whatif", r.dump(), "application/json");
                parallel[t].push_back(res && res->status == 200 ? json::parse(res->body)["compare"] : json());
            }
        });
    for (auto& th : clients) th.join();
    for (std::size_t t = 0; t < parallel.size(); ++t)
        for (std::size_t k = 0; k < requests.size(); ++k) CHECK(parallel[t][k] == serial[(k + t) % requests.size()]);
    CHECK(json::parse(c.Get("/api/summary")->body) == baseline);
    const auto none = server.post("/api/whatif", R"({"modifications": []})");
    REQUIRE(none.first == 200);
    for (const auto& s : none.second["compare"]["services"]) CHECK(s["gained"] == 0.0);
}

TEST_CASE("serve: bad requests get a 4xx that says what was wrong, and pages must come from this machine",
          "[serve][integration]") {
    Server server;
    const std::string pool = R"({"name": "P", "type": "swimming_pool", "lon": 107.3817, "lat": 21.3110})";
    const std::vector<std::tuple<std::string, int, std::string>> cases{
        {R"({"modifications": [)", 400, "malformed JSON"},
        {"{\"name\": \"\xff\xfe\"}", 400, "malformed JSON"},  // not UTF-8
        {R"([1, 2])", 400, "JSON object"},
        {R"({"modifications": {}})", 400, "a list of modification objects"},
        {R"({"modifs": []})", 400, "unknown key 'modifs'"},
        {R"({"modifications": [{"add_facilitys": {}}]})", 422, "did you mean 'add_facilities'"},
        {R"({"modifications": [{"add_facilities": {"facilities": [{"name": "P", "type": "spaceport", "lon": 107.38, "lat": 21.31}]}}]})",
         422, "unknown facility type 'spaceport'"},
        {R"({"modifications": [{"add_facilities": {"facilities": [{"name": "P", "type": "swimming_pool", "lon": 105.0, "lat": 21.31}]}}]})",
         422, "outside the analysis grid"},
        {R"({"modifications": [{"new_ferry": {"name": "F", "from": [107.3359, 21.1619], "to": [120.0, 10.0], "crossing_min": 30}}]})",
         422, "modifications[0].new_ferry.to: the point [120, 10]"},
        {R"({"modifications": [{"flood_season": {"file": "/etc/passwd", "speed_factor": 0.5}}]})", 422, "names no file"},
        {R"({"modifications": [{"population_growth": {"factor_raster": "../../growth.tif"}}]})", 422, "names no file"},
        {R"({"modifications": [{"set_threshold": {"service": "../../etc/passwd", "threshold_min": 20}}]})", 422,
         "'../../etc/passwd' is not a service"},
        {R"({"modifications": [{"close_facilities": {"ids": [99999999]}}]})", 422, "no facility has id = 99999999"},
        {R"({"month": 13})", 400, "month: a whole number from 1 to 12"},
        {fmt::format(R"({{"modifications": [{{"add_facilities": {{"facilities": [{}]}}}}, 5]}})", pool), 400,
         "modifications[1]: a modification is an object with one key"},
    };
    for (const auto& [body, status, words] : cases) {
        INFO(body);
        const auto [got, answer] = server.post("/api/whatif", body);
        CHECK(got == status);
        REQUIRE(answer.contains("error"));
        const std::string message = answer["error"].get<std::string>();
        CHECK_THAT(message, Catch::Contains(words));
        CHECK_THAT(message, !Catch::Contains("whatif-"));  // the server's own files are not named
    }
    // Rank budgets: numbers or money as scenario files write it; no other programme.
    CHECK(server.post("/api/rank", R"({"budgets": {"swimming": "5 tỷ"}})").first == 200);
    const auto bad_budget = server.post("/api/rank", R"({"budgets": {"swimming": "five"}})");
    CHECK(bad_budget.first == 400);
    CHECK_THAT(bad_budget.second["error"].get<std::string>(), Catch::Contains("budgets.swimming"));
    const auto no_programme = server.post("/api/rank", R"({"budgets": {"pools": 5}})");
    CHECK(no_programme.first == 422);
    CHECK_THAT(no_programme.second["error"].get<std::string>(), Catch::Contains("its programmes: education, health"));
    // The same checks guard saving.
    CHECK(server.post("/api/scenario", R"({"modifications": [{"add_facilitys": {}}]})").first == 422);
    // A body over 1 MB, an unknown service's map, an unknown page.
    const auto huge = server.post("/api/whatif", std::string(2 << 20, ' '));
    CHECK(huge.first == 413);
    CHECK_THAT(huge.second["error"].get<std::string>(), Catch::Contains("larger than"));
    auto c = server.client();
    auto map = c.Get("/api/map?service=..%2F..%2Fetc");
    REQUIRE(map);
    CHECK(map->status == 404);
    CHECK_THAT(map->body, Catch::Contains("no service"));
    CHECK(c.Get("/etc/passwd")->status == 404);
    auto get_whatif = c.Get("/api/whatif");
    REQUIRE(get_whatif);
    CHECK(get_whatif->status == 405);
    CHECK_THAT(get_whatif->body, Catch::Contains("takes POST"));
    // DNS rebinding: a page of another site naming this machine's address is refused.
    auto rebound = c.Get("/api/summary", httplib::Headers{{"Host", "attacker.example:80"}});
    REQUIRE(rebound);
    CHECK(rebound->status == 403);
    // The server is still well.
    CHECK(server.post("/api/whatif", fmt::format(R"({{"modifications": [{{"add_facilities": {{"facilities": [{}]}}}}]}})", pool)).first == 200);
}

TEST_CASE("serve: --token guards every request (header, address or cookie), and SIGTERM stops the server "
          "cleanly and removes its working folder", "[serve][integration]") {
    test::TempDir exports;
    Server server({"--token", "--export-dir", (exports / "out").string()});
    REQUIRE(server.token.size() == 32);
    httplib::Client bare("127.0.0.1", server.port);
    for (const char* path : {"/", "/app.js", "/api/summary", "/api/app"}) {
        INFO(path);
        auto res = bare.Get(path);
        REQUIRE(res);
        CHECK(res->status == 401);
    }
    auto post = bare.Post("/api/whatif", R"({"modifications": []})", "application/json");
    REQUIRE(post);
    CHECK(post->status == 401);
    httplib::Client wrong("127.0.0.1", server.port);
    wrong.set_bearer_token_auth(std::string(32, 'a').c_str());
    CHECK(wrong.Get("/api/summary")->status == 401);
    CHECK(server.client().Get("/api/summary")->status == 200);
    // The address's token sets a cookie, which then serves the page's scripts.
    auto page = bare.Get(("/?token=" + server.token).c_str());
    REQUIRE(page);
    CHECK(page->status == 200);
    const std::string cookie = page->get_header_value("Set-Cookie");
    CHECK_THAT(cookie, Catch::Contains("HttpOnly") && Catch::Contains("SameSite=Strict"));
    auto script = bare.Get("/app.js", httplib::Headers{{"Cookie", cookie.substr(0, cookie.find(';'))}});
    REQUIRE(script);
    CHECK(script->status == 200);

    // Export: the what-if run in full into a new folder of --export-dir, named after the what-if (a path in the name
    // stays a name), with its scenario file; its figures are the what-if's.
    const std::string pool = R"({"name": "../Bể bơi/..", "modifications": [{"add_facilities": {"facilities": [
        {"name": "P", "type": "swimming_pool", "lon": 107.3817, "lat": 21.3110}]}}]})";
    const auto [export_status, exported] = server.post("/api/export", pool);
    REQUIRE(export_status == 200);
    const fs::path folder = exported["folder"].get<std::string>();
    CHECK(folder.parent_path() == fs::absolute(exports / "out").lexically_normal());
    CHECK_THAT(folder.filename().string(), Catch::StartsWith("Bể_bơi-"));
    const auto [whatif_status, whatif] = server.post("/api/whatif", pool.substr(0, 1) + pool.substr(pool.find("\"modifications\"")));
    REQUIRE(whatif_status == 200);
    CHECK(json::parse(test::slurp(folder / "summary.json"))["rows"] == whatif["summary"]["rows"]);
    CHECK(fs::exists(folder / "report.html"));
    CHECK_THAT(test::slurp(folder / "scenario.yaml"), Catch::Contains("add_facilities"));

    const std::string err = server.err_text();
    const auto at = err.find("working folder ");
    REQUIRE(at != std::string::npos);
    const fs::path work = err.substr(at + 15, err.find(' ', at + 15) - at - 15);
    CHECK(fs::exists(work));
    CHECK(server.stop() == 0);
    CHECK_THAT(server.err_text(), Catch::Contains("stopped"));
    CHECK(!fs::exists(work));
}
