#include "support/run_cli.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

#include "support/ascii_grid.hpp"

namespace accessplan::test {
namespace {
std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') q.append("'\\''");
        else q.push_back(c);
    }
    q.push_back('\'');
    return q;
}
}  // namespace

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::map<std::string, std::string> folder_files(const std::filesystem::path& dir, const std::string& skip) {
    std::map<std::string, std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
        if (e.is_regular_file() && (skip.empty() || e.path().filename() != skip) &&
            e.path().filename() != ".accessplan-outputs")  // (it holds the files' write times)
            files[std::filesystem::relative(e.path(), dir).string()] = slurp(e.path());
    return files;
}

CliResult run_cli(const std::vector<std::string>& args) {
    std::random_device rd;
    const auto base = std::filesystem::temp_directory_path() / ("accessplan-cli-" + std::to_string(rd()));
    std::string cmd = quote(ACCESSPLAN_BINARY);
    for (const auto& a : args) cmd.append(" ").append(quote(a));
    cmd.append(" >").append(quote(base.string() + ".out")).append(" 2>").append(quote(base.string() + ".err"));
    cmd.append(" </dev/null");
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(base.string() + ".out");
    r.err = slurp(base.string() + ".err");
    std::error_code ec;
    std::filesystem::remove(base.string() + ".out", ec);
    std::filesystem::remove(base.string() + ".err", ec);
    return r;
}

const std::filesystem::path& demo_results() {
    static TempDir dir;
    static const std::filesystem::path out = [] {
        const std::filesystem::path o = dir / "demo";
        const auto r = run_cli({"demo", "-q", "--out", o.string()});
        if (r.exit_code != 0) throw std::runtime_error("accessplan demo failed: " + r.err);
        return o / "results" / "baseline";
    }();
    return out;
}

}  // namespace accessplan::test
