"""Form fields that tidy what people type before it is checked, and the years a date may
fall in."""

import datetime as dt
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .text import one_line, tidy_lines

# The years a date or moment typed in a form may fall in. Near year 1 or 9999 a moment
# cannot be moved by a time zone or a number of days, and one before year 1 in UTC (the
# first of January of year 1 in Amsterdam) is stored by PostgreSQL but read back by nobody:
# every screen that shows it answered 500.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def validate_year(value: dt.date) -> None:
    """Refuse a date or moment outside the years `FIRST_YEAR` to `LAST_YEAR`."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Give a date in the years %(first)s to %(last)s."),
            code="year",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


class TidyCharField(forms.CharField):
    """A text field whose value is tidied (`tidy`) before the validators see it.

    By default one line (`text.one_line`): a tab or a line break pasted into a name is a
    space, control characters go; with `widget=Textarea` the lines are kept
    (`text.tidy_lines`); `tidy=text.tidy_text` keeps a written text's layout as well.
    A value that is empty once tidied is empty: a required field says so.
    """

    def __init__(self, *, tidy: Callable[[str], str] | None = None, **kwargs):
        super().__init__(**kwargs)
        multi_line = isinstance(self.widget, forms.Textarea)
        self.tidy = tidy or (tidy_lines if multi_line else one_line)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return self.tidy(value) or self.empty_value
