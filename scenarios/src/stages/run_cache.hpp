#pragma once
// What runs of one process share (RunOptions::cache): the inputs of earlier runs (inputs.hpp) and the searches they
// made, so that a what-if which changes only facilities, ferries, thresholds or the ranking starts from them. The
// searches are brought up to date where the changes reach (travel.hpp), giving exactly what a fresh run gives.

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "accessplan/engine/travel_time.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "inputs.hpp"

namespace accessplan::scenarios {
namespace detail {

/// A full search of an earlier run, kept so that a what-if can update it (update_travel_time).
struct BaseSearch {
    std::vector<SourceCell> sources;
    std::vector<ExtraEdge> edges;
    TravelTimeResult result;
};

/// The bounded catchment searches of one service, by facility cell, with the threshold and edges they were made with.
struct KeptCatchments {
    double threshold_min = 0.0;
    std::vector<ExtraEdge> edges;
    std::map<std::size_t, Catchment> by_cell;
};

/// The searches of the run that built an entry's inputs.
struct KeptSearches {
    BaseSearch town;
    std::map<std::string, BaseSearch> services;        ///< per service
    std::map<std::string, KeptCatchments> catchments;  ///< per service
};

using FileStamps = std::vector<std::tuple<std::filesystem::path, std::uintmax_t, std::filesystem::file_time_type>>;

struct CacheEntry {
    Scenario key;       ///< shared_inputs_key of the scenario that built it
    FileStamps stamps;  ///< its input files as they were
    std::shared_ptr<const RunInputs> inputs;
    std::shared_ptr<const KeptSearches> searches;
};

/// The scenario without what shared inputs do not depend on: its name and files, the modifications whose kind says
/// they leave inputs alone (modification registry), thresholds, coverage orders and the ranking. Two scenarios with
/// equal keys (and unchanged files) share inputs.
Scenario shared_inputs_key(const Scenario& s);

/// Size and modification time of every input file of `key`.
FileStamps file_stamps(const Scenario& key);

}  // namespace detail

/// Entries of earlier runs, found by their key and checked against their files; at most `keep` of them, the least
/// recently stored or found forgotten first. Thread-safe.
class RunCache {
public:
    explicit RunCache(std::size_t keep) : m_keep(keep) {}
    /// The entry of `s`'s inputs, now the most recently used; nullptr when none.
    std::shared_ptr<const detail::CacheEntry> find(const Scenario& s);
    void store(std::shared_ptr<const detail::CacheEntry> entry);
    /// False once frozen (freeze_run_cache) or when it keeps nothing: store() would do nothing.
    bool accepts() const;
    void freeze();

private:
    mutable std::mutex m_mutex;
    std::vector<std::shared_ptr<const detail::CacheEntry>> m_entries;  ///< least recently used first
    std::size_t m_keep;
    bool m_frozen = false;
};

}  // namespace accessplan::scenarios
