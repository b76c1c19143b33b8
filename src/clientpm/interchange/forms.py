"""The HTML form of the "Import Microsoft Project file" page: the file, and where its plan goes — a
new project for a customer, or an existing project. It only parses what the user chose; the import
service reads the file and decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientpm.accounts.models import User
from clientpm.core.forms import StyledForm, style_form
from clientpm.customers.queries import customer_choices
from clientpm.interchange.queries import import_project_choices
from clientpm.interchange.services import import_max_bytes

NEW, EXISTING = "new", "existing"


class PlanImportForm(StyledForm, forms.Form):
    """Upload an MSPDI file into a new project of ``customer`` (named ``name``) or into ``project``.
    Without ``projects.add_project`` only an existing project can be chosen."""

    file = forms.FileField(
        label=gettext_lazy("Microsoft Project XML file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )
    target = forms.ChoiceField(
        label=gettext_lazy("Import into"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    customer = forms.ModelChoiceField(label=gettext_lazy("Customer"), queryset=None, required=False)
    name = forms.CharField(
        label=gettext_lazy("Project name"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty to use the file's project title."),
    )
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=None, required=False)

    def __init__(self, *args: Any, user: User, can_create: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A file saved from Microsoft Project as XML (File › Save As › XML format), at most %(limit)s."
        ) % {"limit": filesizeformat(import_max_bytes())}
        choices = [(EXISTING, _("An existing project: its tasks are added after the project's own"))]
        if can_create:
            choices.insert(0, (NEW, _("A new project for a customer")))
            self.fields["customer"].queryset = customer_choices(user=user)
            self.fields["customer"].label_from_instance = lambda c: f"{c.code} · {c.name}"
        else:
            del self.fields["customer"]
            del self.fields["name"]
        self.fields["target"].choices = choices
        self.fields["project"].queryset = import_project_choices(user=user)
        self.fields["project"].label_from_instance = lambda p: f"{p.code} · {p.name}"
        style_form(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("target") == NEW and not data.get("customer"):
            self.add_error("customer", _("Choose the customer of the new project."))
        if data.get("target") == EXISTING and not data.get("project"):
            self.add_error("project", _("Choose the project to import into."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """What the import service takes besides the actor and the file."""
        data = self.cleaned_data
        if data["target"] == NEW:
            return {"customer": data["customer"], "name": data.get("name") or None}
        return {"project": data["project"]}
