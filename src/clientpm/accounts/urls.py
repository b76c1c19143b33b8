"""URLs of the account pages: the caller's own account, and the administration of users and departments."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .views import departments, profile, users

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password-change-done")),
        name="password-change",
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password-change-done"),
    path("profile/", profile.profile, name="profile"),
    path("language/", profile.set_language, name="set-language"),
    path("tokens/", profile.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", profile.token_revoke, name="token-revoke"),
    # administration: users
    path("users/", users.user_list, name="user-list"),
    path("users/new/", users.user_create, name="user-create"),
    path("users/<int:pk>/", users.user_detail, name="user-detail"),
    path("users/<int:pk>/edit/", users.user_edit, name="user-edit"),
    path("users/<int:pk>/active/", users.user_set_active, name="user-set-active"),
    # administration: departments
    path("departments/", departments.department_list, name="department-list"),
    path("departments/new/", departments.department_create, name="department-create"),
    path("departments/<int:pk>/edit/", departments.department_edit, name="department-edit"),
    path("departments/<int:pk>/delete/", departments.department_delete, name="department-delete"),
]
