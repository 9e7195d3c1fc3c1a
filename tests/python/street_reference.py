"""Independent street-network reference for walking times to schools (issue 22), used by test_street_walking.py.

Nothing here uses accessplan: the OpenStreetMap extract is read with GDAL's OSM driver (ogr), the .osm.pbf header
is parsed by hand (zlib + a tiny protobuf varint reader), coordinates are projected with osr, and shortest paths are
networkx's Dijkstra over an undirected graph of the walkable ways (vertices = way vertices, identified by their exact
coordinates, so ways sharing an OSM node meet there and nowhere else: bridges and tunnels cross without connecting).

A school, or a query point, joins the graph at the nearest point of the nearest walkable segment (its "snap point"),
walking the straight snap distance at an off-road speed; the snapped segment is split there, so a school in the middle
of a long street is reached along that street from both of its ends.

Only Debian's python3 packages: GDAL (osgeo), numpy, networkx. No shapely.
"""

import math
import re
import struct
import zlib

import networkx as nx
import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()

# accessplan's default walking mode (docs/travel-models.md), km/h; 0 = not walkable. Anything absent is dropped.
WALK_SPEEDS_KMH = {
    **{k: 4.0 for k in ("trunk", "primary", "secondary", "tertiary", "unclassified", "road", "residential",
                        "living_street", "service", "pedestrian")},
    **{k + "_link": 4.0 for k in ("trunk", "primary", "secondary", "tertiary")},
    **{k: 3.5 for k in ("track", "path", "footway", "steps", "cycleway", "bridleway")},
    "motorway": 0.0,
    "motorway_link": 0.0,
}

UTM48N = 32648
FOOT_ALLOWED = ("yes", "designated", "permissive")
_TAG = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


# --------------------------------------------------------------------------------------------------------------
# .osm.pbf header box
# --------------------------------------------------------------------------------------------------------------

def _varint(buf, pos):
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _fields(buf):
    """Yield (field number, wire type, value) of a protobuf message; value is an int or a bytes slice."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = struct.unpack_from("<Q", buf, pos)[0], pos + 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value, pos = bytes(buf[pos:pos + size]), pos + size
        elif wire == 5:
            value, pos = struct.unpack_from("<I", buf, pos)[0], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _zigzag(n):
    return (n >> 1) ^ -(n & 1)


def pbf_header_bbox(path):
    """(west, south, east, north) in degrees from the HeaderBBox of the first (OSMHeader) blob of an .osm.pbf file."""
    with open(path, "rb") as f:
        (header_len,) = struct.unpack(">I", f.read(4))
        blob_header = dict((n, v) for n, _, v in _fields(f.read(header_len)))
        if blob_header.get(1) != b"OSMHeader":
            raise ValueError(f"{path}: first blob is {blob_header.get(1)!r}, not OSMHeader")
        blob = dict((n, v) for n, _, v in _fields(f.read(blob_header[3])))
    if 1 in blob:
        data = blob[1]
    elif 3 in blob:
        data = zlib.decompress(blob[3])
        if 2 in blob and len(data) != blob[2]:
            raise ValueError(f"{path}: header blob inflates to {len(data)} bytes, raw_size says {blob[2]}")
    else:
        raise ValueError(f"{path}: header blob is neither raw nor zlib")
    bbox = next((v for n, w, v in _fields(data) if n == 1 and w == 2), None)
    if bbox is None:
        raise ValueError(f"{path}: header has no bbox")
    nano = {n: _zigzag(v) for n, _, v in _fields(bbox)}  # 1 left, 2 right, 3 top, 4 bottom (nanodegrees)
    return (nano[1] / 1e9, nano[4] / 1e9, nano[2] / 1e9, nano[3] / 1e9)


# --------------------------------------------------------------------------------------------------------------
# projection
# --------------------------------------------------------------------------------------------------------------

def _srs(epsg_or_wkt):
    srs = osr.SpatialReference()
    if isinstance(epsg_or_wkt, int):
        srs.ImportFromEPSG(epsg_or_wkt)
    else:
        srs.ImportFromWkt(epsg_or_wkt)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def transformer(src=4326, dst=UTM48N):
    """A function (xs, ys) -> (xs, ys) as numpy arrays, lon/lat order for geographic CRSs."""
    ct = osr.CoordinateTransformation(_srs(src), _srs(dst))

    def run(xs, ys):
        xs, ys = np.atleast_1d(np.asarray(xs, float)), np.atleast_1d(np.asarray(ys, float))
        if xs.size == 0:
            return xs.copy(), ys.copy()
        out = np.asarray(ct.TransformPoints(np.column_stack([xs, ys]).tolist()), float)
        return out[:, 0], out[:, 1]
    return run


# --------------------------------------------------------------------------------------------------------------
# walk graph
# --------------------------------------------------------------------------------------------------------------

class WalkGraph:
    """The walkable street network: `graph` (networkx.Graph, weight = minutes), and its unique segments as arrays
    (ax, ay, bx, by in metres, u and v the graph nodes, length_m, minutes, speed_kmh) for snapping. `stats` counts
    what was kept and dropped."""

    def __init__(self, graph, segments, stats):
        self.graph = graph
        self.seg = segments
        self.stats = stats

    def snap(self, x, y):
        return snap(self.seg, x, y)

    def components(self):
        """node -> component index (0 = largest), and the component sizes in nodes, largest first."""
        comps = sorted(nx.connected_components(self.graph), key=len, reverse=True)
        label = {}
        for i, c in enumerate(comps):
            for n in c:
                label[n] = i
        return label, [len(c) for c in comps]

    def segment_components(self):
        label, sizes = self.components()
        return np.array([label[u] for u in self.seg["u"]], dtype=np.int64), sizes


def parse_tags(other_tags):
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in _TAG.findall(other_tags or "")}


def walk_speed(highway, tags, speeds):
    """km/h for a way, or None when it is not walkable (and the reason, for the stats)."""
    speed = speeds.get(highway)
    if speed is None:
        return None, f"highway={highway}"
    if speed <= 0:
        return None, f"highway={highway} (closed)"
    foot = tags.get("foot")
    if foot == "no":
        return None, "foot=no"
    if tags.get("access") in ("no", "private") and foot not in FOOT_ALLOWED:
        return None, f"access={tags['access']}"
    return speed, None


def build_walk_graph(pbf, speeds=WALK_SPEEDS_KMH, clip_bbox=None):
    """Walkable ways of the `lines` layer of `pbf` as a WalkGraph in UTM 48N metres. With clip_bbox
    (west, south, east, north) only segments with both ends inside the box are kept (for a model whose domain is
    that box); by default the whole of every way is kept."""
    ds = ogr.Open(str(pbf))
    layer = ds.GetLayerByName("lines")
    project = transformer(4326, UTM48N)
    stats = {"ways": 0, "kept": 0, "dropped": {}, "segments_zero_length": 0, "segments_repeated": 0}
    lon, lat, way_of, speed_of = [], [], [], []
    starts = []
    for feature in layer:
        highway = feature.GetField("highway")
        if not highway:
            continue
        stats["ways"] += 1
        speed, why = walk_speed(highway, parse_tags(feature.GetField("other_tags")), speeds)
        if speed is None:
            stats["dropped"][why] = stats["dropped"].get(why, 0) + 1
            continue
        geom = feature.GetGeometryRef()
        lines = [geom] if geom.GetGeometryType() in (ogr.wkbLineString, ogr.wkbLineString25D) else \
            [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())]
        for line in lines:
            pts = line.GetPoints()
            if not pts or len(pts) < 2:
                continue
            stats["kept"] += 1
            starts.append(len(lon))
            for p in pts:
                lon.append(p[0])
                lat.append(p[1])
            way_of.append(len(pts))
            speed_of.append(speed)
    ds = None
    lon, lat = np.array(lon), np.array(lat)
    x, y = project(lon, lat)
    # nodes: exact (lon, lat) of the vertices, as the OSM driver gives them (shared OSM nodes are identical)
    keys = {}
    node_id = np.empty(len(lon), dtype=np.int64)
    for i, k in enumerate(zip(lon.tolist(), lat.tolist())):
        node_id[i] = keys.setdefault(k, len(keys))
    node_xy = np.zeros((len(keys), 2))
    node_xy[node_id, 0], node_xy[node_id, 1] = x, y
    node_ll = np.zeros((len(keys), 2))
    node_ll[node_id, 0], node_ll[node_id, 1] = lon, lat

    best = {}  # (min node, max node) -> (minutes, speed)
    for start, count, speed in zip(starts, way_of, speed_of):
        for i in range(start, start + count - 1):
            u, v = int(node_id[i]), int(node_id[i + 1])
            if u == v:
                stats["segments_zero_length"] += 1
                continue
            if clip_bbox is not None:
                w, s, e, n = clip_bbox
                if not all(w <= node_ll[k, 0] <= e and s <= node_ll[k, 1] <= n for k in (u, v)):
                    continue
            length = math.hypot(node_xy[u, 0] - node_xy[v, 0], node_xy[u, 1] - node_xy[v, 1])
            minutes = length / (speed * 1000.0 / 60.0)
            key = (u, v) if u < v else (v, u)
            if key in best:
                stats["segments_repeated"] += 1
            if key not in best or minutes < best[key][0]:
                best[key] = (minutes, speed)
    return _assemble(best, node_xy, stats)


def walk_graph_from_segments(segments, speed_kmh=4.0):
    """A WalkGraph from ((x0, y0), (x1, y1)) segments in metres (for tests); equal coordinates are one node."""
    keys, best = {}, {}
    for a, b in segments:
        u = keys.setdefault((float(a[0]), float(a[1])), len(keys))
        v = keys.setdefault((float(b[0]), float(b[1])), len(keys))
        minutes = math.dist(a, b) / (speed_kmh * 1000.0 / 60.0)
        key = (u, v) if u < v else (v, u)
        if key not in best or minutes < best[key][0]:
            best[key] = (minutes, speed_kmh)
    return _assemble(best, np.array(list(keys), float).reshape(-1, 2), {})


def _assemble(best, node_xy, stats):
    graph = nx.Graph()
    keys_sorted = sorted(best)
    for (u, v) in keys_sorted:
        graph.add_edge(u, v, weight=best[(u, v)][0])
    u = np.array([k[0] for k in keys_sorted], dtype=np.int64)
    v = np.array([k[1] for k in keys_sorted], dtype=np.int64)
    seg = {
        "u": u, "v": v,
        "ax": node_xy[u, 0], "ay": node_xy[u, 1], "bx": node_xy[v, 0], "by": node_xy[v, 1],
        "length_m": np.hypot(node_xy[v, 0] - node_xy[u, 0], node_xy[v, 1] - node_xy[u, 1]),
        "minutes": np.array([best[k][0] for k in keys_sorted]),
        "speed_kmh": np.array([best[k][1] for k in keys_sorted]),
    }
    stats["nodes"] = graph.number_of_nodes()
    stats["edges"] = graph.number_of_edges()
    stats["length_km"] = float(seg["length_m"].sum() / 1000.0)
    return WalkGraph(graph, seg, stats)


# --------------------------------------------------------------------------------------------------------------
# schools
# --------------------------------------------------------------------------------------------------------------

def read_schools(pbf, amenity="school"):
    """amenity=<amenity> features of the points and multipolygons layers: a list of dicts with layer, osm_id, name,
    lon, lat, x, y (UTM 48N metres); polygons are represented by ogr's PointOnSurface."""
    ds = ogr.Open(str(pbf))
    found = []
    for name in ("points", "multipolygons"):
        layer = ds.GetLayerByName(name)
        has_amenity = layer.GetLayerDefn().GetFieldIndex("amenity") >= 0
        for f in layer:
            value = f.GetField("amenity") if has_amenity else parse_tags(f.GetField("other_tags")).get("amenity")
            if value != amenity:
                continue
            geom = f.GetGeometryRef()
            point = geom if name == "points" else geom.PointOnSurface()
            osm_id = f.GetField("osm_id") if name == "points" else (f.GetField("osm_id") or f.GetField("osm_way_id"))
            found.append({"layer": name, "osm_id": osm_id, "name": f.GetField("name"),
                          "lon": point.GetX(), "lat": point.GetY()})
    ds = None
    xs, ys = transformer(4326, UTM48N)([s["lon"] for s in found], [s["lat"] for s in found])
    for s, x, y in zip(found, xs, ys):
        s["x"], s["y"] = float(x), float(y)
    return found


# --------------------------------------------------------------------------------------------------------------
# snapping and the reference search
# --------------------------------------------------------------------------------------------------------------

def snap(graph_edges, x, y, chunk=256):
    """Nearest point on any segment of graph_edges (WalkGraph.seg, or a WalkGraph) for each (x, y):
    (segment index, fraction along the segment from its u end, distance in metres), as numpy arrays."""
    seg = graph_edges.seg if isinstance(graph_edges, WalkGraph) else graph_edges
    x, y = np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))
    ax, ay = seg["ax"][None, :], seg["ay"][None, :]
    dx, dy = (seg["bx"] - seg["ax"])[None, :], (seg["by"] - seg["ay"])[None, :]
    len2 = dx * dx + dy * dy
    index = np.empty(x.size, dtype=np.int64)
    frac = np.empty(x.size)
    dist = np.empty(x.size)
    for s in range(0, x.size, chunk):
        px, py = x[s:s + chunk, None], y[s:s + chunk, None]
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / len2, 0.0, 1.0)
        d2 = (ax + t * dx - px) ** 2 + (ay + t * dy - py) ** 2
        k = np.argmin(d2, axis=1)
        rows = np.arange(k.size)
        index[s:s + chunk], frac[s:s + chunk], dist[s:s + chunk] = k, t[rows, k], np.sqrt(d2[rows, k])
    return index, frac, dist


def _kmh_to_m_per_min(kmh):
    return kmh * 1000.0 / 60.0


def reference_minutes(walk, points, schools, offroad_kmh, point_snaps=None):
    """Walking minutes from each point to the nearest school over `walk` (a WalkGraph).

    points, schools: (n, 2) arrays of UTM 48N metres (or lists of (x, y)). Each school enters the graph at its snap
    point, walking the snap distance at offroad_kmh; the snapped segment is split there (several schools on one
    segment split it in order). Each point leaves the graph at its snap point: snap distance at offroad_kmh, plus the
    way along its (split) segment to the nearer end in time. inf where no school is connected. point_snaps: the
    result of snap() for these points, when already computed."""
    points = np.asarray(points, float).reshape(-1, 2)
    schools = np.asarray(schools, float).reshape(-1, 2)
    seg = walk.seg
    offroad = _kmh_to_m_per_min(offroad_kmh)
    graph = walk.graph.copy()

    # split the segments that schools snap onto
    s_index, s_frac, s_dist = snap(seg, schools[:, 0], schools[:, 1])
    on_segment = {}  # segment index -> sorted [(fraction, node)], including both ends
    source = ("source",)
    graph.add_node(source)
    for i, (k, t, d) in enumerate(zip(s_index.tolist(), s_frac.tolist(), s_dist.tolist())):
        node = ("school", i)
        on_segment.setdefault(k, []).append((t, node))
        graph.add_edge(source, node, weight=d / offroad)
    for k, inner in on_segment.items():
        u, v = int(seg["u"][k]), int(seg["v"][k])
        chain = [(0.0, u)] + sorted(inner, key=lambda p: (p[0], p[1][1])) + [(1.0, v)]
        minutes = float(seg["minutes"][k])
        graph.remove_edge(u, v)
        for (ta, a), (tb, b) in zip(chain, chain[1:]):
            w = (tb - ta) * minutes
            if graph.has_edge(a, b):  # only possible between school nodes at the same fraction: keep the smaller
                w = min(w, graph[a][b]["weight"])
            graph.add_edge(a, b, weight=w)
        on_segment[k] = chain

    dist = nx.single_source_dijkstra_path_length(graph, source, weight="weight")

    if point_snaps is None:
        point_snaps = snap(seg, points[:, 0], points[:, 1])
    p_index, p_frac, p_dist = point_snaps
    out = np.full(points.shape[0], np.inf)
    for i, (k, t, d) in enumerate(zip(p_index.tolist(), p_frac.tolist(), p_dist.tolist())):
        minutes = float(seg["minutes"][k])
        chain = on_segment.get(k) or [(0.0, int(seg["u"][k])), (1.0, int(seg["v"][k]))]
        # the piece of the chain holding t
        j = 0
        while j + 2 < len(chain) and chain[j + 1][0] < t:
            j += 1
        (ta, a), (tb, b) = chain[j], chain[j + 1]
        best = min(dist.get(a, math.inf) + max(t - ta, 0.0) * minutes,
                   dist.get(b, math.inf) + max(tb - t, 0.0) * minutes)
        out[i] = best + d / offroad
    return out


def school_positions(schools):
    return np.array([[s["x"], s["y"]] for s in schools], float).reshape(-1, 2)
