#pragma once
// Progress lines and wall-clock time per stage of a run (run.json "stage_seconds"); every stage boundary is also where
// an interrupt (Ctrl-C, SIGTERM) stops the run.

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/memory.hpp"
#include "accessplan/scenarios/pipeline.hpp"

namespace accessplan::scenarios::detail {

class StageClock {
public:
    StageClock(const RunOptions& options, int stage_count) : m_options(options), m_count(stage_count) {}

    /// A numbered stage with a progress line; its time goes to run.json under `timed_as` (the label unless given).
    void stage(int k, const std::string& label, const std::string& timed_as = "") {
        throw_if_interrupted();
        close();
        m_current = timed_as.empty() ? label : timed_as;
        if (m_options.stage) m_options.stage(k, m_count, label);
    }

    /// A part of a stage timed separately in run.json, without a progress line.
    void substage(const std::string& label) {
        throw_if_interrupted();
        close();
        m_current = label;
    }

    /// The label time now goes to.
    const std::string& current() const noexcept { return m_current; }

    /// The run's options, for progress inside a long stage (RunOptions::progress).
    const RunOptions& options() const noexcept { return m_options; }

    /// Ends the current stage; the seconds per label (a label met again, once per service, adds up).
    std::vector<std::pair<std::string, double>> finish() {
        close();
        m_current.clear();
        return m_seconds;
    }

    /// The process's peak resident memory in bytes when each stage (label as in finish) last ended: where the peak
    /// grew. One process's figure: with runs side by side (a batch) it counts them all.
    const std::vector<std::pair<std::string, double>>& peaks() const noexcept { return m_peaks; }

private:
    void close() {
        const auto now = std::chrono::steady_clock::now();
        if (!m_current.empty()) {
            const double seconds = std::chrono::duration<double>(now - m_start).count();
            auto it = std::find_if(m_seconds.begin(), m_seconds.end(), [&](const auto& e) { return e.first == m_current; });
            if (it != m_seconds.end()) it->second += seconds;
            else m_seconds.emplace_back(m_current, seconds);
            const double peak = peak_resident_bytes().value_or(0.0);
            auto p = std::find_if(m_peaks.begin(), m_peaks.end(), [&](const auto& e) { return e.first == m_current; });
            if (p != m_peaks.end()) p->second = peak;
            else m_peaks.emplace_back(m_current, peak);
        }
        m_start = now;
    }

    const RunOptions& m_options;
    int m_count;
    std::string m_current;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
    std::vector<std::pair<std::string, double>> m_seconds;
    std::vector<std::pair<std::string, double>> m_peaks;
};

}  // namespace accessplan::scenarios::detail
