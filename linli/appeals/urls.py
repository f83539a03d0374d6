from django.urls import path

from linli.appeals import measure_views, project_views, views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("new/", views.appeal_create, name="create"),
    path("places/", views.place_search, name="places"),
    path("similar/", views.similar, name="similar"),
    path("supervision/", views.supervision, name="supervision"),
    path("import/", views.hotline_import, name="import"),
    path("photos/<uuid:photo_id>/", views.photo, name="photo"),
    path("measures/", measure_views.measures_index, name="measures"),
    path("measures/<uuid:node_id>/", measure_views.measures_node, name="measures_node"),
    path("measures/<uuid:node_id>/data.json", measure_views.measures_data, name="measures_data"),
    path("projects/", project_views.project_list, name="projects"),
    path("projects/new/", project_views.project_create, name="project_create"),
    path("projects/<uuid:project_id>/", project_views.project_detail, name="project"),
    path("projects/<uuid:project_id>/update/", project_views.project_update, name="project_update"),
    path("projects/<uuid:project_id>/milestones/", project_views.milestone_add, name="milestone_add"),
    path("<uuid:appeal_id>/", views.appeal_detail, name="detail"),
    path("<uuid:appeal_id>/act/<slug:action>/", views.appeal_act, name="act"),
    path("<uuid:appeal_id>/reveal/", views.appeal_reveal, name="reveal"),
]
