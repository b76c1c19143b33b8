"""HTML forms of the closeout tab and the lessons knowledge base: the final evaluation, one goal's
evaluation, the "no lessons learned" statement, the customer sign-off, a lesson learned, and the
knowledge-base search. They only parse input; the closeout services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpm.core.forms import StyledForm, VersionField, style_form
from clientpm.projects.models import Closeout, GoalOutcome, LessonCategory, LessonLearned, Project
from clientpm.projects.queries.closeout import signoff_contact_choices
from clientpm.projects.services.closeout import LESSON_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RATINGS = [("", "—"), *((str(n), f"{n} ★") for n in range(1, 6))]


class EvaluationForm(StyledForm, forms.Form):
    overall_rating = forms.TypedChoiceField(
        label=_("Overall rating"),
        choices=RATINGS,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 = poor, 5 = excellent."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "How the project went against its goals, schedule, budget and the customer's expectations."
        ),
    )
    version = VersionField()

    def __init__(self, *args: Any, closeout: Closeout, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "overall_rating": closeout.overall_rating,
                "summary": closeout.summary,
                "version": closeout.version,
            },
        )
        super().__init__(*args, **kwargs)
        style_form(self)


class GoalEvaluationForm(StyledForm, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=GoalOutcome.choices)
    actual_value = forms.DecimalField(
        label=_("Actual value"), max_digits=16, decimal_places=4, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class NoLessonsForm(forms.Form):
    no_lessons = forms.BooleanField(label=_("No lessons learned"), required=False)
    version = VersionField()


class SignoffForm(StyledForm, forms.Form):
    signoff_contact = forms.ModelChoiceField(
        label=_("Signed off by"), queryset=Closeout.objects.none(), required=False
    )
    signoff_date = forms.DateField(label=_("Sign-off date"), required=False, widget=DATE)
    signoff_note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()

    def __init__(self, *args: Any, project: Project, closeout: Closeout, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "signoff_contact": closeout.signoff_contact_id,
                "signoff_date": closeout.signoff_date,
                "signoff_note": closeout.signoff_note,
                "version": closeout.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["signoff_contact"].queryset = signoff_contact_choices(project=project)  # type: ignore[attr-defined]
        style_form(self)

    def service_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class LessonForm(StyledForm, forms.ModelForm):
    class Meta:
        model = LessonLearned
        fields = ["category", "what_happened", "impact", "recommendation"]
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "impact": forms.Textarea(attrs={"rows": 3}),
            "recommendation": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"recommendation": _("What the next project should do differently, or again.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = LessonCategory.choices  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["version"] = VersionField(initial=self.instance.version)
        style_form(self)

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, inside its transaction."""

    def service_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in LESSON_FIELDS}


class LessonSearchForm(forms.Form):
    """The knowledge-base filters; an invalid value is ignored (and shown as an error)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *LessonCategory.choices]
    )

    def filters(self) -> dict[str, str]:
        self.is_valid()
        data = self.cleaned_data
        return {"q": (data.get("q") or "").strip(), "category": data.get("category") or ""}
