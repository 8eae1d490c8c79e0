"""The log actions of API tokens and webhooks, with their sentences."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.logtypes import LogType, registry


def register() -> None:
    registry.register(
        LogType(
            action="api.token_created",
            sentence=_("API token “%(name)s” made with the scopes %(scopes)s"),
            example={"name": "CRM", "scopes": "events:read, registrations:read"},
        ),
        LogType(
            action="api.token_revoked",
            sentence=_("API token “%(name)s” revoked"),
            example={"name": "CRM"},
        ),
        LogType(
            action="api.webhook_created",
            sentence=_("Webhook to %(url)s added"),
            example={"url": "https://crm.example.org/hooks"},
        ),
        LogType(
            action="api.webhook_changed",
            sentence=_("Webhook to %(url)s changed"),
            example={"url": "https://crm.example.org/hooks"},
        ),
        LogType(
            action="api.webhook_secret_rotated",
            sentence=_("New signing secret for the webhook to %(url)s"),
            example={"url": "https://crm.example.org/hooks"},
        ),
        LogType(
            action="api.webhook_pinged",
            sentence=_("Test ping sent to %(url)s"),
            example={"url": "https://crm.example.org/hooks"},
        ),
        LogType(
            action="api.webhook_redelivered",
            sentence=_("Webhook delivery “%(type)s” to %(url)s sent again"),
            example={"url": "https://crm.example.org/hooks", "type": "registration.created"},
        ),
        LogType(
            action="api.webhook_disabled",
            sentence=_("Webhook to %(url)s switched off: %(why)s"),
            example={"url": "https://crm.example.org/hooks", "why": "410 Gone"},
        ),
    )
