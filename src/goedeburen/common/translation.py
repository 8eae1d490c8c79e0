"""Texts kept in both languages as `<name>_nl` and `<name>_en` fields."""

from django.utils.translation import get_language, gettext_noop

# Django REST framework's catalogue (an installed app) outranks Django's own for texts both
# have, so forms said "Dit veld is vereist." Ours (LOCALE_PATHS) outranks both: these keep
# Django's wording on every form.
FORM_WORDING = (
    gettext_noop("This field is required."),
    gettext_noop("No file was submitted."),
    gettext_noop("Value must be valid JSON."),
)


def translated(obj, name: str) -> str:
    """Return `obj.<name>` in the active language, falling back to Dutch."""
    language = (get_language() or "nl")[:2]
    value = getattr(obj, f"{name}_{language}", "") if language != "nl" else ""
    return value or getattr(obj, f"{name}_nl", "")


class TranslatedFieldsMixin:
    """Let templates write `object.t.title` for the active language's title."""

    @property
    def t(self):
        return _TranslatedView(self)


class _TranslatedView:
    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, name: str) -> str:
        return translated(self._obj, name)
