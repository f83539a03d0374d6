"""What every benchmark needs: a throw-away Linli (data dir and database), the real server,
a load generator, and the output (JSON lines on stdout, the rest on stderr).

Nothing here imports Django at module level: the environment must be set before
django.setup(), and the Python load generator forks without it.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 16
# As script/server: one granian worker per core, 4 blocking threads each (DESIGN.md: the
# default 256 threads exhaust PostgreSQL's connections under load).
BLOCKING_THREADS = 4


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- output -------------------------------------------------------------------------------


class Reporter:
    """Prints each figure as one JSON line on stdout and keeps it for the summary."""

    def __init__(self, bench: str, **context):
        self.bench = bench
        self.context = context
        self.lines: list[dict] = []
        self.load_at_start = os.getloadavg()[0]
        if self.load_at_start > cores():
            say(
                f"the machine is busy (load average {self.load_at_start:.1f} on {cores()} cores): "
                "the figures will be noisy"
            )

    def figure(self, figure: str, value: float, unit: str, *, baseline: float | None = None, **extra) -> None:
        line: dict = {"bench": self.bench, "figure": figure, "value": round(value, 3), "unit": unit}
        if baseline is not None:
            line["baseline"] = round(baseline, 3)
            line["ratio"] = round(value / baseline, 3) if baseline else None
        line.update(self.context)
        line.update(extra)
        print(json.dumps(line, ensure_ascii=False), flush=True)
        self.lines.append(line)

    def summary(self, title: str, notes: Sequence[str] = ()) -> None:
        out = [f"\n== {title} ({', '.join(f'{k}={v}' for k, v in self.context.items())})"]
        for line in self.lines:
            text = f"  {line['figure']:<28} {line['value']:>10.1f} {line['unit']}"
            if "baseline" in line:
                text += f"   baseline {line['baseline']:.1f}  ratio {line['ratio']:.3f}"
            out.append(text)
        out.extend(f"  {note}" for note in notes)
        out.append(
            f"  load average {self.load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, "
            f"{cores()} cores (other work on the machine skews the figures)"
        )
        print("\n".join(out), file=sys.stderr, flush=True)


# --- a throw-away Linli ---------------------------------------------------------------------


@dataclass
class Instance:
    tmp: Path
    db: str  # "sqlite" or "postgresql"


def _database_url_with_name(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _admin_sql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def linli_instance() -> Iterator[Instance]:
    """A migrated Linli with the demo data, in a temporary data dir and (with DATABASE_URL) a
    fresh PostgreSQL database; both are removed on the way out, also on Ctrl-C."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    admin_url = os.environ.get("DATABASE_URL", "")
    db_name = f"linli_bench_{os.getpid()}" if admin_url else ""
    created = False
    try:
        os.environ.update(
            LINLI_DATA_DIR=str(tmp / "data"),
            LINLI_MODE="demo",  # seed_demo and demo keys need it
            LINLI_DEBUG="0",  # DEBUG keeps every query in memory: not what production runs
            DJANGO_SETTINGS_MODULE="bench.settings",
        )
        if admin_url:
            say(f"creating database {db_name}")
            _admin_sql(admin_url, f'CREATE DATABASE "{db_name}"')
            created = True
            os.environ["DATABASE_URL"] = _database_url_with_name(admin_url, db_name)
        import django

        django.setup()
        from django.core.management import call_command

        say("migrating")
        call_command("migrate", verbosity=0, interactive=False)
        say("loading the demo data")
        call_command("seed_demo", stdout=io.StringIO())
        yield Instance(tmp=tmp, db="postgresql" if admin_url else "sqlite")
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if created:
            say(f"dropping database {db_name}")
            # FORCE: a granian worker killed hard may leave a connection behind.
            _admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        if admin_url:
            os.environ["DATABASE_URL"] = admin_url
        shutil.rmtree(tmp, ignore_errors=True)


def close_db_connections() -> None:
    """Before forking load generators or handing the database to the server."""
    from django.db import connections

    connections.close_all()


# --- the real server ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(instance: Instance) -> Iterator[str]:
    """granian WSGI as script/server runs it, on a free loopback port; yields the base URL."""
    granian = Path(sys.executable).with_name("granian")
    if not granian.exists():
        granian = Path(shutil.which("granian") or "granian")
    port = _free_port()
    workers = cores()
    cmd = [
        str(granian),
        "--interface",
        "wsgi",
        "linli.wsgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(BLOCKING_THREADS),
        "--no-ws",
        "--log-level",
        "warning",
    ]
    log_path = instance.tmp / "granian.log"
    say(f"starting granian ({workers} workers x {BLOCKING_THREADS} threads) on port {port}")
    with open(log_path, "wb") as log:
        # Its own session: the workers can be stopped by the group id of the one process
        # started here, and Ctrl-C in the terminal reaches the bench first.
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"granian exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if _get(base, "/healthz", {}, timeout=2)[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"granian did not answer /healthz in 60 s:\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # Workers may outlive a main process that died on its own.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        problems = [
            line
            for line in log_path.read_text(errors="replace").splitlines()
            if "Traceback" in line or "ERROR" in line
        ]
        if problems:
            say(f"granian logged {len(problems)} error line(s); see the first: {problems[0][:200]}")


def _get(base: str, path: str, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def get_json(base: str, path: str, headers: dict[str, str] | None = None) -> dict:
    """One request before measuring: a benchmark of error pages measures nothing."""
    status, body = _get(base, path, headers or {}, timeout=30)
    if status != 200:
        raise RuntimeError(f"GET {path}: HTTP {status}: {body[:300]!r}")
    return json.loads(body)


# --- load generators ---------------------------------------------------------------------------


@dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    client: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def choose_client(requested: str | None) -> str:
    has_wrk = shutil.which("wrk") is not None
    if requested == "wrk" and not has_wrk:
        raise SystemExit("script/bench: wrk is not installed; install it with: sudo apt-get install wrk")
    if requested:
        return requested
    if has_wrk:
        return "wrk"
    say(
        "wrk is not installed (sudo apt-get install wrk). Falling back to the Python load "
        'generator, which cannot saturate the server: figures are marked "client": "python".'
    )
    return "python"


def measure(
    client: str,
    base: str,
    sides: dict[str, tuple[list[str], dict[str, str]]],
    *,
    seconds: int,
    warmup: int,
    rounds: int,
    tmp: Path,
) -> dict[str, LoadResult]:
    """Load each side for `seconds` in total, split into rounds taken in turn (the order
    reversed every other round), so that a change in the machine's background load falls
    on every side alike and the ratios stay fair. Rates add up over the rounds exactly;
    p99 is the worst round's p99 (wrk gives percentiles, not mergeable histograms)."""
    for side, (paths, headers) in sides.items():
        say(f"{side}: warm-up {warmup} s")
        load(client, base, paths, headers, warmup, tmp)
    per_round = max(1, seconds // rounds)
    runs: dict[str, list[LoadResult]] = {side: [] for side in sides}
    order = list(sides)
    for n in range(rounds):
        say(f"round {n + 1}/{rounds}: {per_round} s per side at {CONCURRENCY} clients ({client})")
        for side in order if n % 2 == 0 else reversed(order):
            paths, headers = sides[side]
            runs[side].append(load(client, base, paths, headers, per_round, tmp))
    return {
        side: LoadResult(
            requests=sum(r.requests for r in results),
            seconds=sum(r.seconds for r in results),
            errors=sum(r.errors for r in results),
            p50_ms=sorted(r.p50_ms for r in results)[len(results) // 2],
            p99_ms=max(r.p99_ms for r in results),
            client=client,
        )
        for side, results in runs.items()
    }


def load(
    client: str, base: str, paths: list[str], headers: dict[str, str], seconds: float, tmp: Path
) -> LoadResult:
    """CONCURRENCY keep-alive clients for `seconds`, cycling through `paths`."""
    if client == "wrk":
        return _wrk(base, paths, headers, seconds, tmp)
    return _python_load(base, paths, headers, seconds)


_LUA = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local threads = 0

function setup(thread)
  -- Each thread starts at another page, so they do not walk the pages in step.
  thread:set("start", threads * 37)
  threads = threads + 1
end

function init(args)
  i = start or 0
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"errors\\": %%d, " ..
    "\\"p50_us\\": %%.1f, \\"p99_us\\": %%.1f}\\n",
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _wrk(base: str, paths: list[str], headers: dict[str, str], seconds: float, tmp: Path) -> LoadResult:
    script = tmp / "bench.lua"
    # JSON string literals are valid Lua string literals for these ASCII paths and tokens.
    script.write_text(
        _LUA
        % {
            "paths": ", ".join(json.dumps(p) for p in paths),
            "headers": ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()),
        }
    )
    threads = max(1, min(cores(), CONCURRENCY))
    cmd = ["wrk", "-t", str(threads), "-c", str(CONCURRENCY), "-d", f"{int(seconds)}s", "--timeout", "10s"]
    cmd += ["--latency", "-s", str(script), base]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    data = json.loads(line.removeprefix("BENCHJSON "))
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=data["errors"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        client="wrk",
    )


def _python_worker(args) -> tuple[list[float], int]:
    """One process of the fallback generator: `threads` keep-alive connections."""
    import threading

    host, port, paths, headers, threads, start, end = args
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(index: int) -> None:
        mine: list[float] = []
        failed = 0
        conn = http.client.HTTPConnection(host, port, timeout=30)
        i = index * 37
        while time.time() < start:
            time.sleep(0.001)
        while time.time() < end:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                continue
            mine.append(time.perf_counter() - t0)
            if response.status != 200:
                failed += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, errors[0]


def _python_load(base: str, paths: list[str], headers: dict[str, str], seconds: float) -> LoadResult:
    parts = urllib.parse.urlsplit(base)
    processes = max(1, min(cores(), CONCURRENCY))
    per_process = [
        CONCURRENCY // processes + (1 if n < CONCURRENCY % processes else 0) for n in range(processes)
    ]
    start = time.time() + 0.5  # let every process connect before the clock starts
    end = start + seconds
    jobs = [(parts.hostname, parts.port, paths, headers, n, start, end) for n in per_process]
    # fork: the children need nothing but this module; Django's connections are closed.
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_python_worker, jobs)
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0

    return LoadResult(
        requests=len(latencies),
        seconds=seconds,
        errors=errors,
        p50_ms=pct(0.50),
        p99_ms=pct(0.99),
        client="python",
    )
