from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Partner

from .base import BackofficeForm

MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_MEDIA_TYPES = "image/png,image/jpeg,image/webp"
LOGO_FORMATS = {"PNG": ("png",), "JPEG": ("jpg", "jpeg"), "WEBP": ("webp",)}
WRONG_FORMAT = _("A logo must be a PNG, JPEG or WebP image with a matching file name.")


class PartnerForm(BackofficeForm):
    class Meta(BackofficeForm.Meta):
        model = Partner
        fields = ["name", "website", "logo", "order"]
        widgets = {"logo": forms.ClearableFileInput(attrs={"accept": LOGO_MEDIA_TYPES})}
        help_texts = {
            "logo": _("A PNG, JPEG or WebP image of at most 2 MB."),
            "order": _("Partners are shown from low to high."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's own check of the name lists every kind of image Pillow reads (bmp, gif,
        # tiff…), none of which a logo may be: a name without one of ours gets our message.
        self.fields["logo"].validators = [
            FileExtensionValidator(
                [ext for exts in LOGO_FORMATS.values() for ext in exts],
                message=WRONG_FORMAT,
                code="wrong_format",
            )
        ]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        # Only a new upload carries `image` (set by the form field after Pillow read it).
        image = getattr(logo, "image", None)
        if not logo or image is None:
            return logo
        if logo.size > MAX_LOGO_BYTES:
            raise ValidationError(
                _("This file is %(size)s; a logo may be at most %(limit)s."),
                code="too_large",
                params={
                    "size": filesizeformat(logo.size),
                    "limit": filesizeformat(MAX_LOGO_BYTES),
                },
            )
        extension = logo.name.rsplit(".", 1)[-1].lower() if "." in logo.name else ""
        if extension not in LOGO_FORMATS.get(image.format, ()):
            raise ValidationError(WRONG_FORMAT, code="wrong_format")
        return logo
