from django.urls import path

from linli.territory import map_views, views

app_name = "territory"
urlpatterns = [
    path("", views.index, name="index"),
    path("map/", map_views.map_page, name="map"),
    path("map/card/<uuid:node_id>/", map_views.map_card, name="map_card"),
    path("map/import/", map_views.map_import, name="map_import"),
    path("map/export/", map_views.map_export, name="map_export"),
    path("import/", views.tree_import_page, name="tree_import"),
    path("import/template.xlsx", views.tree_import_template, name="tree_import_template"),
    path("<uuid:node_id>/", views.node_detail, name="node"),
    path("<uuid:node_id>/add/", views.node_add_child, name="add_child"),
    path("<uuid:node_id>/rename/", views.node_rename, name="rename"),
    path("<uuid:node_id>/move/", views.node_move, name="move"),
    path("<uuid:node_id>/retire/", views.node_retire, name="retire"),
]
