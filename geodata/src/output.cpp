#include "accessplan/geodata/output.hpp"

#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <fstream>
#include <set>
#include <system_error>

#include <fmt/format.h>
#include <unistd.h>

#include "accessplan/engine/error.hpp"

namespace fs = std::filesystem;

namespace accessplan::geodata {
namespace {
std::atomic<unsigned> g_counter{0};

/// This machine's name as it goes into staging names (letters, digits, '.', '_' and '-' only).
const std::string& host_name() {
    static const std::string name = [] {
        char buffer[256] = {};
        std::string n = ::gethostname(buffer, sizeof buffer - 1) == 0 ? buffer : "";
        for (char& c : n)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
        return n.empty() ? std::string("localhost") : n;
    }();
    return name;
}
}  // namespace

fs::path temporary_sibling(const fs::path& target) {
    const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
    return parent / fmt::format(".{}.tmp-{}-{}@{}", target.filename().string(), ::getpid(), g_counter++, host_name());
}

void commit_file(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    if (interrupt_requested()) {
        fs::remove(from, ec);
        throw_if_interrupted();
    }
    fs::rename(from, to, ec);
    if (ec) {
        fs::remove(from, ec);
        throw IoError(fmt::format("{}: cannot move the finished file into place: {}", to.string(), ec.message()));
    }
}

void write_text_file(const fs::path& path, const std::string& text) {
    const fs::path tmp = temporary_sibling(path);
    {
        std::ofstream out(tmp, std::ios::binary);
        if (!out) throw IoError(fmt::format("{}: cannot create file (is the folder writable?)", path.string()));
        out << text;
        out.flush();
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw IoError(fmt::format("{}: write failed (disk full?)", path.string()));
        }
    }
    commit_file(tmp, path);
}

std::vector<fs::path> remove_abandoned_staging(const fs::path& parent, const std::string& name) {
    std::vector<fs::path> removed;
    const std::string prefix = "." + name + ".tmp-";
    std::error_code ec;
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string f = it->path().filename().string();
        if (f.rfind(prefix, 0) != 0) continue;
        std::string rest = f.substr(prefix.size());
        if (const auto at = rest.find('@'); at != std::string::npos) {  // (names without a host: an older accessplan)
            if (rest.substr(at + 1) != host_name()) continue;
            rest.erase(at);
        }
        const auto dash = rest.find('-');
        if (dash == std::string::npos || dash == 0 || rest.find_first_not_of("0123456789-") != std::string::npos) continue;
        const long pid = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
        if (pid <= 0 || pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
        std::error_code rm;
        fs::remove_all(it->path(), rm);
        if (!fs::exists(it->path(), rm)) removed.push_back(it->path());
    }
    return removed;
}

namespace {

/// True when `path` is `folder` or inside it (both made absolute and normal; symbolic links followed).
bool within(const fs::path& path, const fs::path& folder) {
    std::error_code ec;
    const fs::path p = fs::weakly_canonical(fs::absolute(path), ec), f = fs::weakly_canonical(fs::absolute(folder), ec);
    const fs::path rel = p.lexically_relative(f);
    return !rel.empty() && *rel.begin() != "..";
}

/// Every file under `folder` (not folders), relative to it, sorted.
std::vector<std::string> files_under(const fs::path& folder) {
    std::vector<std::string> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (!it->is_directory(ec)) files.push_back(it->path().lexically_relative(folder).generic_string());
    std::sort(files.begin(), files.end());
    return files;
}

/// A file as the outputs list records it: its size and modification time (nanoseconds since 1970), so that a
/// file changed since accessplan wrote it (an edited scenario, a replaced raster) is no longer taken for ours.
std::string file_stamp(const fs::path& file) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) return "?";
    const auto time = fs::last_write_time(file, ec);
    if (ec) return "?";
    const auto since_1970 = std::chrono::file_clock::to_sys(time).time_since_epoch();
    return fmt::format("{}\t{}", size, std::chrono::duration_cast<std::chrono::nanoseconds>(since_1970).count());
}

/// The outputs list of `folder` (relative path -> stamp; "" for lists of accessplan before 2026-12, which named the
/// files only); nullopt when there is none.
std::optional<std::map<std::string, std::string>> read_outputs_list(const fs::path& folder) {
    std::ifstream manifest(folder / outputs_manifest);
    if (!manifest) return std::nullopt;
    std::map<std::string, std::string> listed;
    for (std::string line; std::getline(manifest, line);) {
        if (line.empty()) continue;
        // "<bytes>\t<modified ns>\t<path>"; a line without tabs is a path only (lists before 2026-12).
        const auto first = line.find('\t');
        const auto second = first == std::string::npos ? std::string::npos : line.find('\t', first + 1);
        if (second == std::string::npos) listed[line] = "";
        else listed[line.substr(second + 1)] = line.substr(0, second);
    }
    return listed;
}

/// --overwrite replaces only what accessplan wrote: a run into the folder of its own scenario once deleted the user's
/// inputs.
/// Returns the sub-folders of results written later inside (with outputs lists of their own), which go too.
std::vector<fs::path> check_replaceable(const fs::path& target, const std::vector<fs::path>& inputs) {
    std::error_code ec;
    if (within(fs::current_path(ec), target))
        throw InputError(fmt::format("{}: is the folder you are working in (or holds it); --overwrite replaces the whole "
                                     "folder, so choose an output folder of its own, e.g. results/<name>", target.string()));
    for (const auto& in : inputs)
        if (within(in, target))
            throw InputError(fmt::format("{}: holds {}, an input of this run; --overwrite would replace the whole folder "
                                         "and delete it. Write the results into a folder of their own (e.g. "
                                         "results/<name>)", target.string(), in.string()));
    if (!read_outputs_list(target))
        throw InputError(fmt::format("{}: accessplan did not write this folder (it has no {} file listing accessplan's "
                                     "outputs; folders of accessplan before 2026-12 lack it too), so --overwrite leaves it "
                                     "alone: remove it yourself or choose another output folder", target.string(),
                                     outputs_manifest));
    // Every file must be listed, unchanged, by the outputs list of its folder or of a folder above it within the target
    // (results that accessplan wrote later into a sub-folder, e.g. the demo's results/<what-if>, carry their own).
    std::map<fs::path, std::map<std::string, std::string>> lists;
    std::set<fs::path> nested;
    for (const auto& f : files_under(target)) {
        const fs::path rel(f);
        if (rel.filename() == outputs_manifest) continue;
        bool ours = false;
        for (fs::path folder = rel.parent_path();; folder = folder.parent_path()) {
            auto it = lists.find(folder);
            if (it == lists.end()) {
                auto listed = read_outputs_list(target / folder);
                if (listed && !folder.empty()) nested.insert(folder);
                it = lists.emplace(folder, listed ? *listed : std::map<std::string, std::string>{}).first;
            }
            const auto entry = it->second.find(rel.lexically_relative(folder).generic_string());
            if (entry != it->second.end()) {
                if (!entry->second.empty() && entry->second != file_stamp(target / rel))
                    throw InputError(fmt::format("{}: holds {}, which was changed after accessplan wrote it; --overwrite "
                                                 "would replace it. Copy it elsewhere first (or remove it if the change "
                                                 "is not wanted), or choose another output folder",
                                                 target.string(), (target / rel).string()));
                ours = true;
                break;
            }
            if (folder.empty()) break;
        }
        if (!ours)
            throw InputError(fmt::format("{}: holds {}, which accessplan did not write; --overwrite replaces only folders "
                                         "of accessplan's own outputs. Move the file elsewhere, or choose another output "
                                         "folder", target.string(), (target / rel).string()));
    }
    std::vector<fs::path> out;
    for (const auto& f : nested)
        if (std::none_of(nested.begin(), nested.end(), [&](const fs::path& g) { return g != f && within(target / f, target / g); }))
            out.push_back(target / f);
    return out;
}

}  // namespace

void write_outputs_list(const fs::path& folder) {
    std::string listed;
    for (const auto& f : files_under(folder))
        if (fs::path(f).filename() != outputs_manifest) listed += fmt::format("{}\t{}\n", file_stamp(folder / f), f);
    write_text_file(folder / outputs_manifest, listed);
}

OutputFolder::OutputFolder(fs::path target, bool overwrite, const std::vector<fs::path>& inputs)
    : m_target(std::move(target)), m_overwrite(overwrite) {
    std::error_code ec;
    if (fs::exists(m_target, ec)) {
        if (!fs::is_directory(m_target, ec))
            throw InputError(fmt::format("{}: exists and is not a folder; choose another output folder", m_target.string()));
        if (!m_overwrite)
            throw InputError(fmt::format("{}: output folder already exists; pass --overwrite to replace it or "
                                         "choose another output folder", m_target.string()));
        m_replaced_results = check_replaceable(m_target, inputs);
    }
    const fs::path parent = m_target.has_parent_path() ? m_target.parent_path() : fs::path(".");
    fs::create_directories(parent, ec);
    if (ec) throw IoError(fmt::format("{}: cannot create folder: {}", parent.string(), ec.message()));
    remove_abandoned_staging(parent, m_target.filename().string());
    m_staging = temporary_sibling(m_target);
    fs::create_directory(m_staging, ec);
    if (ec) throw IoError(fmt::format("{}: cannot create a staging folder in {}: {}; the outputs are written beside "
                                      "their target, so choose a folder you can write to", m_target.string(),
                                      parent.string(), ec.message()));
}

OutputFolder::~OutputFolder() {
    if (!m_committed) {
        std::error_code ec;
        fs::remove_all(m_staging, ec);
    }
}

void move_into_place(const fs::path& staging, const fs::path& target, bool overwrite) {
    write_outputs_list(staging);
    std::error_code ec;
    fs::path old;
    if (fs::exists(target, ec)) {
        if (!overwrite)
            throw InputError(fmt::format("{}: output folder appeared while running; pass --overwrite to replace it",
                                         target.string()));
        old = temporary_sibling(target);
        fs::rename(target, old, ec);
        if (ec) throw IoError(fmt::format("{}: cannot move the previous results aside: {}", target.string(), ec.message()));
    }
    fs::rename(staging, target, ec);
    if (ec) {
        std::error_code ec2;
        if (!old.empty()) fs::rename(old, target, ec2);
        throw IoError(fmt::format("{}: cannot move the new results into place: {}", target.string(), ec.message()));
    }
    if (!old.empty()) fs::remove_all(old, ec);
}

void OutputFolder::commit() {
    throw_if_interrupted();  // (the destructor then removes the staging folder)
    move_into_place(m_staging, m_target, m_overwrite);
    m_committed = true;
}

}  // namespace accessplan::geodata
