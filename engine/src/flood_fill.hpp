#pragma once
// 8-connected flood fill on a grid (private to the engine): the one traversal behind land components (islands) and
// gap clusters.

#include <cstdint>
#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan {

/// Calls fn(j) for each of the (up to) 8 neighbours j of cell i, in a fixed order.
template <typename Fn>
void for_each_neighbour_8(const GridSpec& spec, std::size_t i, Fn&& fn) {
    const auto cols = static_cast<std::int64_t>(spec.cols), rows = static_cast<std::int64_t>(spec.rows);
    const auto r = static_cast<std::int64_t>(i) / cols, c = static_cast<std::int64_t>(i) % cols;
    for (std::int64_t dr = -1; dr <= 1; ++dr)
        for (std::int64_t dc = -1; dc <= 1; ++dc) {
            const std::int64_t rr = r + dr, cc = c + dc;
            if ((dr == 0 && dc == 0) || rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
            fn(static_cast<std::size_t>(rr * cols + cc));
        }
}

/// Depth-first fill from `start`, which the caller has already claimed: visit(i) is called once for every cell of the
/// region, and claim(j) for each neighbour j of a visited cell decides whether j joins (and marks it so it is not
/// claimed twice). The visiting order depends only on the grid, so sums taken in visit() are reproducible.
/// `stack` is scratch, reused across calls; its cells in `Index` (std::uint32_t halves it on grids below 2^32 cells:
/// a national gap cluster's stack held millions of cells).
template <typename Index, typename Claim, typename Visit>
void flood_fill_8(const GridSpec& spec, std::size_t start, std::vector<Index>& stack, Claim&& claim, Visit&& visit) {
    stack.assign(1, static_cast<Index>(start));
    while (!stack.empty()) {
        const std::size_t i = stack.back();
        stack.pop_back();
        visit(i);
        for_each_neighbour_8(spec, i, [&](std::size_t j) {
            if (claim(j)) stack.push_back(static_cast<Index>(j));
        });
    }
}

}  // namespace accessplan
