"""The what-if app's speed and load on the demo province (bench/run_serve_bench.sh runs it against a live server).

Usage: python3 bench/serve_bench.py URL SERVER_PID ACCESSPLAN WORK_DIR RUNS COMMIT CORES  (prints the RESULTS.md section)

1. Single-facility what-ifs, end to end as the app sends them (a pool beside a different primary school each time,
   so that no answer comes from the server's memory of recent answers; with the map of the pools): client wall-clock.
2. `accessplan run` of the scenario file the server saves for the first of them (a new process, as a planner would
   run it): wall-clock, and its summary.json rows against the app's, figure by figure.
3. Load: 8 clients x 25 what-ifs each (25 distinct pools, each client in its own order), all on loopback; every answer
   against the serial one; the server's memory (VmRSS) before, after the serial round and after the load.
"""
import datetime, json, random, statistics, subprocess, sys, threading, time, urllib.request

url, pid, binary, work, runs, commit, cores = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6], sys.argv[7]


def call(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        text = r.read().decode()
        return json.loads(text) if r.headers.get("Content-Type", "").startswith("application/json") else text


def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


app = call("/api/app")
schools = [f for f in app["facilities"] if f["type"] == "primary_school"]
random.Random(1).shuffle(schools)


def pool(k):
    s = schools[k % len(schools)]
    return {"modifications": [{"add_facilities": {"facilities": [
        {"name": f"Pool {k}", "type": "swimming_pool", "lon": round(s["lon"] + 0.001, 6), "lat": round(s["lat"], 6)}]}}]}


rss_start = rss_mb()
# 1. Single-facility what-ifs, end to end.
single = []
for k in range(runs):
    body = dict(pool(k), service="swimming_pool")
    t0 = time.perf_counter()
    answer = call("/api/whatif", body)
    single.append(time.perf_counter() - t0)
    assert answer["inputs_reused"], "a pool should reuse the baseline's inputs"
    if k == 0:
        first = answer

# 2. The same scenario file through the CLI.
yaml = call("/api/scenario", dict(pool(0), name="pool 0"))
path = f"{work}/demo/scenarios/pool0.yaml"
open(path, "w").write(yaml)
# Like for like: the same file without the ranking it inherits (the app's what-ifs do not rank).
bare = f"{work}/demo/scenarios/pool0_no_ranking.yaml"
open(bare, "w").write(yaml + "ranking: null\n")
cli, cli_bare = [], []
for i in range(3):
    for file, times, out in ((path, cli, f"{work}/cli{i}"), (bare, cli_bare, f"{work}/cli_bare{i}")):
        t0 = time.perf_counter()
        subprocess.run([binary, "run", "-q", file, "--out", out], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
equal_rows = all(json.load(open(f"{work}/{d}0/summary.json"))["rows"] == first["summary"]["rows"] for d in ("cli", "cli_bare"))

# 3. Load.
requests = [pool(100 + k) for k in range(25)]
serial = [call("/api/whatif", r)["compare"] for r in requests]
rss_serial = rss_mb()
answers, errors, lock = {}, [], threading.Lock()


def client(c):
    order = list(range(len(requests)))
    random.Random(c).shuffle(order)
    for k in order:
        try:
            a = call("/api/whatif", requests[k])["compare"]
            with lock:
                answers[(c, k)] = a
        except Exception as e:  # noqa: BLE001 - every failure is counted
            with lock:
                errors.append(repr(e))


t0 = time.perf_counter()
threads = [threading.Thread(target=client, args=(c,)) for c in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
load_s = time.perf_counter() - t0
rss_load = rss_mb()
mismatches = sum(1 for (c, k), a in answers.items() if a != serial[k])

med = statistics.median(single)
section = f"""<!-- serve:begin -->
## The what-if app (`accessplan serve`)

Command: `bash bench/run_serve_bench.sh {runs}` — {datetime.date.today()}, accessplan {commit}, {cores} cores, server and
clients on loopback, machine: AMD EPYC, 23 GB. Demo province (741 x 856 cells of 100 m, 5 services), the server started on `baseline.yaml`.

| what | figure |
|---|---|
| single-facility what-if, end to end (a pool beside a different school each time; POST /api/whatif with the pools' map), median of {runs} | **{med:.2f} s** (min {min(single):.2f}, max {max(single):.2f}) |
| `accessplan run` of the scenario file the app saved for the first of them (a new process; it ranks, as the baseline does), median of 3 | {statistics.median(cli):.2f} s: the app is **{statistics.median(cli) / med:.1f}x** faster |
| the same file with `ranking: null` (access only, as the app computes), median of 3 | {statistics.median(cli_bare):.2f} s: the app is **{statistics.median(cli_bare) / med:.1f}x** faster |
| summary.json rows of both CLI runs equal to the app's, figure by figure | {"yes" if equal_rows else "NO"} |
| load: 8 clients x 25 what-ifs (25 distinct pools, each client in its own order) | {len(answers)} answers in {load_s:.1f} s, {len(errors)} errors, {mismatches} differing from the serial answer |
| server memory (VmRSS): after the baseline / after 25 serial what-ifs / after the load | {rss_start:.0f} / {rss_serial:.0f} / {rss_load:.0f} MB |

The app's what-ifs reuse the baseline's inputs and searches and write nothing; `accessplan run` starts a process, reads
and prepares every input and writes every output (rasters, layers, maps, report). The server keeps its 8 latest answers
(for switching the map's service) and gives the runs' working memory back after each what-if (`malloc_trim`), so its
memory levels off once 8 are kept. At most 2 what-ifs compute at once (the rest wait): 8 clients share 2 cores.
<!-- serve:end -->"""
print(section)
if errors or mismatches or not equal_rows:
    sys.exit(f"serve bench: {len(errors)} errors, {mismatches} mismatches, rows equal: {equal_rows}")
