from django.contrib.auth import views as auth_views
from django.urls import path

from linli.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="language"),
    path("password/", views.password_change, name="password_change"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("manage/", views.manage_list, name="manage"),
    path("manage/new/", views.manage_create, name="manage_create"),
    path("manage/<uuid:user_id>/", views.manage_detail, name="manage_detail"),
    path("manage/<uuid:user_id>/grant/", views.manage_grant, name="manage_grant"),
    path("manage/<uuid:user_id>/roles/<uuid:role_id>/end/", views.manage_end_role, name="manage_end_role"),
    path("manage/<uuid:user_id>/disable/", views.manage_disable, name="manage_disable"),
    path("manage/<uuid:user_id>/enable/", views.manage_enable, name="manage_enable"),
    path("manage/<uuid:user_id>/password/", views.manage_reset_password, name="manage_reset_password"),
    path(
        "manage/<uuid:user_id>/two-factor/reset/",
        views.manage_reset_two_factor,
        name="manage_reset_two_factor",
    ),
]
