#pragma once
// A progress bar on stderr, drawn only when stderr is a terminal (libosmium's ProgressBar habit): logs and piped
// output stay clean.

#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

namespace accessplan::cli {

class ProgressBar {
public:
    explicit ProgressBar(bool enabled) : m_enabled(enabled && ::isatty(::fileno(stderr)) == 1) {}
    ~ProgressBar() { done(); }
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    void update(const std::string& label, std::size_t done_count, std::size_t total) {
        if (!m_enabled || total == 0) return;
        constexpr std::size_t width = 30;
        const std::size_t filled = width * done_count / total;
        fmt::print(stderr, "\r  {:<28} [{}{}] {}/{}", label, std::string(filled, '#'), std::string(width - filled, '.'),
                   done_count, total);
        std::fflush(stderr);
        m_drawn = true;
    }

    void done() {
        if (m_drawn) fmt::print(stderr, "\n");
        m_drawn = false;
    }

private:
    bool m_enabled;
    bool m_drawn = false;
};

}  // namespace accessplan::cli
