"""api_list: what an authenticated, scoped API list costs over a bare Django view.

Side "api": GET /api/v1/territory/nodes?limit=50 with the bearer token of the demo street
officer (django-ninja, token lookup, grants, path-prefix scoping, pagination with count).
Side "bare": GET /bench/bare/nodes?limit=50, a plain Django view (bench/views.py) that
returns the same JSON shape for the same page without authentication or scoping (its
list is the whole tree, so its first item is the district the officer does not see).

Figures: rps (with the bare view as baseline; ratio = api / bare, higher is better),
p99_ms and p99_ms_bare (latencies, no ratio: lower is better; the worst round's p99).
16 concurrent keep-alive clients; after a warm-up, --quick 10 s per side in 2 rounds, full
30 s per side in 3 rounds, the sides taking turns (see common.measure).
"""

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

API_PATH = "/api/v1/territory/nodes?limit=50"
BARE_PATH = "/bench/bare/nodes?limit=50"


def run(*, quick: bool, client: str | None) -> int:
    client = choose_client(client)
    seconds, warmup, rounds = (10, 2, 2) if quick else (30, 5, 3)
    with linli_instance() as instance:
        from linli.accounts.models import User
        from linli.accounts.services import token_issue

        token, _ = token_issue(user=User.objects.get(username="street"))
        headers = {"Authorization": f"Bearer {token}"}
        close_db_connections()
        rep = Reporter(
            "api_list",
            db=instance.db,
            client=client,
            size="quick" if quick else "full",
            concurrency=CONCURRENCY,
        )
        with server(instance) as base:
            api = get_json(base, API_PATH, headers)
            bare = get_json(base, BARE_PATH)
            if len(api["items"]) != 50 or len(bare["items"]) != 50:
                raise RuntimeError("a list page does not hold 50 items: the benchmark would measure nothing")
            say(f"street officer sees {api['count']} places; the bare view lists {bare['count']}")
            results = measure(
                client,
                base,
                {"bare": ([BARE_PATH], {}), "api": ([API_PATH], headers)},
                seconds=seconds,
                warmup=warmup,
                rounds=rounds,
                tmp=instance.tmp,
            )
        api_r, bare_r = results["api"], results["bare"]
        rep.figure("rps", api_r.rps, "req/s", baseline=bare_r.rps)
        rep.figure("p99_ms", api_r.p99_ms, "ms")
        rep.figure("p99_ms_bare", bare_r.p99_ms, "ms")
        failed = {side: r.errors for side, r in results.items() if r.errors}
        for side, errors in failed.items():
            rep.figure(f"errors_{side}", errors, "requests")
        rep.summary(
            "api_list: GET /api/v1/territory/nodes?limit=50 as a street officer vs a bare Django view",
            [
                f"p50: api {api_r.p50_ms:.1f} ms, bare {bare_r.p50_ms:.1f} ms; "
                f"requests: api {api_r.requests}, bare {bare_r.requests}"
            ]
            + ([f"FAILED requests: {failed}"] if failed else []),
        )
    return 1 if failed else 0
