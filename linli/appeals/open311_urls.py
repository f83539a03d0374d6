"""Open311 GeoReport v2 (CONTRACT.md): /open311/v2/…json."""

from django.urls import path

from linli.appeals import open311

app_name = "open311"
urlpatterns = [
    path("services.json", open311.services_list, name="services"),
    path("services/<slug:code>.json", open311.service_definition, name="service"),
    path("requests.json", open311.requests_view, name="requests"),
    path("requests/<str:request_id>.json", open311.request_detail, name="request"),
]
