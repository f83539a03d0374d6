from django.contrib import admin
from django.urls import include, path

from linli.api import api
from linli.core import audit_views, health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("linli.accounts.urls")),
    path("territory/", include("linli.territory.urls")),
    path("registry/", include("linli.registry.urls")),
    path("audit/", audit_views.audit_list, name="audit"),
    path("appeals/", include("linli.appeals.urls")),
    path("board/", include("linli.appeals.public_urls")),
    path("notices/", include("linli.notices.urls")),
    path("open311/v2/", include("linli.appeals.open311_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "linli.core.views.bad_request"
handler403 = "linli.core.views.permission_denied"
handler404 = "linli.core.views.page_not_found"
handler500 = "linli.core.views.server_error"
