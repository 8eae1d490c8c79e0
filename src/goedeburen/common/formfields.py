"""Form fields that tidy what people type before it is checked."""

from collections.abc import Callable

from django import forms

from .text import one_line, tidy_lines


class TidyCharField(forms.CharField):
    """A text field whose value is tidied (`tidy`) before the validators see it.

    By default one line (`text.one_line`): a tab or a line break pasted into a name is a
    space, control characters go; with `widget=Textarea` the lines are kept.
    """

    def __init__(self, *, tidy: Callable[[str], str] | None = None, **kwargs):
        super().__init__(**kwargs)
        multi_line = isinstance(self.widget, forms.Textarea)
        self.tidy = tidy or (tidy_lines if multi_line else one_line)

    def to_python(self, value):
        return self.tidy(super().to_python(value))
