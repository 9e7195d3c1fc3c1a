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


def wider_halo(record, halo, cell_m):
    """The halo that proves what this try did not: rim + the longest unproved time's reach at the proof's pace (in cells),
    when every such cell has a time; twice the halo when one is unreachable in the tile (its reach is unknown)."""
    need = 0
    for s in record["services"]:
        if not s["unproven"]:
            continue
        longest, pace = s["longest_unproven_min"], s["pace_min_per_m"]
        if not math.isfinite(longest) or not pace > 0:
            return max(2 * halo, need)
        need = max(need, record["rim"] + math.ceil(longest / (0.999 * pace) / cell_m) + 2)
    return max(need, halo + 1)


def _why(record):
    """What a try did not prove, per service: cells, and the longest time among them (or that one is unreachable)."""
    parts = []
    for s in record["services"]:
        if s["unproven"]:
            longest = s["longest_unproven_min"]
            parts.append(f"{s['service']} {s['unproven']} cell(s) not proved ("
                         + (f"up to {longest:.0f} min" if math.isfinite(longest) else "some unreachable in the tile") + ")")
    return "; ".join(parts)


def _split_entries():
    return {SPLIT_JSON, "tiles"}


def _is_split_output(folder):
    """A folder this command wrote: split.json, tiles/ and the mosaics, nothing else."""
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    return SPLIT_JSON in names and all(n in _split_entries() or n.endswith(".vrt") for n in names)


def split(args, argv=None):
    import accessplan
    from distributed import as_completed
    from osgeo import gdal

    from accessplan.dask import _Refused, _check_scenarios, _connect, _error, _record, remove_abandoned_staging

    gdal.UseExceptions()
    _check_scenarios([args.scenario])
    scenario = os.path.abspath(args.scenario)
    out = os.path.abspath(args.out)
    try:
        grid = accessplan._core._analysis_grid(scenario)
    except accessplan.InputError as e:
        raise _Refused(str(e))
    if os.path.lexists(out) and not (args.overwrite and _is_split_output(out)):
        raise _Refused(f"{args.out}: already exists; give another --out, or --overwrite to replace a split run's folder "
                       f"(one holding only split.json, tiles/ and the .vrt mosaics)" if not args.overwrite else
                       f"{args.out}: --overwrite replaces only a split run's folder (split.json, tiles/ and the .vrt "
                       f"mosaics, nothing else), and this one holds other files; give another --out")
    cols, rows = grid["cols"], grid["rows"]
    cell_m = min(grid["cell_width_m"], grid["cell_height_m"])
    first_halo = max(1, math.ceil(args.halo_km * 1000.0 / cell_m))
    cores = tile_cores(cols, rows, args.tile_cells)
    parent, name = os.path.dirname(out), os.path.basename(out)
    os.makedirs(parent, exist_ok=True)
    remove_abandoned_staging([(parent, name)])
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
        done = 0
        for future in pending:
            k, halo = futures.pop(future)
            record = _record(future, args.scenario)
            if not record["ok"]:
                failure = failure or (record["code"], record["message"])
                print(f"tile {tiles[k]['tile']}: failed (exit code {record['code']}): "
                      f"{record['message'].splitlines()[0] if record['message'] else ''}", file=sys.stderr, flush=True)
                continue
            unproven = sum(s["unproven"] for s in record["services"])
            tiles[k]["tries"].append({"window": list(record["window"]), "halo_cells": halo, "rim_cells": record["rim"],
                                      "unproven": {s["service"]: s["unproven"] for s in record["services"]},
                                      "seconds": round(record["seconds"], 2)})
            window = record["window"]
            whole = window[2] == cols and window[3] == rows
            if unproven and not whole:  # (unproven: cells summed over the services)
                wider = wider_halo(record, halo, cell_m)
                print(f"tile {tiles[k]['tile']}: with a halo of {halo} cells, {_why(record)}: again with {wider} cells"
                      + (" (the whole grid)" if window_of(cores[k], wider, cols, rows) == (0, 0, cols, rows) else ""),
                      file=sys.stderr, flush=True)
                future, halo = submit(k, wider)
                futures[future] = (k, halo)
                pending.add(future)
                continue
            if unproven:  # (the whole grid proves every cell: split.hpp)
                failure = failure or (EXIT_FAILURE, f"internal error: tile {tiles[k]['tile']} on the whole grid left "
                                                    f"{unproven} cell(s) unproved")
                continue
            done += 1
            print(f"[{done}/{len(cores)}] tile {tiles[k]['tile']}: proved with a halo of {halo} cells in "
                  f"{record['seconds']:.1f} s on {record.get('worker') or '?'}", file=sys.stderr, flush=True)
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
        "outputs": "per service: travel_time_<service>.vrt and nearest_<service>.vrt, mosaics of tiles/*/ (each tile's "
                   "core only); every cell proved equal to `accessplan run`'s rasters of the same name",
        "not_split": "the run's figures, tables, maps, report, E2SFCA, gaps and ranking: `accessplan run` computes them "
                     "on the whole grid",
        "seconds": round(time.monotonic() - started, 1),
    }
    with open(os.path.join(staging, SPLIT_JSON), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1, ensure_ascii=False)
        f.write("\n")
    if os.path.lexists(out):  # --overwrite of a split run's folder (checked above)
        old = os.path.join(parent, f".{name}.old-{os.getpid()}")
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, out)
    tries = sum(len(t["tries"]) for t in tiles)
    on_whole_grid = sum(1 for t in tiles if t["tries"][-1]["window"] == [0, 0, cols, rows])
    if len(tiles) > 1 and on_whole_grid * 2 > len(tiles):
        print(f"accessplan.dask split: note: {on_whole_grid} of {len(tiles)} tiles needed the whole grid to prove their cells "
              f"(facilities far from some cells); for this scenario one `accessplan run` searches no more",
              file=sys.stderr, flush=True)
    print(f"Outputs: {out} ({len(tiles)} tile(s), {tries} search(es), {time.monotonic() - started:.1f} s)", flush=True)
    return EXIT_OK
