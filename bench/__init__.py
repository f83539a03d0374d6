"""Linli's benchmarks: `script/bench` lists them, `script/bench NAME [--quick]` runs one.

Output
------
stdout carries JSON lines only, one per figure, so `script/bench NAME 2>/dev/null` or
`script/bench NAME | grep '"figure"'` gives the figures and nothing else:

    {"bench": "api_list", "figure": "rps", "value": 812.4, "unit": "req/s",
     "baseline": 2150.0, "ratio": 0.378, "db": "sqlite", "client": "wrk", "size": "quick"}

Required keys (see CONTRACT.md): bench, figure, value, unit. A figure measured against a
baseline in the same run adds "baseline" and "ratio" = value / baseline, and is only ever
given for figures where higher is better (throughput). Latencies (p99) are printed as
plain figures, one per side, without baseline or ratio, because value / baseline would
make lower better. Extra keys say how the figure was obtained: "db" (sqlite or
postgresql), "client" (wrk, or python when wrk is missing or --client python was given),
"size" (quick or full), "concurrency".

stderr carries progress and a short human summary at the end.

Environment
-----------
Each run builds its own world and removes it afterwards: a temporary LINLI_DATA_DIR
(bench-* under the system temp dir), LINLI_MODE=demo, LINLI_DEBUG=0, and the bench-only
settings module bench.settings (the product's settings with ROOT_URLCONF = "bench.urls",
which adds the baseline views to the product's URLs; the product's URLconf never sees
them). SQLite by default; when DATABASE_URL names a PostgreSQL server the run creates a
fresh database linli_bench_<pid> there and drops it at the end.

HTTP figures come from the real server started the way script/server starts it: granian
WSGI, one worker per core, 4 blocking threads, on a free loopback port. The load
generator runs on the same machine and so takes some of its CPU: figures are for
comparison within one run, not absolute capacity.

Load generator: wrk (`apt-get install wrk`) when present. Without it the bench says so
on stderr and uses a slower Python generator (processes x threads, keep-alive
http.client), marked "client": "python"; it cannot saturate the server, so its figures
are lower and its ratios nearer 1 than wrk's. The bench installs nothing itself.
"""

BENCHMARKS: dict[str, str] = {
    "api_list": "req/s and p99 of GET /api/v1/territory/nodes?limit=50 as a street officer, "
    "beside a bare Django view returning the same JSON",
    "scoping": "cost of territory scoping: scoped lists of 10,000 dwellings (grid worker, street "
    "officer) vs the same query unscoped, over HTTP and in-process SQL",
    "locate": "points/s of locate (1,000,000 points, 10,000 grids) beside a bare shapely STRtree "
    "query; index build time, memory, and how fast other processes see a boundary change",
}
