"""The survey's personal data about a registration, for the privacy work."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goedeburen.common.personal_data import Part, Preview
from goedeburen.common.personal_data import register as register_part

from .models import Participation, Response, ResponseAuthor


def _named(registration):
    return Response.objects.filter(author__attendee__registration=registration)


def export(registration) -> list[dict]:
    return [
        {
            "day": response.submitted_on.isoformat(),
            "answers": [
                {
                    "question": a.question.label_nl,
                    "session": a.session.title_nl if a.session else None,
                    "scale": a.scale,
                    "text": a.text,
                    "options": [o.label_nl for o in a.options.all()],
                }
                for a in response.answers.select_related("question", "session")
            ],
        }
        for response in _named(registration)
    ]


def preview(registration) -> Preview:
    named = _named(registration).count()
    if not named:
        return Preview()
    return Preview(
        erased=[_("the link between %(count)s survey answers and the person") % {"count": named}]
    )


def erase(registration) -> int:
    """Make the person's (non-anonymous) survey answers anonymous; forget who answered."""
    unlinked = ResponseAuthor.objects.filter(attendee__registration=registration).delete()[0]
    Participation.objects.filter(attendee__registration=registration).delete()
    return unlinked


def register() -> None:
    register_part(
        Part(
            name="survey",
            label=gettext_lazy("Evaluation survey"),
            export=export,
            preview=preview,
            erase=erase,
        )
    )
