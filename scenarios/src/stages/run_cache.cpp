#include "run_cache.hpp"

#include <algorithm>

#include "../modifications/registry.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios {
namespace detail {

Scenario shared_inputs_key(const Scenario& s) {
    Scenario k = s;
    k.file.clear();
    k.name.clear();
    k.sources.clear();
    k.ranking.reset();
    k.ranking_inherited = false;
    for (Service& svc : k.services) {
        svc.threshold_min = 0.0;
        svc.coverage_order.clear();
    }
    // What each kind changes is registered with it (modification.hpp `changes`).
    std::erase_if(k.modifications, [](const Modification& m) { return changes_of(m) == Changes::facilities_or_ferries; });
    // The month reaches the inputs only through the seasonal floods and road closures it leaves out (ferries are the
    // run's own, searched or updated per run): the key holds the modifications that apply, not the month, so that
    // another month with the same floods and closures takes the inputs over.
    if (k.month)
        std::erase_if(k.modifications, [month = *k.month](const Modification& m) {
            return std::visit([month](const auto& c) {
                if constexpr (requires { c.months; }) return !in_months(c.months, month);
                else return false;
            }, m.change);
        });
    k.month.reset();
    for (Modification& m : k.modifications) m.label.clear();
    return k;
}

FileStamps file_stamps(const Scenario& key) {
    FileStamps stamps;
    for (const auto& f : input_files(key)) {
        std::error_code ec;
        const auto size = fs::file_size(f, ec);
        const auto time = fs::last_write_time(f, ec);
        stamps.emplace_back(f, ec ? 0 : size, ec ? fs::file_time_type{} : time);
    }
    return stamps;
}

}  // namespace detail

std::shared_ptr<const detail::CacheEntry> RunCache::find(const Scenario& s) {
    const Scenario key = detail::shared_inputs_key(s);
    const auto stamps = detail::file_stamps(key);
    std::lock_guard lock(m_mutex);
    const auto found = std::find_if(m_entries.begin(), m_entries.end(),
                                    [&](const auto& e) { return e->key == key && e->stamps == stamps; });
    if (found == m_entries.end()) return nullptr;
    std::rotate(found, found + 1, m_entries.end());  // now the most recently used
    return m_entries.back();
}

void RunCache::store(std::shared_ptr<const detail::CacheEntry> entry) {
    std::lock_guard lock(m_mutex);
    if (m_frozen || m_keep == 0) return;
    std::erase_if(m_entries, [&](const auto& e) { return e->key == entry->key; });
    m_entries.push_back(std::move(entry));
    // The oldest are forgotten (runs still using them hold their own reference).
    if (m_entries.size() > m_keep) m_entries.erase(m_entries.begin(), m_entries.end() - static_cast<std::ptrdiff_t>(m_keep));
}

bool RunCache::accepts() const {
    std::lock_guard lock(m_mutex);
    return !m_frozen && m_keep > 0;
}

void RunCache::freeze() {
    std::lock_guard lock(m_mutex);
    m_frozen = true;
}

std::shared_ptr<RunCache> make_run_cache(std::size_t keep) { return std::make_shared<RunCache>(keep); }

void freeze_run_cache(RunCache& cache) { cache.freeze(); }

bool shares_inputs(const Scenario& a, const Scenario& b) { return detail::shared_inputs_key(a) == detail::shared_inputs_key(b); }

}  // namespace accessplan::scenarios
