"""One large run's travel times split into tiles, each a Dask task (docs/distributed.md, "One large run in tiles").

    python3 -m accessplan.dask split SCENARIO.yaml --out DIR (--local N | --scheduler ADDRESS | --scheduler-file F)
                                  [--tile-cells 2000] [--halo-km 20] [--overwrite] [--retries 2]

The scenario's analysis grid is cut into square cores of --tile-cells cells; each task reads the scenario's inputs on
its core and a halo around it and searches every service's travel time there (accessplan._core._run_tile,
scenarios/split.hpp). A tile keeps a core cell only when it proves that the whole grid's search gives the same time and
nearest facility; a tile with cells it cannot prove is searched again with a wider halo (up to the whole grid, which
proves every cell), so the mosaic equals `accessplan run` cell for cell. DIR gets, per service, travel_time_<service>.vrt
and nearest_<service>.vrt (GDAL virtual mosaics of the tiles' Cloud-Optimized GeoTIFFs under tiles/) and split.json
(the grid, every tile's window, halo, tries and time, and what the split leaves to `accessplan run`).
"""

import json
import math
import os
import shutil
import socket
import sys
import time

EXIT_OK, EXIT_FAILURE, EXIT_INPUT = 0, 1, 3
SPLIT_JSON = "split.json"


def split_tile_task(scenario, tile_dir, window, core):
    """The task: one tile's travel times into tile_dir (made here). Returns the tile's record (accessplan._core._run_tile)
    with ok, or, for bad input (a retry cannot mend it), ok False, code 3 and the message; other errors are raised so
    that Dask retries the task. Writing the same files again is harmless (each is written whole, then renamed)."""
    import accessplan
    from accessplan.dask import _worker_address

    os.makedirs(tile_dir, exist_ok=True)
    trimmed = "MALLOC_TRIM_THRESHOLD_" in os.environ  # (as run_scenario_task: Dask's heap setting, module.cpp)
    if trimmed:
        accessplan._core._worker_malloc_settings()
    info = {"host": socket.gethostname(), "pid": os.getpid(), "worker": _worker_address()}
    try:
        record = accessplan._core._run_tile(scenario, tile_dir, tuple(window), tuple(core))
    except accessplan.InputError as e:
        return dict(info, ok=False, code=EXIT_INPUT, message=str(e))
    finally:
        if trimmed:
            accessplan._core._release_free_memory()
    return dict(info, ok=True, **record)


def tile_cores(cols, rows, size):
    """Square cores of `size` cells covering the grid, row by row (the last ones of a row or column smaller)."""
    return [(c, r, min(size, cols - c), min(size, rows - r)) for r in range(0, rows, size) for c in range(0, cols, size)]


def window_of(core, halo, cols, rows):
    """The core with `halo` cells on each side, cut to the grid."""
    c0, r0 = max(0, core[0] - halo), max(0, core[1] - halo)
    c1, r1 = min(cols, core[0] + core[2] + halo), min(rows, core[1] + core[3] + halo)
    return (c0, r0, c1 - c0, r1 - r0)


def wider_halo(record, halo, cell_m, unproven):
    """The halo that proves what this try did not (`unproven`: per service, the reached cells not proved and the
    unreached ones left): rim + the longest unproved time's reach at the proof's pace (in cells); twice the halo when an
    unreached cell is left (its reach is unknown)."""
    need = 0
    for s in record["services"]:
        reached, unreached = unproven[s["service"]]
        pace = s["pace_min_per_m"]
        if unreached or (reached and not pace > 0):
            need = max(need, 2 * halo)
        if reached and pace > 0:  # (also with unreached cells: the reached ones' reach may be wider still)
            need = max(need, record["rim"] + math.ceil(s["longest_unproven_min"] / (0.999 * pace) / cell_m) + 2)
    return max(need, halo + 1)


def _why(record, unproven):
    """What a try did not prove, per service: cells, the longest time among the reached ones, the unreached ones."""
    parts = []
    for s in record["services"]:
        reached, unreached = unproven[s["service"]]
        if reached or unreached:
            why = ([f"reached, up to {s['longest_unproven_min']:.0f} min"] if reached else []) + \
                  ([f"{unreached} unreached in the tile but linked to its side"] if unreached else [])
            parts.append(f"{s['service']} {reached + unreached} cell(s) not proved ({'; '.join(why)})")
    return "; ".join(parts)


_NEIGHBOURS = [(dr, dc) for dr in range(-2, 3) for dc in range(-2, 3)
               if (dr, dc) != (0, 0) and abs(dr) + abs(dc) <= 3 and (dr, dc) != (0, 2) and (dr, dc) != (0, -2)
               and (dr, dc) != (2, 0) and (dr, dc) != (-2, 0)]
assert len(_NEIGHBOURS) == 16


def joined_components(cores, records, service, cols, rows):
    """The components of the whole grid's passable cells for `service` from the tiles' own (scenarios/split.hpp):
    labels joined where one of the search's 16 moves links cells of two cores, read from the cores' outer two rows and
    columns.
    Returns `reachable(k, labels)`: whether a component of tile k's labels holds a facility or a ferry end; None when a
    tile gave no components (a road network, a halo narrower than the rim) or a core is under 2 x 2 cells."""
    import numpy as np

    comps = []
    for record in records:
        s = next(x for x in record["services"] if x["service"] == service)
        if "components" not in s:
            return None
        comps.append(s["components"])
    if any(core[2] < 2 or core[3] < 2 for core in cores):
        return None
    parent = {}

    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def gid(k, labels, shape):
        a = np.asarray(labels, dtype=np.int64).reshape(shape)
        return np.where(a >= 0, (k << 32) + a, -1)

    def join(strip):
        height, width = strip.shape
        for dr, dc in _NEIGHBOURS:
            if dr < 0 or (dr == 0 and dc < 0):
                continue  # (each pair once)
            c0, c1 = max(0, -dc), width - max(0, dc)
            if dr >= height or c0 >= c1:
                continue
            def at(down, right):  # the strip moved by (down, right) over the cells a move starts from
                return strip[down:down + height - dr, c0 + right:c1 + right]
            a, b = at(0, 0), at(dr, dc)
            both = (a >= 0) & (b >= 0) & ((a >> 32) != (b >> 32))
            if abs(dr) == 2:  # a knight's move: the two cells it passes between passable too (travel_time.hpp)
                both &= (at(dr // 2, 0) >= 0) & (at(dr // 2, dc) >= 0)
            if abs(dc) == 2:
                both &= (at(0, dc // 2) >= 0) & (at(dr, dc // 2) >= 0)
            if both.any():
                for x, y in np.unique(np.stack([a[both], b[both]], axis=1), axis=0):
                    rx, ry = find(int(x)), find(int(y))
                    if rx != ry:
                        parent[rx] = ry

    for edge in sorted({core[1] for core in cores})[1:]:  # between rows of tiles
        strip = np.full((4, cols), -1, dtype=np.int64)
        for k, (c0, r0, w, h) in enumerate(cores):
            if r0 + h == edge:
                strip[0:2, c0:c0 + w] = gid(k, comps[k]["bottom"], (2, w))
            elif r0 == edge:
                strip[2:4, c0:c0 + w] = gid(k, comps[k]["top"], (2, w))
        join(strip)
    for edge in sorted({core[0] for core in cores})[1:]:  # between columns of tiles
        strip = np.full((rows, 4), -1, dtype=np.int64)
        for k, (c0, r0, w, h) in enumerate(cores):
            if c0 + w == edge:
                strip[r0:r0 + h, 0:2] = gid(k, comps[k]["right"], (h, 2))
            elif c0 == edge:
                strip[r0:r0 + h, 2:4] = gid(k, comps[k]["left"], (h, 2))
        join(strip)
    held = {find((k << 32) + label) for k, c in enumerate(comps) for label in c["sources"]}
    return lambda k, labels: any(find((k << 32) + label) in held for label in labels)


def split(args, argv=None):
    import accessplan
    from distributed import as_completed
    from osgeo import gdal

    from accessplan.dask import _Refused, _check_outputs, _check_scenarios, _connect, _error, _record

    gdal.UseExceptions()
    _check_scenarios([args.scenario])
    scenario = os.path.abspath(args.scenario)
    out = os.path.abspath(args.out)
    try:
        grid = accessplan._core._analysis_grid(scenario)
    except accessplan.InputError as e:
        raise _Refused(str(e))
    # As `accessplan run`: an existing folder only with --overwrite, and then only one accessplan wrote (its
    # .accessplan-outputs lists every file unchanged) holding no input of the scenario.
    _check_outputs([scenario], [out], args.overwrite)
    cols, rows = grid["cols"], grid["rows"]
    cell_m = min(grid["cell_width_m"], grid["cell_height_m"])
    first_halo = max(1, math.ceil(args.halo_km * 1000.0 / cell_m))
    cores = tile_cores(cols, rows, args.tile_cells)
    parent, name = os.path.dirname(out), os.path.basename(out)
    staging = os.path.join(parent, f".{name}.tmp-{os.getpid()}-0@{socket.gethostname()}")
    os.makedirs(os.path.join(staging, "tiles"))

    client, cluster = _connect(args)
    started = time.monotonic()
    tiles = [{"tile": f"r{core[1]}_c{core[0]}", "core": list(core), "tries": []} for core in cores]
    failure = None
    try:
        workers = client.scheduler_info().get("workers", {})
        where = f"LocalCluster of {args.local} worker process(es) on 127.0.0.1" if cluster else client.scheduler.address
        print(f"accessplan.dask split: {cols} x {rows} cells in {len(cores)} tile(s) of up to {args.tile_cells} x "
              f"{args.tile_cells}, first halo {first_halo} cells ({args.halo_km:g} km), on {where}, {len(workers)} "
              f"worker(s)", file=sys.stderr, flush=True)

        def submit(k, halo):
            window = window_of(cores[k], halo, cols, rows)
            tile_dir = os.path.join(staging, "tiles", tiles[k]["tile"])
            future = client.submit(split_tile_task, scenario, tile_dir, window, cores[k], retries=args.retries, pure=False)
            return future, halo

        pending = as_completed()
        futures = {}
        for k in range(len(cores)):
            future, halo = submit(k, first_halo)
            futures[future] = (k, halo)
            pending.add(future)
        first = [None] * len(cores)  # each tile's first try (their components are joined once all are in)
        joined = {}  # per service: joined_components(...), or None
        waiting = []  # tries with unreached cells the joined components may prove
        done = 0

        def settle(k, halo, record):
            """Keeps tile k's try; searches it again wider if cells are left unproved, else counts it done."""
            nonlocal done, failure
            unproven, proved = {}, {}
            for s in record["services"]:
                unreached = s["unreachable_unproven"]
                reachable = joined.get(s["service"])
                if unreached and reachable is not None and not reachable(k, s["components"]["unreached"]):
                    proved[s["service"]], unreached = unreached, 0  # (components without a facility: split.hpp)
                unproven[s["service"]] = (s["unproven"] - s["unreachable_unproven"], unreached)
            tiles[k]["tries"].append({"window": list(record["window"]), "halo_cells": halo, "rim_cells": record["rim"],
                                      "unproven": {name: sum(n) for name, n in unproven.items()},
                                      "unreached_proved_by_components": proved,
                                      "seconds": round(record["seconds"], 2)})
            left = sum(sum(n) for n in unproven.values())
            window = record["window"]
            if left and not (window[2] == cols and window[3] == rows):
                wider = wider_halo(record, halo, cell_m, unproven)
                whole_grid = window_of(cores[k], wider, cols, rows) == (0, 0, cols, rows)
                print(f"tile {tiles[k]['tile']}: with a halo of {halo} cells, {_why(record, unproven)}: again with "
                      f"{wider} cells" + (" (the whole grid)" if whole_grid else ""), file=sys.stderr, flush=True)
                future, wider = submit(k, wider)
                futures[future] = (k, wider)
                pending.add(future)
            elif left:  # (the whole grid proves every cell: split.hpp)
                failure = failure or (EXIT_FAILURE, f"internal error: tile {tiles[k]['tile']} on the whole grid left "
                                                    f"{left} cell(s) unproved")
            else:
                done += 1
                print(f"[{done}/{len(cores)}] tile {tiles[k]['tile']}: proved with a halo of {halo} cells in "
                      f"{record['seconds']:.1f} s on {record.get('worker') or '?'}", file=sys.stderr, flush=True)

        for future in pending:
            k, halo = futures.pop(future)
            record = _record(future, args.scenario)
            if not record["ok"]:
                failure = failure or (record["code"], record["message"])
                print(f"tile {tiles[k]['tile']}: failed (exit code {record['code']}): "
                      f"{record['message'].splitlines()[0] if record['message'] else ''}", file=sys.stderr, flush=True)
                continue
            if first[k] is None:
                first[k] = record
            if not joined and any(s["unreachable_unproven"] and "components" in s for s in record["services"]):
                waiting.append((k, halo, record))
            else:
                settle(k, halo, record)
            if not joined and all(first) and not failure:
                for service in grid["services"]:
                    joined[service] = joined_components(cores, first, service, cols, rows)
                said = ", ".join(f"{name}: " + ("joined" if j else "not given by every tile")
                                 for name, j in joined.items())
                print(f"accessplan.dask split: the tiles' components of passable cells ({said})", file=sys.stderr,
                      flush=True)
                for w in waiting:
                    settle(*w)
                waiting = []
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if failure:
        shutil.rmtree(staging, ignore_errors=True)
        code, message = failure
        _error(message if message.startswith(args.scenario) or message.startswith(scenario)
               else f"{args.scenario}: {message}")
        print(f"{args.scenario}: failed, nothing written (its error is above, on standard error)", flush=True)
        return code

    try:
        # The mosaics: one virtual raster per service and kind over the tiles' cores (paths relative to DIR).
        for service in grid["services"]:
            for kind in ("travel_time", "nearest"):
                sources = [os.path.join("tiles", t["tile"], f"{kind}_{service}.tif") for t in tiles]
                here = os.getcwd()
                try:
                    os.chdir(staging)
                    tile = gdal.Open(sources[0])
                    vrt = gdal.BuildVRT(f"{kind}_{service}.vrt", sources)
                    band, first = vrt.GetRasterBand(1), tile.GetRasterBand(1)
                    band.SetDescription(first.GetDescription())
                    band.SetUnitType(first.GetUnitType())
                    vrt.FlushCache()
                    vrt = tile = None
                finally:
                    os.chdir(here)
        summary = {
            "scenario_file": scenario,
            "grid": {"cols": cols, "rows": rows, "transform": list(grid["transform"]), "crs_wkt": grid["crs_wkt"]},
            "tile_cells": args.tile_cells,
            "first_halo_cells": first_halo,
            "tiles": tiles,
            "services": grid["services"],
            "outputs": "per service: travel_time_<service>.vrt and nearest_<service>.vrt, mosaics of tiles/*/ (each "
                       "tile's core only); every cell proved equal to `accessplan run`'s rasters of the same name",
            "not_split": "the run's figures, tables, maps, report, E2SFCA, gaps and ranking: `accessplan run` computes "
                         "them on the whole grid",
            "seconds": round(time.monotonic() - started, 1),
        }
        with open(os.path.join(staging, SPLIT_JSON), "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1, ensure_ascii=False)
            f.write("\n")
        if os.path.lexists(out):  # --overwrite of a folder accessplan wrote (checked above, and again now)
            _check_outputs([scenario], [out], True)
        accessplan._core._move_into_place(staging, out, args.overwrite)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    tries = sum(len(t["tries"]) for t in tiles)
    on_whole_grid = sum(1 for t in tiles if t["tries"][-1]["window"] == [0, 0, cols, rows])
    if len(tiles) > 1 and on_whole_grid * 2 > len(tiles):
        print(f"accessplan.dask split: note: {on_whole_grid} of {len(tiles)} tiles needed the whole grid to prove their cells "
              f"(facilities far from some cells); for this scenario one `accessplan run` searches no more",
              file=sys.stderr, flush=True)
    print(f"Outputs: {out} ({len(tiles)} tile(s), {tries} search(es), {time.monotonic() - started:.1f} s)", flush=True)
    return EXIT_OK
