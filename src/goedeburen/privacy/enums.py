"""The kinds of consent, erasure requests and their states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentKind(models.TextChoices):
    PRIVACY_STATEMENT = "privacy_statement", _("Privacy statement")
    SPECIAL_CATEGORIES = "special_categories", _("Dietary wishes and accessibility needs")
    PHOTOS = "photos", _("Photos and film")
    ATTENDEE_LIST = "attendee_list", _("On the attendee list")
    MAILINGS = "mailings", _("Mailings")


class ConsentSource(models.TextChoices):
    FORM = "form", _("Registration form")
    PERSONAL_PAGE = "personal_page", _("Personal page")
    BACKOFFICE = "backoffice", _("Organiser")


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Erased")
    REFUSED = "refused", _("Refused")


class RequestSource(models.TextChoices):
    PERSONAL_PAGE = "personal_page", _("Personal page")
    STAFF = "staff", _("Staff, on request (phone, mail)")
