"""URLs of the core pages."""

from django.urls import path

from . import views

app_name = "core"
urlpatterns = [path("", views.change_log, name="change-list")]
