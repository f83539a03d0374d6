"""The product's URLs plus the baselines the benchmarks compare against. Loaded only through
bench.settings: these views skip scoping on purpose and must never be reachable in Linli."""

from django.urls import path

from bench import views
from linli.urls import handler400, handler403, handler404, handler500
from linli.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    *product_urlpatterns,
    path("bench/bare/nodes", views.bare_nodes, name="bench-bare-nodes"),
    path("bench/api/", views.unscoped_api.urls),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
