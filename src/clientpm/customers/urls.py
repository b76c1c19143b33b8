"""URLs of the customers pages: customers, contacts, interactions, follow-ups and segments."""

from django.urls import path

from .views import contacts, customers, interactions, segments

app_name = "customers"
urlpatterns = [
    path("", customers.customer_list, name="list"),
    path("new/", customers.customer_create, name="create"),
    path("<int:pk>/", customers.customer_detail, name="detail"),
    path("<int:pk>/edit/", customers.customer_edit, name="edit"),
    path("<int:pk>/history/", customers.customer_history, name="history"),
    path("<int:pk>/archive/", customers.customer_archive, name="archive"),
    path("<int:pk>/delete/", customers.customer_delete, name="delete"),
    # contacts
    path("contacts/", contacts.contact_list, name="contact-list"),
    path("contacts/new/", contacts.contact_create, name="contact-create"),
    path("<int:customer_pk>/contacts/new/", contacts.contact_create, name="customer-contact-create"),
    path("contacts/<int:pk>/edit/", contacts.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/delete/", contacts.contact_delete, name="contact-delete"),
    # interactions and follow-ups
    path("interactions/", interactions.interaction_list, name="interaction-list"),
    path("interactions/new/", interactions.interaction_create, name="interaction-create"),
    path(
        "<int:customer_pk>/interactions/new/",
        interactions.interaction_create,
        name="customer-interaction-create",
    ),
    path("interactions/<int:pk>/edit/", interactions.interaction_edit, name="interaction-edit"),
    path("interactions/<int:pk>/delete/", interactions.interaction_delete, name="interaction-delete"),
    path("interactions/<int:pk>/done/", interactions.interaction_complete, name="interaction-complete"),
    path("follow-ups/", interactions.my_follow_ups, name="my-follow-ups"),
    # segments
    path("segments/", segments.segment_list, name="segment-list"),
    path("segments/new/", segments.segment_create, name="segment-create"),
    path("segments/from-filter/", segments.segment_from_filter, name="segment-from-filter"),
    path("segments/<int:pk>/", segments.segment_detail, name="segment-detail"),
    path("segments/<int:pk>/edit/", segments.segment_edit, name="segment-edit"),
    path("segments/<int:pk>/delete/", segments.segment_delete, name="segment-delete"),
    path(
        "segments/<int:pk>/members/<int:customer_pk>/remove/",
        segments.segment_member_remove,
        name="segment-member-remove",
    ),
    path("<int:customer_pk>/segments/add/", segments.segment_member_add, name="segment-member-add"),
]
