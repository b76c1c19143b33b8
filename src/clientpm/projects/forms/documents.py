"""HTML forms of the documents tab: upload a document, upload a new version, confirm the archiving.
They only parse input; the size and type limits are the documents service's (shown as help text)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientpm.core.forms import StyledForm, VersionField, style_form
from clientpm.projects.models import DocumentCategory
from clientpm.projects.services.documents import document_extensions, max_document_bytes


def _file_field(label: Any) -> forms.FileField:
    """A file input accepting the configured types, its limits in the help text."""
    extensions = document_extensions()
    return forms.FileField(
        label=label,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{e}" for e in extensions)}),
        help_text=_("Up to %(limit)s; accepted types: %(types)s.")
        % {"limit": filesizeformat(max_document_bytes()), "types": ", ".join(extensions)},
    )


class DocumentUploadForm(StyledForm, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    category = forms.ChoiceField(
        label=gettext_lazy("Category"), choices=DocumentCategory.choices, initial=DocumentCategory.OTHER
    )
    note = forms.CharField(
        label=gettext_lazy("Version note"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("What this version is, e.g. “signed by the customer”."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"] = _file_field(_("File"))
        self.order_fields(["title", "category", "file", "note", "description"])
        style_form(self)

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DocumentVersionForm(StyledForm, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Version note"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("What changed since the previous version."),
    )
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"] = _file_field(_("New version"))
        self.order_fields(["file", "note", "version"])
        style_form(self)


class ConfirmForm(forms.Form):
    """The confirmation of a destructive step, carrying the version the user saw."""

    version = VersionField()
