from django.urls import path

from linli.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:node_id>/", views.node_detail, name="node"),
    path("<uuid:node_id>/add/", views.node_add_child, name="add_child"),
    path("<uuid:node_id>/rename/", views.node_rename, name="rename"),
    path("<uuid:node_id>/move/", views.node_move, name="move"),
    path("<uuid:node_id>/retire/", views.node_retire, name="retire"),
]
