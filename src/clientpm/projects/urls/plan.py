"""URLs of the project's plan: the plan tab and its pages (mounted under ``/projects/<pk>/``), plus
pages across projects (my tasks, calendars) in ``global_urlpatterns``."""

from django.urls import path

from clientpm.projects.views import plan, plan_calendars, plan_tasks

urlpatterns = [
    path("plan/", plan.tab, name="plan-tab"),
    path("plan/gantt.json", plan.gantt_data, name="plan-gantt-data"),
    path("plan/settings/", plan.settings_edit, name="plan-settings"),
    path("plan/tasks/add/", plan_tasks.task_create, name="plan-task-create"),
    path("plan/tasks/<int:task_id>/edit/", plan_tasks.task_edit, name="plan-task-edit"),
    path("plan/tasks/<int:task_id>/delete/", plan_tasks.task_delete, name="plan-task-delete"),
    path("plan/tasks/<int:task_id>/row/", plan.task_row, name="plan-task-row"),
    path("plan/tasks/<int:task_id>/inline/", plan.task_inline, name="plan-task-inline"),
    path("plan/tasks/<int:task_id>/<str:action>/", plan.task_action, name="plan-task-action"),
    path("plan/tasks/<int:task_id>/dependencies/add/", plan_tasks.dependency_add, name="plan-dependency-add"),
    path(
        "plan/dependencies/<int:dependency_id>/edit/", plan_tasks.dependency_edit, name="plan-dependency-edit"
    ),
    path(
        "plan/dependencies/<int:dependency_id>/delete/",
        plan_tasks.dependency_delete,
        name="plan-dependency-delete",
    ),
    path("plan/baselines/save/", plan.baseline_save, name="plan-baseline-save"),
    path("plan/baselines/<int:baseline_id>/delete/", plan.baseline_delete, name="plan-baseline-delete"),
]
global_urlpatterns = [
    path("my-tasks/", plan.my_tasks, name="my-tasks"),
    path("calendars/", plan_calendars.calendar_list, name="calendars"),
    path("calendars/add/", plan_calendars.calendar_create, name="calendar-create"),
    path("calendars/<int:calendar_id>/edit/", plan_calendars.calendar_edit, name="calendar-edit"),
    path("calendars/<int:calendar_id>/delete/", plan_calendars.calendar_delete, name="calendar-delete"),
]
