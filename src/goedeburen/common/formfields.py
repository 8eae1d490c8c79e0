"""Form fields that tidy what people type before it is checked."""

from collections.abc import Callable

from django import forms

from .text import one_line, tidy_lines


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
