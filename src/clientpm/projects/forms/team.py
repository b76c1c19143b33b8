"""Forms of the project's Team tab: a member (or open role), the RACI grid and a stakeholder.
They only parse what the user typed; the team services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpm.accounts.queries import user_choices
from clientpm.core.forms import VersionField, style_form
from clientpm.projects.models import Project, ProjectMember, RaciRole, Stakeholder
from clientpm.projects.queries.team import RaciMatrix, stakeholder_contact_choices
from clientpm.projects.services.team import MEMBER_FIELDS, STAKEHOLDER_FIELDS

ROLE_DATALIST_ID = "project-role-suggestions"
RACI_CHOICES = [("", "—"), *((letter, letter) for letter in RaciRole.values)]
SCORE_CHOICES = [(i, str(i)) for i in range(1, 6)]


class MemberForm(forms.Form):
    """Add or edit a member; no person means an open role, choosing one later staffs it."""

    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=user_choices(),
        required=False,
        empty_label=_("— open role, staff later —"),
        help_text=_("Leave empty to plan the role now and staff it later."),
    )
    project_role = forms.CharField(
        label=_("Project role"),
        max_length=80,
        widget=forms.TextInput(attrs={"list": ROLE_DATALIST_ID, "autocomplete": "off"}),
        help_text=_("Pick a common role or type your own."),
    )
    allocation_percent = forms.IntegerField(label=_("Allocation %"), min_value=0, max_value=100, initial=100)

    def __init__(self, *args: Any, member: ProjectMember | None = None, **kwargs: Any) -> None:
        if member is not None:
            kwargs.setdefault(
                "initial",
                {
                    "user": member.user_id,
                    "project_role": member.project_role,
                    "allocation_percent": member.allocation_percent,
                },
            )
        super().__init__(*args, **kwargs)
        style_form(self)

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in MEMBER_FIELDS if name in self.cleaned_data}


class RaciForm(forms.Form):
    """The RACI grid: one select per deliverable × member cell, named ``cell-<deliverable>-<member>``.

    Each cell keeps the letter the user saw in a hidden initial input, so only the cells the user
    changed are sent to the service and a colleague's concurrent edit of other cells survives.
    """

    def __init__(self, *args: Any, matrix: RaciMatrix, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        for row in matrix.rows:
            for member, letter in row.cells:
                label = f"{row.deliverable.name} · {member}"
                self.fields[self.cell_name(row.deliverable.pk, member.pk)] = forms.ChoiceField(
                    label=label,
                    choices=RACI_CHOICES,
                    required=False,
                    initial=letter,
                    show_hidden_initial=True,
                    widget=forms.Select(attrs={"class": "form-select form-select-sm", "aria-label": label}),
                )

    @staticmethod
    def cell_name(deliverable_id: int, member_id: int) -> str:
        return f"cell-{deliverable_id}-{member_id}"

    def grid(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """Rows of the matrix, each with its bound cell fields in member order."""
        return [
            (row, [self[self.cell_name(row.deliverable.pk, m.pk)] for m, _letter in row.cells])
            for row in self.matrix.rows
        ]

    def changed_cells(self) -> dict[tuple[int, int], str | None]:
        """``(deliverable_id, member_id) → letter`` (None to clear) for the cells the user changed."""
        cells: dict[tuple[int, int], str | None] = {}
        for name in self.changed_data:
            if name not in self.cleaned_data:  # an invalid letter: reported on the field instead
                continue
            _prefix, deliverable_id, member_id = name.split("-")
            cells[(int(deliverable_id), int(member_id))] = self.cleaned_data[name] or None
        return cells

    def rebased(self, display: RaciMatrix) -> RaciForm:
        """This refused form again, showing the user's changes over the letters stored now (so a
        colleague's edits of other cells show and are not sent back), with this form's errors;
        ``display`` is the matrix with the changes applied, so each row's check reflects them."""
        changes = self.changed_cells()
        data: dict[str, str] = {}
        for row in self.matrix.rows:
            for member, stored in row.cells:
                name = self.add_prefix(self.cell_name(row.deliverable.pk, member.pk))
                key = (row.deliverable.pk, member.pk)
                data[name] = (changes[key] or "") if key in changes else stored
                data[f"initial-{name}"] = stored
        form = RaciForm(data, matrix=display, prefix=self.prefix)
        form.full_clean()
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            for error in errors:
                form.add_error(None, f"{label}: {error}" if label else error)
        return form


class StakeholderForm(forms.ModelForm):
    """Add or edit a stakeholder: a contact of the project's customer or a user, with scores."""

    influence = forms.TypedChoiceField(
        label=_("Influence (power)"),
        choices=SCORE_CHOICES,
        coerce=int,
        initial=3,
        help_text=_("1 low – 5 high"),
    )
    interest = forms.TypedChoiceField(
        label=_("Interest"), choices=SCORE_CHOICES, coerce=int, initial=3, help_text=_("1 low – 5 high")
    )

    class Meta:
        model = Stakeholder
        fields = [
            "contact",
            "user",
            "role",
            "influence",
            "interest",
            "engagement_current",
            "engagement_desired",
            "communication",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "contact": _("A person at the customer…"),
            "user": _("…or one of us. Choose one of the two."),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = stakeholder_contact_choices(project=project)
        self.fields["user"].queryset = user_choices()
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in STAKEHOLDER_FIELDS if name in data}
