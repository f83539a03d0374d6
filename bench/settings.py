"""The product's settings with the bench-only URLconf (baseline views beside the real ones)."""

from linli.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
