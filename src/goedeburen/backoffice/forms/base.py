"""What every back-office form shares: widgets that work without JavaScript, NL Design
System classes, and the event or organiser the form works for."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from goedeburen.common.formfields import TidyCharField, validate_year
from goedeburen.common.text import tidy_text
from goedeburen.events.models import Room

_WIDGET_CLASSES = (
    (forms.CheckboxSelectMultiple, "utrecht-checkbox utrecht-checkbox--html-input"),
    (forms.CheckboxInput, "utrecht-checkbox utrecht-checkbox--html-input"),
    (forms.Textarea, "utrecht-textarea utrecht-textarea--html-textarea"),
    (forms.Select, "utrecht-select utrecht-select--html-select"),
    (forms.ClearableFileInput, "bo-file"),
    (forms.widgets.Input, "utrecht-textbox utrecht-textbox--html-input"),
)


def style(field: forms.Field) -> None:
    """Give the field's widget its NL Design System class."""
    for widget_type, css_class in _WIDGET_CLASSES:
        if isinstance(field.widget, widget_type):
            field.widget.attrs["class"] = css_class
            return


# Long texts that are lines of one thing each, as the public form takes them (an address,
# wishes): tidied line by line, empty lines dropped. Every other long text is written by the
# organisers for a page or a mail; its empty lines and indentation are its layout.
LINE_FIELDS = frozenset({"address", "billing_address", "dietary_wishes", "accessibility_needs"})


def formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """Return the form field for a model field, with a native date, time or checkbox widget.

    Free text is tidied as the public form tidies it (`common.formfields.TidyCharField`): a
    short text is one line; a long one keeps its lines (`LINE_FIELDS`) or its layout. A date
    or moment must fall in the years `common.formfields.validate_year` allows.
    """
    if isinstance(db_field, models.DateField):  # a DateTimeField too
        kwargs["validators"] = [*kwargs.get("validators", []), validate_year]
    if isinstance(db_field, models.TimeField):
        kwargs["widget"] = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    elif isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    elif isinstance(db_field, models.ManyToManyField):
        kwargs["widget"] = forms.CheckboxSelectMultiple
    elif isinstance(db_field, models.TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 5})
    elif isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # Django 6's default; "example.org" means https
    # Exactly these types: e-mail addresses, URLs and slugs have fields of their own.
    plain_text = type(db_field) in (models.CharField, models.TextField) and not db_field.choices
    if plain_text and "form_class" not in kwargs:
        kwargs["form_class"] = TidyCharField
        if isinstance(db_field, models.TextField) and db_field.name not in LINE_FIELDS:
            kwargs["tidy"] = tidy_text
    return db_field.formfield(**kwargs)


class BackofficeForm(forms.ModelForm):
    """A model form for a part of `event`; it validates the instance with the event set.

    Subclasses limit every choice to the event or its organiser in `limit_choices`, so that
    no other organiser's venue, room, speaker or project can be picked (a foreign id is
    refused as an invalid choice).
    """

    class Meta:
        formfield_callback = formfield

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if "event" in {f.name for f in self.instance._meta.fields} and not self.instance.event_id:
            self.instance.event = event
        for field in self.fields.values():
            style(field)
        self.limit_choices()

    def limit_choices(self) -> None:
        """Narrow the querysets of choice fields to the event and its organiser."""

    def add_model_errors(self, error: ValidationError) -> None:
        """Show a model's `ValidationError` (raised by a service) on this form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class ConfirmationForm(forms.Form):
    """The confirmation every action with consequences needs: the button of its confirm
    page sends `confirm`, so that a POST from anywhere else (a bare link, a replayed
    request without the page) changes nothing. The page shows the consequences first."""

    # Rendered by the confirm page's template itself (`<input type="hidden" name="confirm"
    # value="yes">`), so that a page shown again after an error still carries it.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, instance=None, **kwargs):
        # DeleteView hands the object over; the confirmation does not need it.
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("confirm"):
            raise forms.ValidationError(
                _("Nothing was changed: confirm with the button on this page."), code="confirm"
            )
        return cleaned


def event_rooms(event):
    """Return the rooms of the event's venue: the only rooms a part of it can be in."""
    if not event.venue_id:
        return Room.objects.none()
    return Room.objects.filter(venue_id=event.venue_id)
