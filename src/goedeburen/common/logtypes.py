"""The audit log's action types: what each means in a sentence, and which of its data is personal.

Like pretix's `base/logentrytypes.py`: every action that `log_action` may write is declared
once, by the domain app that writes it (its `logtypes.py`, registered from `AppConfig.ready`).
`log_action` refuses an action nobody declared, so a screen never shows a raw key, and the
history screens are a lookup here instead of a chain of `if`s.

A type's `sentence` is a translated text with `%(name)s` placeholders filled from the entry's
data (missing keys read as ""); a type that needs more (labels of states, the fields of a
change-set) overrides `values` or `display`. `personal` names the data keys that hold
personal data, for the privacy work that scrubs the log after the retention period.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Choices
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

# How a change-set records a sensitive field: only that it changed, never its values.
CHANGED = "changed"


class _Values(dict):
    """The values a sentence is filled with; a key the entry lacks reads as ""."""

    def __missing__(self, key):
        return ""


@dataclass(frozen=True, kw_only=True)
class LogType:
    """One kind of log entry: its `action` key, the `sentence` shown, its `personal` keys.

    `moments` names the data keys that hold a moment (ISO text), shown as a local date and
    time. `example` is data as the writer gives it; the tests render every type with it.
    """

    action: str
    sentence: Any  # a lazy translation
    personal: frozenset[str] = frozenset()
    moments: tuple[str, ...] = ()
    example: Mapping[str, Any] = field(default_factory=dict)

    def values(self, data: Mapping[str, Any], *, show_sensitive: bool) -> dict[str, Any]:
        """Return the values the sentence is filled with."""
        values = {key: "" if value is None else value for key, value in data.items()}
        for key in self.moments:
            values[key] = moment_text(data.get(key))
        return values

    def display(self, data: Mapping[str, Any], *, show_sensitive: bool = False) -> str:
        """Return the sentence for an entry with `data`, in the active language.

        Without `show_sensitive` nothing that only some roles may see is named.
        """
        return str(self.sentence) % _Values(self.values(data, show_sensitive=show_sensitive))


@dataclass(frozen=True, kw_only=True)
class StatusChange(LogType):
    """A change of state, with data `{"status": [before, after]}`; the sentence may use
    `%(from)s` and `%(to)s`, the states' labels."""

    states: type[Choices]

    def values(self, data, *, show_sensitive):
        values = super().values(data, show_sensitive=show_sensitive)
        status = data.get("status")
        before, after = status[:2] if isinstance(status, list | tuple) else (None, status)
        values.update({"from": self.label(before), "to": self.label(after)})
        return values

    def label(self, value) -> str:
        if value in self.states.values:
            return str(self.states(value).label)
        return "" if value is None else str(value)


def moment_text(value) -> str:
    """Return a logged moment (ISO text) as a local date and time ("" for none)."""
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        return "" if value is None else str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def value_text(value) -> str:
    """Return a logged value as a reader sees it (yes/no for booleans, "" for None)."""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return "" if value is None else str(value)


def describe_change(label: str, change) -> str:
    """Return one field's change from a change-set: from/to, or only that it changed."""
    if isinstance(change, list | tuple) and len(change) == 2:
        return _("%(field)s from “%(before)s” to “%(after)s”") % {
            "field": label,
            "before": value_text(change[0]),
            "after": value_text(change[1]),
        }
    return _("%(field)s (changed)") % {"field": label}


def is_sensitive(change) -> bool:
    """Tell whether a change-set entry is a sensitive one (recorded without values)."""
    return list(change) == [CHANGED] if isinstance(change, list | tuple) else False


class LogTypeRegistry:
    """The declared action types, by action key."""

    def __init__(self):
        self._types: dict[str, LogType] = {}

    def register(self, *types: LogType) -> None:
        """Declare `types`; declaring an action twice is a programming error."""
        for log_type in types:
            known = self._types.get(log_type.action)
            if known is not None and known != log_type:
                raise ValueError(f"Log action {log_type.action!r} is declared twice")
            self._types[log_type.action] = log_type

    def get(self, action: str) -> LogType:
        """Return the type of `action`, or raise `LookupError` when nobody declared it."""
        try:
            return self._types[action]
        except KeyError:
            raise LookupError(f"Log action {action!r} is not declared in any logtypes.py") from None

    def __contains__(self, action: str) -> bool:
        return action in self._types

    def __iter__(self) -> Iterator[LogType]:
        return iter(sorted(self._types.values(), key=lambda t: t.action))


registry = LogTypeRegistry()


def describe(entry, *, show_sensitive: bool = False) -> str:
    """Return what happened in one log entry, in the active language.

    An entry whose type is no longer declared (written by an older version) is shown as
    such, not as its raw data.
    """
    try:
        log_type = registry.get(entry.action)
    except LookupError:
        return _("A change of a kind this version no longer knows (%(action)s)") % {
            "action": entry.action
        }
    return log_type.display(entry.data or {}, show_sensitive=show_sensitive)
