from django.urls import path

from linli.territory import map_views, places_views, views

app_name = "territory"
urlpatterns = [
    path("", views.index, name="index"),
    path("map/", map_views.map_page, name="map"),
    path("map/card/<uuid:node_id>/", map_views.map_card, name="map_card"),
    path("map/import/", map_views.map_import, name="map_import"),
    path("map/export/", map_views.map_export, name="map_export"),
    path("import/", views.tree_import_page, name="tree_import"),
    path("import/template.xlsx", views.tree_import_template, name="tree_import_template"),
    path("places/", places_views.place_list, name="places"),
    path("places/new/", places_views.place_create, name="place_create"),
    path("places/<uuid:place_id>/", places_views.place_detail, name="place"),
    path("places/<uuid:place_id>/edit/", places_views.place_edit, name="place_edit"),
    path("places/<uuid:place_id>/retire/", places_views.place_retire, name="place_retire"),
    path("places/<uuid:place_id>/contacts/", places_views.place_contact_add, name="place_contact_add"),
    path(
        "places/contacts/<uuid:contact_id>/remove/",
        places_views.place_contact_remove,
        name="place_contact_remove",
    ),
    path(
        "responsibilities/<uuid:responsibility_id>/end/",
        places_views.responsibility_end,
        name="responsibility_end",
    ),
    path(
        "<uuid:node_id>/responsibilities/",
        places_views.responsibility_history,
        name="responsibility_history",
    ),
    path(
        "<uuid:node_id>/responsibilities/appoint/",
        places_views.responsibility_appoint,
        name="responsibility_appoint",
    ),
    path("<uuid:node_id>/area-leads/", places_views.area_lead_assign, name="area_lead_assign"),
    path("<uuid:node_id>/", views.node_detail, name="node"),
    path("<uuid:node_id>/add/", views.node_add_child, name="add_child"),
    path("<uuid:node_id>/rename/", views.node_rename, name="rename"),
    path("<uuid:node_id>/move/", views.node_move, name="move"),
    path("<uuid:node_id>/retire/", views.node_retire, name="retire"),
]
