"""The API's conventions in one place: token auth, scopes, pagination, problem details, ETags."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, pagination, parsers, permissions, status, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.response import Response

from goedeburen.common.text import holds_surrogate
from goedeburen.events.models import Event

from .credentials import TOKEN_PREFIX, hash_token
from .models import ApiToken, IdempotencyRecord
from .scopes import PERMISSIONS

# How often `last_used` is written for a busy token: not on every request.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer gbt_…`: the token acts for the person who made it."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give one token after “Bearer”."))
        try:
            text = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        if not text.startswith(TOKEN_PREFIX) or len(text) > 100:
            raise exceptions.AuthenticationFailed(_("This token is not valid."))
        token = (
            ApiToken.objects.select_related("created_by", "organiser", "event")
            .filter(token_hash=hash_token(text))
            .first()
        )
        if token is None or not token.is_active or not token.created_by.is_active:
            raise exceptions.AuthenticationFailed(
                _("This token is not valid, has expired or was revoked.")
            )
        now = timezone.now()
        if token.last_used is None or token.last_used < now - LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.created_by, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def token_of(request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def has_scope(request, scope: str) -> bool:
    """Tell whether the request's token holds `scope` (a signed-in page holds every scope)."""
    token = token_of(request)
    if token is None:
        return request.user.is_authenticated
    return scope in token.scopes


def may(request, scope: str, event: Event) -> bool:
    """Tell whether the request may use `scope` on `event`: token scope, reach and role."""
    token = token_of(request)
    if token is not None:
        if token.organiser_id != event.organiser_id:
            return False
        if token.event_id is not None and token.event_id != event.pk:
            return False
    return has_scope(request, scope) and request.user.has_perm(PERMISSIONS[scope], event)


def visible_events(request):
    """Return the events the request may see at all (before any scope)."""
    token = token_of(request)
    found = Event.objects.select_related("organiser", "venue")
    if token is not None:
        found = found.filter(organiser_id=token.organiser_id)
        if token.event_id is not None:
            found = found.filter(pk=token.event_id)
    elif not request.user.is_superuser:
        found = found.filter(organiser__team__user=request.user).distinct()
    return found


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a body with a lone surrogate ("\\ud800") in any text.

    JSON can spell half of a UTF-16 pair; no text we store may hold one (PostgreSQL
    cannot), and an error message that quotes the value sent (a choice field's) could not
    even be written out: a 500 instead of a 400.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        # Arrays or objects nested deeper than Python reads (or than the walk below goes)
        # raise RecursionError, which DRF does not turn into a 400: a 500 before.
        try:
            data = super().parse(stream, media_type, parser_context)
            surrogate = _holds_surrogate(data)
        except RecursionError as too_deep:
            message = _("The request is nested too deeply to be read.")
            raise exceptions.ParseError(message) from too_deep
        if surrogate:
            raise exceptions.ParseError(
                _("The request holds a character that is not allowed: half of a UTF-16 pair.")
            )
        return data


def _holds_surrogate(data) -> bool:
    if isinstance(data, str):
        return holds_surrogate(data)
    if isinstance(data, dict):
        return any(_holds_surrogate(key) or _holds_surrogate(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_holds_surrogate(item) for item in data)
    return False


class ScopedPermission(permissions.BasePermission):
    """The view's `scope` (or `write_scope` for POST) on its event, from the URL."""

    message = gettext_lazy("Your token lacks the scope or your role the right for this.")

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        scope = view.write_scope if request.method not in permissions.SAFE_METHODS else view.scope
        if scope is None:
            return request.method in permissions.SAFE_METHODS
        if not has_scope(request, scope):
            return False
        event = view.get_event() if "event" in view.kwargs else None
        if event is not None and not may(request, scope, event):
            if not may(request, "events:read", event):
                raise Http404
            return False
        return True


class EventMixin:
    """Views below `/events/<slug>/`: the event, loaded once, among those the token reaches."""

    scope: str | None = "events:read"
    write_scope: str | None = None

    def get_event(self) -> Event:
        if not hasattr(self, "_event"):
            self._event = get_object_or_404(visible_events(self.request), slug=self.kwargs["event"])
        return self._event


class Pagination(pagination.CursorPagination):
    """Cursor pages of 100 (at most 500) in a stable order: `next`/`previous` links."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "pk"

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is not None and not (value.isdecimal() and 1 <= int(value) <= self.max_page_size):
            raise exceptions.ValidationError(
                {
                    "page_size": [
                        _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return super().get_page_size(request)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # The position is a row's pk (`ordering`); DRF hands a made-up cursor's position to
        # the database as it is, which answers anything but a number with a 500.
        if cursor is not None and cursor.position is not None:
            try:
                int(cursor.position)
            except ValueError:
                raise exceptions.NotFound(self.invalid_cursor_message) from None
        return cursor

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters


class TokenThrottle(throttling.SimpleRateThrottle):
    """Requests per token (or signed-in user) in the shared cache; 429 with Retry-After."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = token_of(request)
        ident = f"t{token.pk}" if token else f"u{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def parse_since(value: str) -> dt.datetime:
    """Read `updated_since` (an ISO date or date-time); raise ValidationError when it is not."""
    problem = exceptions.ValidationError(
        {"updated_since": [_("Give a date or date and time in ISO 8601, such as 2027-01-08.")]}
    )
    try:
        moment = parse_datetime(value) if value else None
        if moment is None and value:
            day = parse_date(value) if len(value) == 10 else None
            moment = dt.datetime.combine(day, dt.time()) if day else None
        if moment is None:
            raise problem
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # In UTC: the database need not know odd offsets such as +20:30.
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise problem from None


def etag(content: bytes) -> str:
    """Return the strong ETag of a rendered answer: a hash of its bytes."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


class ETagMixin:
    """A strong ETag on every successful GET and PATCH; `If-None-Match` with it answers 304.

    A PATCH with `If-Match` changes only what the client last read (`check_if_match`).
    """

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "PATCH") and response.status_code == status.HTTP_200_OK:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            tag = etag(response.content)
            response["ETag"] = tag
            response["Cache-Control"] = "private, no-cache"
            wanted = request.headers.get("If-None-Match", "")
            if request.method == "GET" and tag in [part.strip() for part in wanted.split(",")]:
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED)
                not_modified["ETag"] = tag
                not_modified.accepted_renderer = response.accepted_renderer
                not_modified.accepted_media_type = response.accepted_media_type
                not_modified.renderer_context = response.renderer_context
                not_modified.render()
                return not_modified
        return response

    def check_if_match(self, request, data) -> bool:
        """Refuse (412) a request whose `If-Match` names no ETag of `data`, the resource as
        a GET with the same query and headers answers it now. Return whether there was a
        condition to check (none without `If-Match`, or with "*")."""
        wanted = request.headers.get("If-Match", "").strip()
        if wanted in ("", "*"):
            return False
        current = Response(data)
        current.accepted_renderer = request.accepted_renderer
        current.accepted_media_type = request.accepted_media_type
        current.renderer_context = self.get_renderer_context()
        current.render()
        if etag(current.content) not in [part.strip() for part in wanted.split(",")]:
            raise PreconditionFailed
        return True


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy(
        "The resource changed since you read it: read it again, then send your change."
    )
    default_code = "precondition_failed"


def check_idempotency_key(key: str) -> None:
    """Refuse an `Idempotency-Key` that cannot be stored (too long, a control character)."""
    # PostgreSQL cannot store a NUL byte (a 500).
    if len(key) > 255 or not key.isprintable():
        raise exceptions.ValidationError(
            {"Idempotency-Key": [_("At most 255 characters, and no control characters.")]}
        )


def idempotent(request, respond: Callable[[], Response]) -> Response:
    """Answer a write with `respond()`, once per `Idempotency-Key` of the token.

    The same key with the same method, path and body answers the first answer again
    (`Idempotent-Replayed: true`) and does nothing; with another request it is refused.
    The record is written in the write's transaction: of two racing requests one waits.
    """
    key = request.headers.get("Idempotency-Key", "")
    check_idempotency_key(key)
    token = token_of(request)
    if not key or token is None:
        return respond()
    digest = _request_hash(request)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                token=token, key=key, request_hash=digest, status=0
            )
            response = respond()
            record.status, record.body = response.status_code, response.data
            record.save(update_fields=["status", "body"])
            return response
    except IntegrityError:  # the same key was used before (or at this very moment)
        record = IdempotencyRecord.objects.get(token=token, key=key)
        if record.request_hash != digest:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("This key was used before with another request.")]}
            ) from None
        replay = Response(record.body, status=record.status)
        replay["Idempotent-Replayed"] = "true"
        return replay


def _request_hash(request) -> str:
    # The method and path too: a key used for one write is not the answer to another.
    sent = {"method": request.method, "path": request.path, "body": request.data}
    return hashlib.sha256(json.dumps(sent, sort_keys=True, default=str).encode()).hexdigest()
