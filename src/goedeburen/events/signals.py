"""Signals the events domain sends; other domain apps extend it through these."""

from django.dispatch import Signal

# Sent by `demo.load_demo` inside its transaction, after the event and its programme are
# loaded, so that other apps can add their part of the demo (ticket types, …).
# Arguments: `event` (the demo Event) and `loader`, whose `upsert(model, lookup, values,
# m2m=None)` writes a row only when it differs and counts what it wrote. Receivers must
# be idempotent like the rest of the demo.
demo_loaded = Signal()
