"""The role table: which permissions each built-in role (a Django group) carries.

One table in one place, so a reader sees the whole matrix. Later apps add their rows here.
Row-level scope (whose customers an account manager sees) is applied by each app's queries.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "administrator"
EXECUTIVE = "executive"
ACCOUNT_MANAGER = "account_manager"
PROJECT_MANAGER = "project_manager"
TEAM_MEMBER = "team_member"

ROLE_LABELS = {
    ADMINISTRATOR: _("Administrator"),
    EXECUTIVE: _("Executive"),
    ACCOUNT_MANAGER: _("Account manager"),
    PROJECT_MANAGER: _("Project manager"),
    TEAM_MEMBER: _("Team member"),
}


def _crud(app: str, *models: str) -> set[str]:
    return {f"{app}.{action}_{model}" for model in models for action in ("view", "add", "change", "delete")}


def _view(app: str, *models: str) -> set[str]:
    return {f"{app}.view_{model}" for model in models}


_CUSTOMER_MODELS = ("customer", "contact", "interaction", "segment", "tag")
_PROJECT_MODELS = (
    "project",
    "checklistitem",
    "feasibilityassessment",
    "goal",
    "kpimeasurement",
    "goalevaluation",
    "scopeitem",
    "milestone",
    "deliverable",
    "deliverablereview",
    "projectmember",
    "raciassignment",
    "stakeholder",
    "document",
    "documentversion",
    "closeout",
    "lessonlearned",
    "projecttemplate",
    "task",
    "taskdependency",
    "baseline",
    "scheduleriskevent",
    "schedulesimulation",
)
_PROJECT_VIEW = _view("projects", *_PROJECT_MODELS, "gatedecision", "workcalendar")
_RESOURCE_VIEW = _view("resources", "resource", "assignment")

ROLE_PERMISSIONS: dict[str, set[str]] = {
    ADMINISTRATOR: _crud("customers", *_CUSTOMER_MODELS)
    | _crud("accounts", "user", "department")
    | {"customers.view_all_customers", "core.view_changerecord"}
    | _crud("projects", *_PROJECT_MODELS)
    | _PROJECT_VIEW
    | {"projects.view_all_projects", "projects.override_gate", "projects.reopen_project"}
    | _crud("projects", "workcalendar")
    | _crud("resources", "resource", "assignment"),
    EXECUTIVE: _view("customers", *_CUSTOMER_MODELS)
    | _view("accounts", "user", "department")
    | {"customers.view_all_customers", "core.view_changerecord"}
    | _PROJECT_VIEW
    | _RESOURCE_VIEW
    | {"projects.view_all_projects"},
    ACCOUNT_MANAGER: _crud("customers", *_CUSTOMER_MODELS)
    | _view("accounts", "user", "department")
    | _PROJECT_VIEW
    | _RESOURCE_VIEW
    | {"projects.add_project", "projects.change_project"}
    | _crud("projects", "stakeholder"),
    PROJECT_MANAGER: _view("customers", *_CUSTOMER_MODELS)
    | _crud("customers", "interaction")
    | _view("accounts", "user", "department")
    | _crud("projects", *_PROJECT_MODELS)
    | _PROJECT_VIEW
    | _crud("resources", "resource", "assignment"),
    TEAM_MEMBER: _view("customers", "customer", "contact", "interaction")
    | _view("accounts", "user", "department")
    | _PROJECT_VIEW
    | _RESOURCE_VIEW
    | {
        "projects.change_deliverable",
        "projects.add_kpimeasurement",
        "projects.add_document",
        "projects.add_documentversion",
        "projects.add_lessonlearned",
        "projects.change_checklistitem",
        "projects.change_task",
    },
}
