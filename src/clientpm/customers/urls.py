"""URLs of the customers pages."""

from django.urls import path

from .views import customers

app_name = "customers"
urlpatterns = [
    path("", customers.customer_list, name="list"),
    path("new/", customers.customer_create, name="create"),
    path("<int:pk>/", customers.customer_detail, name="detail"),
    path("<int:pk>/edit/", customers.customer_edit, name="edit"),
    path("<int:pk>/history/", customers.customer_history, name="history"),
    path("<int:pk>/archive/", customers.customer_archive, name="archive"),
    path("<int:pk>/delete/", customers.customer_delete, name="delete"),
]
