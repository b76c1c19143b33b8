"""Forms of the account pages: profile, API tokens, and the administration of users and departments.

They only parse input; the services validate again inside their transaction and decide.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from clientpm.core.forms import VersionField, style_form

from .models import Department, User
from .queries import department_choices, tree_order, user_choices, user_role_names
from .roles import ROLE_LABELS


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "display_name",
            "first_name",
            "last_name",
            "email",
            "title",
            "phone",
            "language",
            "time_zone",
        ]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “ERP sync”.")
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


INDENT = "\u2003"  # an em space per level of the tree


class _TreeOrderIterator(ModelChoiceIterator):
    """Departments in tree order, each label indented by its depth."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for dept in tree_order(self.queryset):
            yield self.choice(dept)


class DepartmentChoiceField(forms.ModelChoiceField):
    """A department picker showing the organisation tree."""

    iterator = _TreeOrderIterator

    def label_from_instance(self, obj: Department) -> str:
        return f"{INDENT * obj.depth}{obj.name} ({obj.code})"


class _MarksInvalid:
    """Mark fields invalid (red) also for the errors a service adds after validation."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        for name in self._errors or {}:  # type: ignore[attr-defined]
            widget = self.fields[name].widget if name in self.fields else None  # type: ignore[attr-defined]
            css = widget.attrs.get("class", "") if widget is not None else ""
            # before ``style_form`` ran there is no class yet, and it marks invalid fields itself
            if widget is not None and css and "is-invalid" not in css:
                widget.attrs["class"] = f"{css} is-invalid"


class UserForm(_MarksInvalid, forms.ModelForm):
    """Create or edit a user: account, profile, roles and the active flag.

    On create the administrator sets an initial password, which the user changes after logging in.
    """

    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Tell it to the user, who changes it under Profile → Change password."),
    )
    department = DepartmentChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=list(ROLE_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Roles decide what the user may see and change."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "display_name",
            "email",
            "department",
            "title",
            "phone",
            "language",
            "time_zone",
            "is_active",
        ]
        help_texts = {"is_active": _("A deactivated user can no longer log in or use API tokens.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = department_choices()
        if self.instance.pk:
            del self.fields["password"]
            self.fields["version"] = VersionField(initial=self.instance.version)
            self.initial.setdefault("roles", user_role_names(self.instance))
        style_form(self)
        self.fields["roles"].widget.attrs["class"] = "form-check-input"

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``user_create``/``user_update``."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if not data.get("password"):
            data.pop("password", None)
        return data


class DepartmentForm(_MarksInvalid, forms.ModelForm):
    """Create or edit a department; changing the parent moves it with its sub-departments."""

    parent = DepartmentChoiceField(
        label=_("Parent department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(top level)"),
    )

    class Meta:
        model = Department
        fields = ["name", "code", "parent", "manager"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = department_choices()
        self.fields["manager"].queryset = user_choices(include=self.instance.manager_id)
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``department_create``/``department_update``."""
        return {name: self.cleaned_data[name] for name in ("name", "code", "parent", "manager")}
