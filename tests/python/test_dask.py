"""python3 -m accessplan.dask against the CLI: scenarios run as tasks on a Dask LocalCluster of two worker processes on
loopback give the files a serial `accessplan run` gives, byte for byte (run.json but its timings, command line and
thread count, as tests/integration/test_determinism.cpp compares runs); a worker killed mid-task leaves a complete
folder after the retry and no staging folder; bad and unreadable inputs give the CLI's exit code and messages while
the other scenarios complete; existing folders are refused as the CLI refuses them. Small scenarios: the demo province
at 500 m cells without ranking. Run by ctest with Debian's /usr/bin/python3; skipped without python3-distributed."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

distributed = pytest.importorskip("distributed", reason="python3-distributed is not installed (tools/setup-debian.sh)")

import accessplan  # noqa: E402
import accessplan.dask  # noqa: E402

CLI = os.environ["ACCESSPLAN_BINARY"]
TINY = ("tiny", "tiny_ferry", "tiny_flood")  # a baseline and two what-ifs on it
TINY_BASES = {"tiny": "baseline.yaml", "tiny_ferry": "new_ferry.yaml", "tiny_flood": "rainy_season_flooding.yaml"}
STAGING = re.compile(r"^\.(?P<name>.+)\.tmp-(?P<pid>\d+)-\d+@")


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)


def tool(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "accessplan.dask", *args], capture_output=True, text=True,
                          timeout=300, **kwargs)


def write_tiny(scenarios, name, base):
    path = os.path.join(scenarios, name + ".yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"schema_version: 1\nbase: {base}\narea: {{cell_size_m: 500}}\nranking: null\n")
    return path


def outputs(folder):
    """Every file of a results folder, as bytes; run.json without what differs between two runs of the same scenario
    (stage timings, command line, threads, the memory figures of the process), as test_determinism.cpp skips it, and
    without .accessplan-outputs (file write times)."""
    files = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, folder)
            if name == ".accessplan-outputs":
                continue
            with open(path, "rb") as f:
                files[rel] = f.read()
    run = json.loads(files.pop("run.json"))
    for key in ("stage_seconds", "command_line", "threads", "memory"):
        run.pop(key)
    files["run.json without timings, command line, threads, memory"] = run
    return files


def assert_same_outputs(folder, reference):
    got, expected = outputs(folder), outputs(reference)
    assert len(expected) > 40
    assert sorted(got) == sorted(expected)
    different = [name for name in expected if got[name] != expected[name]]
    assert not different, f"{folder} differs from {reference} in {different}"


def staging_left(parent):
    return [e for e in os.listdir(parent) if ".tmp-" in e]


@pytest.fixture(scope="module")
def demo():
    """The demo's inputs with small what-ifs (500 m cells, no ranking); a copy whose land cover raster is cut in half
    (it opens, so `accessplan validate` passes it, and the run cannot read it); a scenario too large to run (1 m cells,
    refused when the run starts); and the serial CLI run of the small ones."""
    with tempfile.TemporaryDirectory() as tmp:
        scenarios = os.path.dirname(accessplan.write_demo(os.path.join(tmp, "demo")))
        files = {name: write_tiny(scenarios, name, TINY_BASES[name]) for name in TINY}
        huge = os.path.join(scenarios, "huge.yaml")
        with open(huge, "w", encoding="utf-8") as f:
            f.write("schema_version: 1\nbase: baseline.yaml\narea: {cell_size_m: 1}\nranking: null\n")
        shutil.copytree(os.path.join(tmp, "demo", "inputs"), os.path.join(tmp, "cut", "inputs"))
        os.makedirs(os.path.join(tmp, "cut", "scenarios"))
        shutil.copy(os.path.join(scenarios, "baseline.yaml"), os.path.join(tmp, "cut", "scenarios"))
        unreadable = write_tiny(os.path.join(tmp, "cut", "scenarios"), "unreadable", "baseline.yaml")
        landcover = os.path.join(tmp, "cut", "inputs", "landcover.tif")
        with open(landcover, "r+b") as f:
            f.truncate(os.path.getsize(landcover) // 2)
        r = cli("run", "-q", *files.values(), "--out", os.path.join(tmp, "cli"))
        assert r.returncode == 0, r.stderr
        yield {"tmp": tmp, "files": files, "huge": huge, "unreadable": unreadable,
               "cli": {name: os.path.join(tmp, "cli", name) for name in TINY}}


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two worker processes on 127.0.0.1 for the runs with --scheduler, and a client to watch it."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as c, distributed.Client(c) as client:
        yield c.scheduler_address, client


@pytest.fixture(scope="module")
def local_run(demo):
    """The small scenarios run by `python3 -m accessplan.dask run ... --local 2`."""
    out = os.path.join(demo["tmp"], "dask")
    r = tool("run", *demo["files"].values(), "--out", out, "--local", "2")
    return {"out": out, "result": r}


def test_scenarios_on_two_worker_processes_match_a_serial_cli_run(demo, local_run):
    r = local_run["result"]
    assert r.returncode == 0, r.stderr
    for name in TINY:
        assert_same_outputs(os.path.join(local_run["out"], name), demo["cli"][name])
        with open(os.path.join(local_run["out"], name, "run.json"), encoding="utf-8") as f:
            run = json.load(f)
        assert f"(Dask task: {demo['files'][name]})" in run["command_line"]
        # The workers' malloc asks for huge pages as the CLI's does ("large blocks" where the kernel's setting is
        # madvise).
        with open(os.path.join(demo["cli"][name], "run.json"), encoding="utf-8") as f:
            assert run["memory"]["huge_pages"] == json.load(f)["memory"]["huge_pages"]
    # Ran as tasks in both worker processes, one line each; the summary says where each folder went.
    done = re.findall(r"^\[\d/3\] (\S+): done in [\d.]+ s on tcp://127\.0\.0\.1:\d+ \(\S+, pid (\d+)\)(.*)$", r.stderr, re.M)
    assert sorted(f for f, _, _ in done) == sorted(demo["files"].values())
    assert len({pid for _, pid, _ in done}) == 2, r.stderr
    # Their warnings counted, as `accessplan run -q` counts them (the CLI's summary.json has as many).
    for f, _, rest in done:
        name = next(n for n in TINY if demo["files"][n] == f)
        with open(os.path.join(demo["cli"][name], "summary.json"), encoding="utf-8") as s:
            count = len(json.load(s)["warnings"])
        assert rest == (f"; {count} warning(s): summary.json and report.html list them" if count else ""), r.stderr
    for name in TINY:
        assert f"== {demo['files'][name]} ==\nOutputs: {os.path.join(local_run['out'], name)}\n" in r.stdout
    assert staging_left(local_run["out"]) == []


def test_a_worker_killed_mid_task_leaves_a_complete_folder_and_no_staging(demo, cluster):
    address, client = cluster
    parent = os.path.join(demo["tmp"], "killed")
    os.makedirs(parent)
    out = os.path.join(parent, "tiny")
    worker_pids = set(client.run(os.getpid).values())
    proc = subprocess.Popen([sys.executable, "-m", "accessplan.dask", "run", demo["files"]["tiny"], "--out", out,
                             "--scheduler", address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    try:
        # The staging folder names the worker process writing it; once it holds files, that process dies.
        deadline = time.monotonic() + 60
        while killed is None and time.monotonic() < deadline and proc.poll() is None:
            for entry in os.listdir(parent):
                m = STAGING.match(entry)
                if m and m["name"] == "tiny" and any(files for _, _, files in os.walk(os.path.join(parent, entry))):
                    killed = int(m["pid"])
                    assert killed in worker_pids
                    os.kill(killed, signal.SIGKILL)
                    break
            time.sleep(0.01)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert killed is not None, "the task finished before a worker could be killed: " + stderr
    assert proc.returncode == 0, stderr
    assert_same_outputs(out, demo["cli"]["tiny"])
    assert staging_left(parent) == []
    pid = re.search(r"^\[1/1\] \S+: done in [\d.]+ s on \S+ \(\S+, pid (\d+)\); run again after 1 worker\(s\) died running "
                    r"it(; \d+ warning\(s\): summary.json and report.html list them)?$", stderr, re.M)
    assert pid and int(pid[1]) != killed, stderr


def test_bad_and_unreadable_inputs_give_the_clis_exit_code_and_messages(demo, cluster):
    address, _ = cluster
    tmp = demo["tmp"]
    # Refused before anything runs, as `accessplan run` refuses it: a missing input, with the message word for word.
    missing = os.path.join(tmp, "missing")
    shutil.copytree(os.path.join(tmp, "cut"), missing)
    os.remove(os.path.join(missing, "inputs", "landcover.tif"))
    files = [demo["files"]["tiny"], os.path.join(missing, "scenarios", "unreadable.yaml")]
    r = tool("run", *files, "--out", os.path.join(tmp, "refused"), "--scheduler", address)
    c = cli("run", *files, "--out", os.path.join(tmp, "refused"))
    assert (r.returncode, c.returncode) == (3, 3)
    assert "travel.landcover: file '../inputs/landcover.tif' not found" in c.stderr
    assert r.stderr == c.stderr
    assert not os.path.exists(os.path.join(tmp, "refused"))

    # Failing as they run: a land cover raster that cannot be read (an I/O error, exit 1, retried) and a grid too
    # large (bad input, exit 3); the other scenario completes. The CLI's messages and its exit code (the largest).
    out = os.path.join(tmp, "failing")
    files = [demo["files"]["tiny"], demo["huge"], demo["unreadable"]]
    r = tool("run", *files, "--out", out, "--scheduler", address)
    c = cli("run", *files[1:], "--out", os.path.join(tmp, "failing-cli"))
    assert c.returncode == 3
    errors = [line for line in c.stderr.splitlines() if line.startswith("accessplan: error: ")]
    assert len(errors) == 2 and "too large" in errors[0] + errors[1] and "landcover.tif" in errors[0] + errors[1]
    assert r.returncode == c.returncode, r.stderr
    for line in errors:
        assert line in r.stderr.splitlines()
    for f in files[1:]:
        assert f"{f}: failed, nothing written (its error is above, on standard error)" in r.stdout
    assert_same_outputs(os.path.join(out, "tiny"), demo["cli"]["tiny"])
    assert sorted(os.listdir(out)) == ["tiny"]  # no folder, and no staging folder, of the failed ones

    # A worker that cannot read the scenario file (not on its file system) answers as the CLI does.
    gone = os.path.join(tmp, "nowhere", "baseline.yaml")
    task = accessplan.dask.run_scenario_task(gone, os.path.join(tmp, "nowhere-results"))
    c = cli("run", gone, "--out", os.path.join(tmp, "nowhere-results"))
    assert (task["ok"], task["code"]) == (False, c.returncode) == (False, 3)
    assert f"accessplan: error: {task['message']}\n" == c.stderr


def test_existing_output_folders_are_refused_as_the_cli_refuses_them(demo, local_run):
    tmp = demo["tmp"]
    out = os.path.join(tmp, "existing")
    os.makedirs(os.path.join(out, "tiny_ferry"))
    mine = os.path.join(out, "tiny_ferry", "notes.txt")
    with open(mine, "w", encoding="utf-8") as f:
        f.write("mine")
    files = list(demo["files"].values())
    for overwrite in ([], ["--overwrite"]):
        r = tool("run", *files, "--out", out, "--local", "2", *overwrite)
        c = cli(*overwrite, "run", *files, "--out", out)
        assert (r.returncode, c.returncode) == (3, 3)
        assert r.stderr == c.stderr
        assert ("already exists" if not overwrite else "accessplan did not write this folder") in r.stderr
        assert sorted(os.listdir(out)) == ["tiny_ferry"] and os.listdir(os.path.join(out, "tiny_ferry")) == ["notes.txt"]

    # A retried task whose earlier attempt had moved its folder into place before its worker was lost finds it
    # complete and reports it done; a folder that was there before the run is refused, as by the CLI.
    done = os.path.join(local_run["out"], "tiny")
    task = accessplan.dask.run_scenario_task(demo["files"]["tiny"], done, fresh=True)
    assert task["ok"] and task["note"] == "completed by an earlier attempt"
    task = accessplan.dask.run_scenario_task(demo["files"]["tiny"], done, fresh=False)
    assert (task["ok"], task["code"]) == (False, 3)
    assert task["message"] == f"{done}: output folder already exists; pass --overwrite to replace it or choose another output folder"
    with open(os.path.join(done, "summary.csv"), "ab") as f:  # no longer what accessplan wrote: not complete
        f.write(b"\n")
    assert not accessplan.dask.run_scenario_task(demo["files"]["tiny"], done, fresh=True)["ok"]


def test_only_staging_folders_of_dead_processes_of_this_machine_are_removed(tmp_path):
    """The sweep at the end of a run (a retry on another machine leaves the dead worker's staging folder) is
    geodata::OutputFolder's rule (through accessplan._core): names of this machine whose process is gone; not running ones, other machines', or
    anything else."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    # The machine's name as staging names carry it (letters, digits, '.', '_', '-'; anything else '_').
    host = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in socket.gethostname()) or "localhost"
    names = {f".tiny.tmp-{dead.pid}-0@{host}": False, f".tiny.tmp-{os.getppid()}-3@{host}": True,
             f".tiny.tmp-{dead.pid}-1@another-machine": True, f".other.tmp-{dead.pid}-0@{host}": True,
             "tiny": True, f"tiny.tmp-{dead.pid}-0@{host}": True}
    for name in names:
        os.makedirs(tmp_path / name / "rasters")
    removed = accessplan.dask.remove_abandoned_staging([(str(tmp_path), "tiny")])
    assert removed == [str(tmp_path / f".tiny.tmp-{dead.pid}-0@{host}")]
    assert sorted(os.listdir(tmp_path)) == sorted(name for name, kept in names.items() if kept)


def test_a_malformed_scheduler_address_is_a_usage_error(demo):
    r = tool("run", demo["files"]["tiny"], "--out", os.path.join(demo["tmp"], "never"), "--scheduler", "127.0.0.1:8786x")
    assert r.returncode == 2
    assert "--scheduler 127.0.0.1:8786x: not a scheduler address; write tcp://HOST:PORT" in r.stderr
    assert not os.path.exists(os.path.join(demo["tmp"], "never"))
