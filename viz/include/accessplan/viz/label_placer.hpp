#pragma once
// Labels on a map that never overlap. Each label, in priority order, takes the first free place among: on its point,
// then around it at growing distances (drawn with a leader line back to the point); a label with no free place is
// dropped and reported, so that the map can draw its point unlabelled and say which labels it left out. Greedy
// point-feature label placement over candidate positions (Imhof 1975's position preferences; Christensen, Marks &
// Shieber 1995 compare it with better but slower searches). Pure geometry, in page points (y down): no Cairo.
#include <cstddef>
#include <utility>
#include <vector>

namespace accessplan::viz {

/// An axis-aligned box, x0 <= x1 and y0 <= y1.
struct Box {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    /// True when the boxes share some area (boxes that only touch along an edge do not).
    bool intersects(const Box& other) const;
    /// True when `other` lies inside this box (edges may touch).
    bool contains(const Box& other) const;
    /// This box grown by `d` on every side.
    Box inflated(double d) const;
};

/// True when the segment (x0, y0)-(x1, y1) passes through the inside of `box`.
bool segment_crosses(const Box& box, double x0, double y0, double x1, double y1);

/// A label to place: the point it names and the size of its box.
struct LabelRequest {
    double x = 0, y = 0;
    double width = 0, height = 0;
};

struct PlacedLabel {
    std::size_t request = 0;  ///< index into the requests
    Box box;                  ///< where the label is drawn
    bool leader = false;      ///< away from its point: draw a line from the point to the box's edge
};

struct LabelLayout {
    std::vector<PlacedLabel> placed;   ///< in the order of the requests
    std::vector<std::size_t> dropped;  ///< requests left without a label (no free place): draw their point only
};

struct LabelOptions {
    double gap = 1.0;           ///< the least space between two labels (pt)
    double max_leader = 40.0;   ///< the farthest a label's box goes from its point (pt)
    double point_radius = 2.0;  ///< the points of the other requests that no label may cover (pt)
};

/// Places `requests` in the order given (earlier ones get the better places) inside `frame` and clear of
/// `obstacles` (scale bar, north arrow, facilities, ...), of one another (at least `gap` apart), of every other
/// request's point, and of the leader lines already drawn (no leader crosses a label, an obstacle,
/// another leader or another point, but for points whose dots overlap its own).
/// Candidates, best first: the box centred on
/// its point, then centred on rings of growing radius around it (8 directions on the first rings, 16 farther out)
/// up to `max_leader`. Deterministic: the same requests give the same layout.
LabelLayout place_labels(const std::vector<LabelRequest>& requests, const Box& frame, const std::vector<Box>& obstacles,
                         const LabelOptions& options = {});

/// The point where the leader line from (x, y) meets `box` (the nearest point of its outline).
std::pair<double, double> leader_end(const Box& box, double x, double y);

}  // namespace accessplan::viz
