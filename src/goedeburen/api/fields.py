"""Serializer fields that tidy what a client sends, as the forms tidy what people type."""

from collections.abc import Callable

from rest_framework import serializers
from rest_framework.fields import empty

from goedeburen.common.text import one_line


class TidyCharField(serializers.CharField):
    """A text field whose value is tidied (`tidy`) before it is checked, like the forms'
    `common.formfields.TidyCharField`: one line by default (`text.one_line`: line breaks
    and tabs a space, control characters out, NFC); `tidy=text.tidy_lines` keeps the lines
    of an address. A value that is empty once tidied is blank: a field that must not be
    blank refuses it with its usual message.
    """

    def __init__(self, *, tidy: Callable[[str], str] = one_line, **kwargs):
        super().__init__(**kwargs)
        self.tidy = tidy

    def run_validation(self, data=empty):
        if isinstance(data, str):
            data = self.tidy(data)
        return super().run_validation(data)
