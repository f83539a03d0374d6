"""scoping: what territory scoping costs on a list of 10,000 records (issue 3 item 10).

The demo territory plus 10,000 dwellings bulk-created in the demo's first grid
(370114002001001, a new compound 02 of 50 buildings x 2 units x 100 dwellings), so:
- the grid worker "grid1" sees 10,072 dwellings (1,368 other dwellings are out of scope);
- the street officer "street" sees all 11,440 (the demo district has one street);
- the unscoped baseline lists all 11,440.
Every side walks the same 200 pages, offset 0 to 9,950 in steps of 50, kind=dwelling.

HTTP (16 clients; after a warm-up, --quick 10 s per side in 2 rounds, full 30 s in 3
rounds, the sides taking turns; see common.measure):
  scoped:   GET /api/v1/territory/nodes?kind=dwelling&limit=50&offset=N (the product)
  baseline: GET /bench/api/nodes?... (bench/views.py): the same endpoint, same token,
            auth, pagination and schema, without .restrict(): the ratio is scoping alone
            (the grants query plus the path-prefix condition).
In-process SQL (no HTTP; --quick 3 s per side, full 10 s, interleaved in rounds):
  Node.objects.restrict(user, "view").filter(kind="dwelling").order_by("path")[n:n + 50]
  against the same without restrict(); the user object is reused, so its grants are
  cached and only the SQL differs.

Figures: rps_grid_worker, rps_street_officer (baseline: unscoped rps),
qps_sql_grid_worker, qps_sql_street_officer (baseline: unscoped qps); ratio goal >= 0.7.
p99_ms_grid_worker, p99_ms_street_officer, p99_ms_unscoped (no ratio: lower is better;
the worst round's p99).
"""

import math
import time

from bench.common import (
    CONCURRENCY,
    Reporter,
    choose_client,
    close_db_connections,
    get_json,
    linli_instance,
    measure,
    say,
    server,
)

GRID_CODE = "370114002001001"
DWELLINGS = 10_000
PAGE = 50
OFFSETS = list(range(0, DWELLINGS, PAGE))
SCOPED_PATH = "/api/v1/territory/nodes?kind=dwelling&limit=50&offset={}"
UNSCOPED_PATH = "/bench/api/nodes?kind=dwelling&limit=50&offset={}"
GOAL = 0.7


def add_dwellings(grid, count: int) -> None:
    """Bulk-create a compound of `count` dwellings under `grid`, bypassing the services
    for speed but forming code, path and depth exactly as services.node_create does."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Max

    from linli.territory.choices import NodeKind
    from linli.territory.models import Node

    next_id = (Node.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    rows: list[Node] = []

    def make(kind: str, code: str, name: str, parent: Node) -> Node:
        nonlocal next_id
        # Ids chosen here so each path ("/1/2/…/id/") is known before the insert.
        node = Node(
            id=next_id,
            kind=kind,
            code=code,
            name=name,
            parent_id=parent.id,
            path=f"{parent.path}{next_id}/",
            depth=parent.depth + 1,
        )
        next_id += 1
        rows.append(node)
        return node

    floors, doors, units = 25, 4, 2
    compound = make(NodeKind.COMPOUND, f"{grid.code}02", "基准小区", grid)
    made = 0
    for b in range(1, math.ceil(count / (floors * doors * units)) + 1):
        building = make(NodeKind.BUILDING, f"{compound.code}{b:03d}", f"{b}号楼", compound)
        for u in range(1, units + 1):
            unit = make(NodeKind.UNIT, f"{building.code}{u:02d}", f"{u}单元", building)
            for floor in range(1, floors + 1):
                for door in range(1, doors + 1):
                    if made < count:
                        room = floor * 100 + door
                        make(NodeKind.DWELLING, f"{unit.code}{room:04d}", f"{room}室", unit)
                        made += 1
    with transaction.atomic():
        Node.objects.bulk_create(rows, batch_size=1000)
        with connection.cursor() as cursor:
            # PostgreSQL's id sequence does not know about ids given explicitly.
            for sql in connection.ops.sequence_reset_sql(no_style(), [Node]):
                cursor.execute(sql)
    if connection.vendor == "postgresql":
        # Steady state: autovacuum would analyse the table within a minute anyway.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Node._meta.db_table}")


def sql_qps(querysets: dict, seconds: float) -> dict[str, float]:
    """Queries per second of each side, interleaved in rounds so drift hits all alike."""
    done = dict.fromkeys(querysets, 0)
    spent = dict.fromkeys(querysets, 0.0)
    rounds = 5
    for make in querysets.values():  # warm the caches
        for offset in OFFSETS[:20]:
            list(make()[offset : offset + PAGE])
    for _ in range(rounds):
        for side, make in querysets.items():
            i = 0
            t0 = time.perf_counter()
            deadline = t0 + seconds / rounds
            while time.perf_counter() < deadline:
                offset = OFFSETS[i % len(OFFSETS)]
                rows = list(make()[offset : offset + PAGE])
                assert len(rows) == PAGE
                i += 1
            spent[side] += time.perf_counter() - t0
            done[side] += i
    return {side: done[side] / spent[side] for side in querysets}


def run(*, quick: bool, client: str | None) -> int:
    client = choose_client(client)
    seconds, warmup, rounds, sql_seconds = (10, 2, 2, 3) if quick else (30, 5, 3, 10)
    with linli_instance() as instance:
        from linli.accounts.models import User
        from linli.accounts.services import token_issue
        from linli.territory.models import Node

        grid = Node.objects.get(code=GRID_CODE)
        say(f"bulk-creating {DWELLINGS} dwellings in grid {GRID_CODE}")
        t0 = time.perf_counter()
        add_dwellings(grid, DWELLINGS)
        say(f"  done in {time.perf_counter() - t0:.1f} s")
        users = {
            "grid_worker": User.objects.get(username="grid1"),
            "street_officer": User.objects.get(username="street"),
        }
        counts = {
            side: Node.objects.restrict(user, "view").filter(kind="dwelling").count()
            for side, user in users.items()
        }
        counts["unscoped"] = Node.objects.filter(kind="dwelling").count()
        say(f"dwellings visible: {counts}")
        if min(counts.values()) < DWELLINGS:
            raise RuntimeError("a side sees fewer than 10,000 dwellings: the bench data is wrong")

        rep = Reporter(
            "scoping",
            db=instance.db,
            client=client,
            size="quick" if quick else "full",
            concurrency=CONCURRENCY,
        )

        say(f"in-process SQL: {sql_seconds} s per side")
        qps = sql_qps(
            {
                "unscoped": lambda: Node.objects.filter(kind="dwelling").order_by("path"),
                **{
                    side: (
                        lambda user=user: (
                            Node.objects.restrict(user, "view").filter(kind="dwelling").order_by("path")
                        )
                    )
                    for side, user in users.items()
                },
            },
            sql_seconds,
        )

        tokens = {side: token_issue(user=user)[0] for side, user in users.items()}
        close_db_connections()
        scoped_paths = [SCOPED_PATH.format(o) for o in OFFSETS]
        unscoped_paths = [UNSCOPED_PATH.format(o) for o in OFFSETS]
        sides = {
            "unscoped": (unscoped_paths, tokens["street_officer"]),
            "grid_worker": (scoped_paths, tokens["grid_worker"]),
            "street_officer": (scoped_paths, tokens["street_officer"]),
        }
        with server(instance) as base:
            for side, (paths, token) in sides.items():
                headers = {"Authorization": f"Bearer {token}"}
                last = get_json(base, paths[-1], headers)
                if len(last["items"]) != PAGE or last["count"] != counts[side]:
                    raise RuntimeError(f"{side}: the last page does not match the database ({last['count']})")
            results = measure(
                client,
                base,
                {
                    side: (paths, {"Authorization": f"Bearer {token}"})
                    for side, (paths, token) in sides.items()
                },
                seconds=seconds,
                warmup=warmup,
                rounds=rounds,
                tmp=instance.tmp,
            )
        base_rps = results["unscoped"].rps
        for side in users:
            rep.figure(f"rps_{side}", results[side].rps, "req/s", baseline=base_rps, records=counts[side])
        for side in users:
            rep.figure(
                f"qps_sql_{side}", qps[side], "queries/s", baseline=qps["unscoped"], records=counts[side]
            )
        for side in sides:
            rep.figure(f"p99_ms_{side}", results[side].p99_ms, "ms")
        failed = {side: r.errors for side, r in results.items() if r.errors}
        for side, errors in failed.items():
            rep.figure(f"errors_{side}", errors, "requests")
        ratios = [line["ratio"] for line in rep.lines if "ratio" in line]
        rep.summary(
            "scoping: scoped lists of 10,000 dwellings vs the same query unscoped",
            [
                f"goal: every ratio >= {GOAL}: {'met' if min(ratios) >= GOAL else 'NOT met'} "
                f"(lowest {min(ratios):.3f})"
            ]
            + ([f"FAILED requests: {failed}"] if failed else []),
        )
    return 1 if failed else 0
