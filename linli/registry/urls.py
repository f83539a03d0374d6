from django.urls import path

from linli.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.resident_list, name="residents"),
    path("search/", views.resident_search, name="search"),
    path("stats/", views.stats_index, name="stats"),
    path("stats/<uuid:node_id>/", views.stats_node, name="stats_node"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<uuid:household_id>/", views.household_detail, name="household"),
    path("households/<uuid:household_id>/add/", views.resident_create, name="resident_create"),
    path("dwellings/<uuid:node_id>/", views.dwelling_detail, name="dwelling"),
    path("residents/<uuid:resident_id>/", views.resident_detail, name="resident"),
    path("residents/<uuid:resident_id>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<uuid:resident_id>/move/", views.resident_move, name="resident_move"),
    path("residents/<uuid:resident_id>/archive/", views.resident_archive, name="resident_archive"),
    path("residents/<uuid:resident_id>/reveal/<str:field>/", views.resident_reveal, name="resident_reveal"),
    path("residents/<uuid:resident_id>/tags/", views.tag_set, name="tag_set"),
    path("tags/<uuid:tag_id>/end/", views.tag_end, name="tag_end"),
    path("export/", views.export, name="export"),
    path("census/buildings/<uuid:node_id>/", views.census_building, name="census_building"),
    path("census/dwellings/<uuid:node_id>/", views.census_visit, name="census_visit"),
    path("census/progress/<uuid:node_id>/", views.census_progress, name="census_progress"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<uuid:job_id>/", views.import_job, name="import_job"),
    path("import/<uuid:job_id>/report.xlsx", views.import_report, name="import_report"),
    path("import/<uuid:job_id>/run/", views.import_run, name="import_run"),
    path("import/<uuid:job_id>/progress/", views.import_progress, name="import_progress"),
    path("import/<uuid:job_id>/cancel/", views.import_cancel, name="import_cancel"),
]
