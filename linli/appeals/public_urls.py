"""Pages without login: the public board (晒事), the practical-projects list and rating links."""

from django.urls import path

from linli.appeals import public_views

app_name = "appeals_public"
urlpatterns = [
    path("rate/<str:token>/", public_views.rate, name="rate"),
    path("photos/<uuid:photo_id>/", public_views.photo, name="photo"),
    path("<uuid:community_id>/", public_views.board_page, name="board"),
    path("<uuid:community_id>/projects/", public_views.projects_page, name="projects"),
]
