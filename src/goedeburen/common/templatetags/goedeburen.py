from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info, gettext

from goedeburen.common import money
from goedeburen.common.text import split_lines

register = template.Library()


@register.simple_tag(takes_context=True)
def alternate_languages(context) -> list[dict]:
    """Return the current page in each other language: code, name and URL.

    The name is the language's own ("English", "Nederlands"): the reader who needs the
    link may not read the current language, and the link is marked up in its own language.
    """
    request = context["request"]
    current = get_language()
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": translate_url(request.get_full_path(), code),
        }
        for code, _name in settings.LANGUAGES
        if code != current
    ]


@register.filter
def lines(text: str) -> list[str]:
    """Split a one-point-per-line text into its points."""
    return split_lines(text or "")


@register.filter
def signed_euro(amount) -> str:
    """Format an amount; a negative one (a credit note) as what comes back: "€ 250,00 back"."""
    if amount is not None and amount < 0:
        return gettext("%(amount)s back") % {"amount": money.euro(-amount)}
    return money.euro(amount)


@register.filter
def euro(amount) -> str:
    """Format an amount as Dutch notation euros (`common.money.euro`)."""
    return money.euro(amount)
