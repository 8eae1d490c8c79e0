"""The evaluation survey of an event: its questions, and the answers people gave.

Who answered (`Participation`) is kept apart from what they answered (`Response`): with an
anonymous survey a response has no link to the person at all (no attendee, a random id,
only the day it came in), and `Participation` only makes sure each person answers once.
"""

import uuid

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from goedeburen.common.translation import TranslatedFieldsMixin
from goedeburen.events.models import Event, Session, _nl_en
from goedeburen.registration.models import Attendee


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale 1–5")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    TEXT = "text", _("Open answer")


class Survey(TranslatedFieldsMixin, models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="survey")
    intro_nl, intro_en = _nl_en("intro", _("Introduction"), long=True)
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_(
            "Answers are stored without any link to the person, and the results of a group "
            "of fewer than 5 answers are not shown."
        ),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=SurveyState.choices, default=SurveyState.DRAFT
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder: days after the thank-you mail"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name = _("evaluation survey")
        verbose_name_plural = _("evaluation surveys")

    def __str__(self) -> str:
        return str(self.event)


class SurveyQuestion(TranslatedFieldsMixin, models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind of answer"), max_length=10, choices=QuestionKind.choices)
    label_nl, label_en = _nl_en("label", _("Question"), required=True)
    per_session = models.BooleanField(
        _("per session"),
        default=False,
        help_text=_("Asked once for every session the person took part in."),
    )
    required = models.BooleanField(_("answer required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label_nl


class SurveyOption(TranslatedFieldsMixin, models.Model):
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="options")
    label_nl, label_en = _nl_en("label", _("Option"), required=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label_nl


class Participation(models.Model):
    """That an attendee answered the survey (never which response is theirs)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "attendee"], name="one_answer_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.attendee_id}"


class Response(models.Model):
    """One person's answers: a random id, the survey and the day; nothing about the person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField(_("day"))

    class Meta:
        ordering = ["submitted_on"]

    def __str__(self) -> str:
        return str(self.id)


class ResponseAuthor(models.Model):
    """Whose response it is, only for a survey that is not anonymous (its own table, so an
    anonymous response has no column that could point at anyone)."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="author")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.response_id}: {self.attendee_id}"


class ResponseAnswer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    scale = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    options = models.ManyToManyField(SurveyOption, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "session"],
                condition=models.Q(session__isnull=False),
                name="one_answer_per_question_and_session",
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=models.Q(session__isnull=True),
                name="one_answer_per_question_for_the_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}"
