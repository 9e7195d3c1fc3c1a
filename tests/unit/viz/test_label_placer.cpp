// The map's label placer: geometry only (no drawing). Invariants: no two labels overlap, none covers another
// labelled point or leaves the frame, every request is either placed or reported as dropped.

#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "accessplan/viz/label_placer.hpp"

using namespace accessplan;

namespace {

/// Checks the layout's invariants for `requests` in `frame` clear of `obstacles`.
void check_layout(const viz::LabelLayout& layout, const std::vector<viz::LabelRequest>& requests, const viz::Box& frame,
                  const std::vector<viz::Box>& obstacles = {}) {
    std::set<std::size_t> seen;
    for (const auto& p : layout.placed) CHECK(seen.insert(p.request).second);
    for (const std::size_t d : layout.dropped) CHECK(seen.insert(d).second);
    CHECK(seen.size() == requests.size());  // each request placed or dropped, once
    for (std::size_t a = 0; a < layout.placed.size(); ++a) {
        const auto& pa = layout.placed[a];
        INFO("label " << pa.request << " at " << pa.box.x0 << "," << pa.box.y0);
        CHECK(frame.contains(pa.box));
        for (const auto& o : obstacles) CHECK_FALSE(pa.box.intersects(o));
        CHECK(pa.box.x1 - pa.box.x0 == Approx(requests[pa.request].width));
        for (std::size_t b = a + 1; b < layout.placed.size(); ++b) CHECK_FALSE(pa.box.intersects(layout.placed[b].box));
        for (std::size_t j = 0; j < requests.size(); ++j) {
            const bool own = j == pa.request;
            if (own && !pa.leader) continue;  // a label on its point covers it
            const viz::Box point{requests[j].x - 0.5, requests[j].y - 0.5, requests[j].x + 0.5, requests[j].y + 0.5};
            CHECK_FALSE(pa.box.intersects(point));
        }
    }
}

}  // namespace

TEST_CASE("labels of points far apart stay on their points", "[viz][labels][placer]") {
    const std::vector<viz::LabelRequest> requests{{50, 50, 12, 12}, {150, 50, 12, 12}, {100, 120, 18, 12}};
    const viz::Box frame{0, 0, 200, 200};
    const auto layout = viz::place_labels(requests, frame, {});
    check_layout(layout, requests, frame);
    REQUIRE(layout.placed.size() == 3);
    CHECK(layout.dropped.empty());
    for (const auto& p : layout.placed) {
        CHECK_FALSE(p.leader);
        CHECK((p.box.x0 + p.box.x1) / 2 == Approx(requests[p.request].x));
    }
}

TEST_CASE("two labels of points a pixel apart both show with at least one offset by a leader", "[viz][labels][placer]") {
    // Two pools 130 m apart on a 1:300,000 map: about 1.2 pt.
    const std::vector<viz::LabelRequest> requests{{100, 100, 12, 12}, {101.2, 100.3, 12, 12}};
    const viz::Box frame{0, 0, 200, 200};
    const auto layout = viz::place_labels(requests, frame, {});
    check_layout(layout, requests, frame);
    CHECK(layout.placed.size() == 2);
    CHECK(layout.dropped.empty());
    CHECK(std::count_if(layout.placed.begin(), layout.placed.end(), [](const auto& p) { return p.leader; }) >= 1);
}

TEST_CASE("many labels at nearly the same point never overlap and those without room are reported", "[viz][labels][placer]") {
    std::vector<viz::LabelRequest> requests;
    for (int k = 0; k < 60; ++k) requests.push_back({150 + 0.05 * k, 150 - 0.03 * k, k < 9 ? 12.0 : 17.0, 12});
    const viz::Box frame{0, 0, 300, 300};
    const std::vector<viz::Box> obstacles{{150, 100, 200, 130}};  // e.g. the scale bar
    const auto layout = viz::place_labels(requests, frame, obstacles);
    check_layout(layout, requests, frame, obstacles);
    CHECK(layout.placed.size() >= 4);      // a ring around the points takes several (leaders cross no label)
    CHECK_FALSE(layout.dropped.empty());   // 60 labels cannot fit within the leader's reach
    // Earlier requests are served first; none sits on its point, which would hide the others'.
    CHECK(layout.placed.front().request == 0);
    for (const auto& p : layout.placed) CHECK(p.leader);
}

TEST_CASE("a label with no room in the frame is dropped, not drawn outside it", "[viz][labels][placer]") {
    const std::vector<viz::LabelRequest> requests{{10, 10, 12, 12}, {10.5, 10, 12, 12}, {11, 10.5, 12, 12}};
    const viz::Box frame{0, 0, 22, 22};
    const auto layout = viz::place_labels(requests, frame, {});
    check_layout(layout, requests, frame);
    CHECK(layout.dropped.size() >= 1);
}

TEST_CASE("random clusters of labels never overlap", "[viz][labels][placer]") {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> centre(20, 580), jitter(-6, 6), width(12, 20);
    for (int trial = 0; trial < 20; ++trial) {
        std::vector<viz::LabelRequest> requests;
        for (int cluster = 0; cluster < 6; ++cluster) {
            const double cx = centre(rng), cy = centre(rng);
            for (int k = 0; k < 12; ++k) requests.push_back({cx + jitter(rng), cy + jitter(rng), width(rng), 12});
        }
        const viz::Box frame{0, 0, 600, 600};
        INFO("trial " << trial);
        check_layout(viz::place_labels(requests, frame, {{0, 560, 120, 600}}), requests, frame, {{0, 560, 120, 600}});
    }
}

TEST_CASE("a segment crosses a box only through its inside", "[viz][labels][placer]") {
    const viz::Box b{0, 0, 10, 10};
    CHECK(viz::segment_crosses(b, -5, 5, 15, 5));
    CHECK(viz::segment_crosses(b, 5, 5, 6, 6));      // inside
    CHECK_FALSE(viz::segment_crosses(b, -5, 0, 15, 0));  // along an edge
    CHECK_FALSE(viz::segment_crosses(b, -5, -5, -1, 20));
    CHECK_FALSE(viz::segment_crosses(b, 10, 5, 20, 5));  // from the edge outwards
    const auto [ex, ey] = viz::leader_end(b, 20, 5);
    CHECK(ex == 10);
    CHECK(ey == 5);
}
