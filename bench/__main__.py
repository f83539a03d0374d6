"""script/bench [NAME [--quick] [--client wrk|python]]; see bench/__init__.py."""

import argparse
import importlib
import signal
import sys

from bench import BENCHMARKS


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="script/bench", description="Linli benchmarks.")
    parser.add_argument("name", nargs="?", help="benchmark to run; none: list them")
    parser.add_argument("--quick", action="store_true", help="a size that finishes in about a minute")
    parser.add_argument(
        "--client",
        choices=("wrk", "python"),
        default=None,
        help="load generator (default: wrk when installed, else python)",
    )
    args = parser.parse_args(argv)
    if args.name is None:
        width = max(len(name) for name in BENCHMARKS)
        for name, description in BENCHMARKS.items():
            print(f"{name:<{width}}  {description}")
        print("\nscript/bench NAME [--quick]   (JSON lines on stdout, summary on stderr)")
        return 0
    if args.name not in BENCHMARKS:
        print(
            f"script/bench: no benchmark named {args.name!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr
        )
        return 2
    # SIGTERM unwinds like Ctrl-C: the server is stopped, the temporary database dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    module = importlib.import_module(f"bench.{args.name}")
    return module.run(quick=args.quick, client=args.client) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
