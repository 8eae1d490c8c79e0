from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Project, Speaker

from .base import BackofficeForm

SLUG_HELP = _("Part of the page's address: lower-case letters, digits and hyphens.")


class _UniqueSlugForm(BackofficeForm):
    """The (event, slug) constraint is not checked by the form because `event` is not one of
    its fields; check it here so that the message is on the right field."""

    taken_message = None

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        others = self._meta.model.objects.filter(event=self.event, slug=slug)
        if others.exclude(pk=self.instance.pk).exists():
            raise ValidationError(self.taken_message, code="unique")
        return slug


class SpeakerForm(_UniqueSlugForm):
    taken_message = _("Another speaker of this event already has this web address.")

    class Meta(BackofficeForm.Meta):
        model = Speaker
        fields = ["name", "slug", "affiliation_nl", "affiliation_en", "bio_nl", "bio_en"]
        help_texts = {"slug": SLUG_HELP}


class ProjectForm(_UniqueSlugForm):
    taken_message = _("Another project of this event already has this web address.")

    class Meta(BackofficeForm.Meta):
        model = Project
        fields = [
            "name",
            "slug",
            "place",
            "groups_nl",
            "groups_en",
            "website",
            "description_nl",
            "description_en",
        ]
        help_texts = {"slug": SLUG_HELP}
