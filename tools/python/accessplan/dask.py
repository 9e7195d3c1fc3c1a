"""Scenario files as tasks on a Dask cluster (Dask distributed; docs/distributed.md).

    python3 -m accessplan.dask run SCENARIO.yaml... [--out DIR] (--scheduler tcp://HOST:8786 | --scheduler-file F | --local N)
                                [--overwrite] [--lang en|vi] [--retries 2]
    python3 -m accessplan.dask split SCENARIO.yaml --out DIR (...) [--tile-cells 2000] [--halo-km 20]   (accessplan/split.py)

Each scenario file is one task: a worker process runs it with accessplan.Session().run into the same results folder
`accessplan run SCENARIO... --out DIR` would write (with one file, DIR itself; with several, DIR/<file name>), through
the same staging folder swapped in when complete, so a folder is either complete or absent. Everything is checked
before anything is submitted, as the CLI does: every scenario file and its inputs (as `accessplan validate`), and
every output folder (refused when it exists, unless --overwrite, which replaces only folders accessplan wrote).
A scenario that fails does not stop the others. Exit codes as the CLI's: 0 all done, 1 a processing or I/O failure,
2 usage error, 3 invalid input (the CLI's message, word for word), 130 interrupted.

Dask itself (python3-distributed) is imported only when a run starts: `import accessplan.dask` works without it.
"""

import argparse
import json
import math
import os
import shlex
import signal
import socket
import sys
import time

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

# geodata::outputs_manifest (geodata/include/accessplan/geodata/output.hpp): the list of the files accessplan wrote.
OUTPUTS_MANIFEST = ".accessplan-outputs"


class _Refused(Exception):
    """A problem found before anything is submitted: the message to print and the exit code."""

    def __init__(self, message, code=EXIT_INPUT):
        super().__init__(message)
        self.code = code


def _error(message):
    print(f"accessplan: error: {message}", file=sys.stderr, flush=True)


# --- what runs on a worker -------------------------------------------------------------------------------------------

def run_scenario_task(scenario, out_dir, overwrite=False, lang="en", fresh=True, command_line=None):
    """The task: runs one scenario file (an absolute path) into out_dir on this worker, as `accessplan run` does.

    Returns a dict: ok, and either seconds and warnings, or (an InputError: bad input, which a retry cannot mend) code 3
    and the CLI's message. Other errors (accessplan.IoError, out of memory, ...) are raised, so that Dask retries the
    task (submit's retries) before it reports them. `fresh` says that out_dir did not exist when the run was checked:
    then a folder there that is this scenario's complete results was committed by an earlier attempt of this task
    whose worker was lost before it could report (the staging folder is renamed into place before the task returns),
    and the task reports it done instead of refusing the folder. `command_line` goes into run.json."""
    import accessplan

    info = {"scenario": scenario, "out_dir": out_dir, "host": socket.gethostname(), "pid": os.getpid(),
            "worker": _worker_address()}
    start = time.monotonic()
    if fresh and not overwrite and _complete_results(out_dir, scenario):
        return dict(info, ok=True, seconds=0.0, warnings=None, note="completed by an earlier attempt")
    # Dask's workers start with MALLOC_TRIM_THRESHOLD_ set, which made writing outputs 4x slower (module.cpp).
    trimmed = "MALLOC_TRIM_THRESHOLD_" in os.environ
    if trimmed:
        accessplan._core._worker_malloc_settings()
    try:
        result = accessplan.Session().run(scenario, out_dir, overwrite=overwrite, lang=lang, command_line=command_line)
    except accessplan.InputError as e:
        if fresh and not overwrite and _complete_results(out_dir, scenario):
            return dict(info, ok=True, seconds=time.monotonic() - start, warnings=None,
                        note="completed by an attempt running at the same time")
        return dict(info, ok=False, code=EXIT_INPUT, message=str(e))
    finally:
        if trimmed:
            accessplan._core._release_free_memory()
    return dict(info, ok=True, seconds=time.monotonic() - start, warnings=len(result["warnings"]), note="")


def _worker_address():
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):  # (not in a worker: called directly)
        return ""


def _complete_results(out_dir, scenario):
    """True when out_dir holds a complete results folder of `scenario`: its outputs list names every file accessplan
    wrote, each is there with its size, and run.json names the scenario file."""
    try:
        with open(os.path.join(out_dir, OUTPUTS_MANIFEST), encoding="utf-8") as f:
            lines = [line.rstrip("\n") for line in f if line.strip()]
        for line in lines:
            size, _, path = line.split("\t", 2)
            if os.path.getsize(os.path.join(out_dir, path)) != int(size):
                return False
        with open(os.path.join(out_dir, "run.json"), encoding="utf-8") as f:
            return json.load(f).get("scenario_file") == scenario and any(line.endswith("\trun.json") for line in lines)
    except (OSError, ValueError):
        return False


def remove_abandoned_staging(folders):
    """Removes the staging folders ".<name>.tmp-<pid>-<n>@<host>" of (parent, name) pairs that accessplan processes of
    this machine left when they died (a worker killed mid-task) and returns their paths, by the rule geodata's
    OutputFolder applies when it starts a folder (accessplan._core._remove_abandoned_staging): only names of this
    machine whose process no longer runs; those of running processes and of other machines are left. Run on every
    worker at the end of a run, since a retry on another machine does not remove them."""
    from accessplan import _core

    removed = []
    for parent, name in folders:
        removed.extend(str(p) for p in _core._remove_abandoned_staging(parent, name))
    return removed


# --- the client -------------------------------------------------------------------------------------------------------

def _parser():
    p = argparse.ArgumentParser(
        prog="python3 -m accessplan.dask",
        description="Run accessplan scenario files as tasks on a Dask cluster: one task per file, each writing the "
                    "results folder `accessplan run` writes.",
        epilog="Workers must see the scenario files, their inputs and the output folder under the same absolute paths "
               "as this machine (a shared file system), and import accessplan (PYTHONPATH or an installed package). "
               "Exit codes: 0 all done, 1 processing or I/O failure, 2 usage error, 3 invalid input, 130 interrupted. "
               "See docs/distributed.md.")
    sub = p.add_subparsers(dest="command", required=True, metavar="run|split")
    run = sub.add_parser(
        "run", help="run scenario files, one Dask task each",
        description="Run scenario files, one Dask task each, into the results folders `accessplan run` writes.",
        epilog="Example: python3 -m accessplan.dask run demo/scenarios/*.yaml --out results --local 2\n"
               "Example: python3 -m accessplan.dask run /shared/sc/*.yaml --out /shared/results --scheduler tcp://node1:8786\n\n"
               "With --scheduler, every worker must see the scenario files, their inputs and --out under the same absolute "
               "paths as this machine (a shared file system mounted at the same place), and import accessplan.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario YAML file(s)")
    run.add_argument("--out", default="",
                     help="with one file: its results folder (default: <file name>-results); with several: the folder "
                          "holding one results folder per file, OUT/<file name> (default: <file name>-results each); as "
                          "`accessplan run --out`")
    _cluster_arguments(run, "scenario")
    run.add_argument("--overwrite", action="store_true",
                     help="replace existing results, only folders accessplan wrote with no file changed or added since "
                          "(as `accessplan --overwrite run`)")
    run.add_argument("--lang", choices=("en", "vi"), default="en", help="language of the maps and the report")
    _retries_argument(run)
    split = sub.add_parser(
        "split", help="one scenario's travel times in tiles, one Dask task each",
        description="Search one scenario's travel times tile by tile, each tile a Dask task, into mosaics equal to "
                    "`accessplan run`'s travel_time_<service>.tif and nearest_<service>.tif, cell for cell: a tile keeps "
                    "only the cells it proves, and is searched again with a wider halo until it proves all.",
        epilog="Example: python3 -m accessplan.dask split national.yaml --out national-split --local 2\n\n"
               "The scenario must have no modifications (a what-if runs whole). The figures, tables, maps and "
               "report stay `accessplan run`'s. See docs/distributed.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    split.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    split.add_argument("--out", required=True, metavar="DIR",
                       help="the folder to write: per service travel_time_<service>.vrt and nearest_<service>.vrt, "
                            "tiles/ and split.json")
    _cluster_arguments(split, "tile")
    split.add_argument("--tile-cells", type=_tile_cells, default=2000, metavar="N",
                       help="side of a tile's core in cells, 10 or more (default 2000: 200 km at 100 m cells, 400 km at 200 m)")
    split.add_argument("--halo-km", type=_kilometres, default=20.0, metavar="KM",
                       help="the first halo around each core, more than 0 (default 20; in cells: km / cell size); a "
                            "tile that cannot prove every cell is searched again with the halo its longest unproved "
                            "time needs")
    split.add_argument("--overwrite", action="store_true",
                       help="replace DIR when it is a split run's folder (split.json, tiles/, .vrt files only)")
    _retries_argument(split)
    return p


def _cluster_arguments(parser, task):
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="a running Dask scheduler, e.g. tcp://node1:8786 (`dask scheduler`, with `dask worker "
                            "tcp://node1:8786 --nthreads 1` on each machine); its workers must see the same paths")
    where.add_argument("--scheduler-file", metavar="FILE",
                       help="the scheduler's address from the file `dask scheduler --scheduler-file FILE` wrote (on a "
                            "shared file system: a batch job's scheduler, docs/distributed.md \"SLURM\")")
    where.add_argument("--local", type=_processes, metavar="N",
                       help=f"start a Dask cluster of N worker processes on this machine (127.0.0.1 only), one "
                            f"{task} at a time each")


def _retries_argument(parser):
    parser.add_argument("--retries", type=_count, default=2, metavar="N",
                        help="times a task failing with an error other than bad input (an I/O error, ...) is run again "
                             "(default 2); a task whose worker dies is run again on another worker in any case")


def _kilometres(text):
    """--halo-km: a distance above 0."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0.0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}': write a distance in km above 0, e.g. 20")
    return value


def _tile_cells(text):
    """--tile-cells: 10 or more (each tile reads the scenario's inputs: smaller tiles read far more than they search)."""
    if not text.strip().isdigit() or int(text) < 10:
        raise argparse.ArgumentTypeError(f"'{text}': write a tile's side in cells, 10 or more (e.g. 2000)")
    return int(text)


def _count(text):
    """--retries: a whole number, 0 or more (argparse makes a refusal a usage error, exit code 2)."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of times: write 0, 1, 2, ...")
    return int(text)


def _processes(text):
    """--local: 1 or more worker processes."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}': write a number of worker processes, 1 or more (e.g. the cores)")
    return int(text)


def _targets(files, out):
    """The results folder of each file, as `accessplan run` names them (tools/commands/run.cpp)."""
    def stem(f):
        return os.path.splitext(os.path.basename(f))[0]
    if len(files) == 1:
        return [out if out else stem(files[0]) + "-results"]
    targets = []
    for f in files:
        target = os.path.join(out, stem(f)) if out else stem(f) + "-results"
        if target in targets:
            raise _Refused(f"{f}: another scenario of this run has the same file name, so the same output folder "
                           f"{target}; rename one of them")
        targets.append(target)
    return targets


def _check_scenarios(files):
    """Everything `accessplan validate` checks, with its messages, before anything is submitted."""
    import accessplan

    problems = []
    for f in files:
        try:
            accessplan.load_scenario(f)
        except accessplan.InputError as e:
            problems.append(str(e))
    if problems:
        raise _Refused("\n".join(problems))
    for f in files:
        problems.extend(accessplan.validate(f))
    if problems:
        raise _Refused(f"{len(problems)} problem(s) in the inputs:\n  " + "\n  ".join(problems))


def _check_outputs(files, targets, overwrite):
    """The output folders, as `accessplan run` checks them before running any scenario."""
    import accessplan

    try:
        accessplan._core._check_output_folders(targets, overwrite, files)
    except accessplan.InputError as e:
        raise _Refused(str(e))
    except accessplan.Error as e:
        raise _Refused(str(e), EXIT_FAILURE)


def _connect(args):
    """A distributed.Client: to --scheduler, or to a LocalCluster of --local N processes on 127.0.0.1."""
    import logging
    from distributed import Client, LocalCluster

    if args.local is not None:
        # The workers' scratch (Dask's lock files and spill space) in a folder of our own, removed at exit, not in a
        # shared /tmp/dask-worker-space.
        import atexit
        import shutil
        import tempfile
        scratch = tempfile.mkdtemp(prefix="accessplan-dask-")
        atexit.register(shutil.rmtree, scratch, True)
        # As the command-line tool starts itself (tools/main.cpp): malloc asks for transparent huge pages for every
        # large block, where the kernel gives them on request. Worker processes are new interpreters, which read the
        # tunable when they start; a GLIBC_TUNABLES that already names it is left as it is.
        tunables = os.environ.get("GLIBC_TUNABLES", "")
        if "glibc.malloc.hugetlb" not in tunables:
            os.environ["GLIBC_TUNABLES"] = f"{tunables}:glibc.malloc.hugetlb=1" if tunables else "glibc.malloc.hugetlb=1"
        cluster = LocalCluster(n_workers=args.local, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.ERROR, local_directory=scratch)
        return Client(cluster), cluster
    if args.scheduler_file and not os.path.isfile(args.scheduler_file):
        raise _Refused(f"{args.scheduler_file}: scheduler file not found; `dask scheduler --scheduler-file "
                       f"{args.scheduler_file}` writes it when it starts", EXIT_FAILURE)
    try:
        if args.scheduler_file:
            return Client(scheduler_file=args.scheduler_file, timeout="20s"), None
        import re
        if not re.fullmatch(r"(?:(?:tcp|tls)://)?(?:\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):\d{1,5}", args.scheduler):
            raise _Refused(f"--scheduler {args.scheduler}: not a scheduler address; write tcp://HOST:PORT, e.g. "
                           f"tcp://node1:8786 (as `dask scheduler` prints it)", EXIT_USAGE)
        return Client(args.scheduler, timeout="20s"), None
    except (OSError, TimeoutError, ValueError) as e:
        where = args.scheduler or f"the address in {args.scheduler_file}"
        raise _Refused(f"cannot reach the Dask scheduler at {where}: {e}; is `dask scheduler` running there, "
                       f"and is the address (tcp://HOST:PORT) right?", EXIT_FAILURE)


def _failure(file, exc):
    """(exit code, message) of a task that raised, as `accessplan run` reports the same error."""
    import accessplan

    if isinstance(exc, accessplan.InputError):
        return EXIT_INPUT, str(exc)
    if isinstance(exc, accessplan.Error):
        return EXIT_FAILURE, str(exc)
    if isinstance(exc, MemoryError):
        return EXIT_FAILURE, "out of memory; use a coarser cell size or a smaller area"
    if isinstance(exc, ImportError) and "accessplan" in str(exc):
        return EXIT_FAILURE, (f"{file}: a Dask worker cannot import accessplan ({exc}); start `dask worker` with "
                              f"PYTHONPATH=<accessplan>/build/python, or install accessplan on the workers' machines")
    name = type(exc).__name__
    if name == "KilledWorker":  # distributed.scheduler.KilledWorker: its workers kept dying (allowed-failures)
        return EXIT_FAILURE, (f"{file}: the Dask workers running it died {_allowed_failures()} times (killed, out of "
                              f"memory?); nothing written. The workers' logs say why")
    return EXIT_FAILURE, f"internal error: {name}: {exc}"


def _record(future, file):
    """A finished task's record; for one that raised, ok False with the exit code and message the CLI would give."""
    if future.status == "finished":
        return future.result()
    try:
        exc = future.exception()
    except Exception as e:  # noqa: BLE001 (cancelled: the scheduler lost it)
        exc = e
    code, message = _failure(file, exc)
    return {"ok": False, "code": code, "message": message}


def _allowed_failures():
    try:
        import dask.config
        return dask.config.get("distributed.scheduler.allowed-failures") + 1
    except Exception:  # noqa: BLE001 (only a number in a message)
        return "several"


def _workers_lost(client, future):
    """How many times a worker died while running the task (the scheduler's count, TaskState.suspicious); 0 when the
    scheduler cannot say. A lambda: pickled by value, so that the scheduler needs no accessplan to run it."""
    try:
        return int(client.run_on_scheduler(
            lambda key, dask_scheduler=None: getattr(dask_scheduler.tasks.get(key), "suspicious", 0), future.key))
    except Exception:  # noqa: BLE001 (only a note on the progress line)
        return 0


def _where(record):
    worker = record.get("worker") or "?"
    return f"{worker} ({record.get('host', '?')}, pid {record.get('pid', '?')})"


def run(args, argv=None):
    from distributed import as_completed

    files = list(args.scenarios)
    _check_scenarios(files)
    targets = _targets(files, args.out)
    _check_outputs(files, targets, args.overwrite)
    scenario_paths = [os.path.abspath(f) for f in files]  # the workers' working folder is not ours
    out_dirs = [os.path.abspath(t) for t in targets]
    fresh = [not os.path.exists(t) for t in out_dirs]
    # run.json's command: this one, and the task's file (a what-if's own file, as `accessplan run FILE` records it).
    command = " ".join(["python3 -m accessplan.dask"] + [shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])])

    parents = sorted({(os.path.dirname(d), os.path.basename(d)) for d in out_dirs})
    client, cluster = _connect(args)
    started = time.monotonic()
    results = [None] * len(files)
    try:
        workers = client.scheduler_info().get("workers", {})
        where = (f"LocalCluster of {args.local} worker process(es) on 127.0.0.1" if cluster
                 else client.scheduler.address)
        print(f"accessplan.dask: {len(files)} scenario(s) as tasks on {where}, {len(workers)} worker(s)"
              + ("" if workers else " (none yet: the tasks wait for `dask worker`)"), file=sys.stderr, flush=True)
        futures = {}
        for k, (scenario, out_dir) in enumerate(zip(scenario_paths, out_dirs)):
            future = client.submit(run_scenario_task, scenario, out_dir, args.overwrite, args.lang, fresh[k],
                                   f"{command} (Dask task: {scenario})", retries=args.retries, pure=False)
            futures[future] = k
        done = 0
        for future in as_completed(futures):
            k = futures[future]
            done += 1
            lost = _workers_lost(client, future)
            record = _record(future, files[k])
            results[k] = record
            label = f"[{done}/{len(files)}] {files[k]}"
            if record["ok"]:
                note = f"; {record['note']}" if record.get("note") else ""
                if lost:
                    note += f"; run again after {lost} worker(s) died running it"
                if record.get("warnings"):  # as `accessplan run -q` says them
                    note += f"; {record['warnings']} warning(s): summary.json and report.html list them"
                print(f"{label}: done in {record['seconds']:.1f} s on {_where(record)}{note}", file=sys.stderr, flush=True)
            else:
                first = record["message"].splitlines()[0] if record["message"] else ""
                on = f" on {_where(record)}" if "worker" in record else ""
                after = f" (after {lost} worker(s) died running it)" if lost else ""
                print(f"{label}: failed{on}{after} (exit code {record['code']}): {first}", file=sys.stderr, flush=True)
        # Staging folders of worker processes killed mid-task: a retry on the same machine removed them when it
        # started; those on other machines, or left when no retry followed, go now.
        removed = set(remove_abandoned_staging(parents))
        try:
            for paths in client.run(remove_abandoned_staging, parents).values():
                removed.update(paths)
        except Exception as e:  # noqa: BLE001 (a worker gone: its machine's leftovers stay, said below)
            print(f"accessplan.dask: note: could not ask every worker to remove staging folders left by dead "
                  f"processes ({e})", file=sys.stderr)
        for path in sorted(removed):
            print(f"accessplan.dask: removed {path}, the staging folder of a worker process that died",
                  file=sys.stderr)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()  # (interrupted: its workers stop mid-task; their staging folders go with them)
            remove_abandoned_staging(parents)

    exit_code = EXIT_OK
    for k, record in enumerate(results):
        print(f"== {files[k]} ==", flush=True)
        if record["ok"]:
            print(f"Outputs: {out_dirs[k]}", flush=True)
        else:
            # Named by its scenario file, as `accessplan run` names it, unless the message starts with it.
            message = record["message"]
            named = message.startswith(files[k]) or message.startswith(os.path.abspath(files[k]))
            _error(message if named else f"{files[k]}: {message}")
            print(f"{files[k]}: failed, nothing written (its error is above, on standard error)", flush=True)
            exit_code = max(exit_code, record["code"])
    ok = sum(1 for r in results if r["ok"])
    print(f"{ok} of {len(files)} scenario(s) done in {time.monotonic() - started:.1f} s", flush=True)
    return exit_code


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        import distributed  # noqa: F401
    except ImportError:
        other = "" if os.path.realpath(sys.executable).startswith("/usr/bin/") else (
            f"; this is {sys.executable}: Debian's packages are for /usr/bin/python3 — run /usr/bin/python3 -m accessplan.dask")
        _error("python3 -m accessplan.dask needs Dask distributed (Debian: apt-get install python3-distributed)" + other)
        return EXIT_FAILURE
    # SIGTERM as Ctrl-C: the client closes, a --local cluster stops; tasks already running on a --scheduler's workers
    # finish (their folders appear whole, or not at all).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if args.command == "split":
            from accessplan.split import split
            return split(args, argv)
        return run(args, argv)
    except _Refused as e:
        _error(str(e))
        return e.code
    except KeyboardInterrupt:
        _error("interrupted: no more tiles are started and nothing is written (the tiles' staging folder is removed)"
               if args.command == "split" else
               "interrupted: no more scenarios are started; results already moved into place stay")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    # Imported by its name, so that the task function a worker unpickles is accessplan.dask.run_scenario_task
    # (functions of __main__ cannot be found in another process).
    from accessplan.dask import main as _main
    sys.exit(_main())
