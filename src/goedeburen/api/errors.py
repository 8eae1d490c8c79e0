"""Every API error as RFC 9457 problem details, with the domain error's stable `code`."""

from collections.abc import Mapping
from http import HTTPStatus

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from goedeburen.common.exceptions import DomainError


def problem_handler(exc, context):
    """Answer every error as RFC 9457 problem details, with the domain error's `code`."""
    if isinstance(exc, DomainError):
        body = {"type": "about:blank", "title": _("Refused"), "status": 422}
        body.update({"detail": str(exc.message), "code": exc.code})
        return Response(body, status=422, content_type="application/problem+json")
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, FieldsRefused):
        body = {"detail": exc.summary, "errors": data}
        code = exc.domain_code
    elif isinstance(exc, exceptions.ValidationError):
        body = {"detail": _("The request has invalid fields."), "errors": data}
        code = "invalid"
    elif isinstance(data, dict) and "detail" in data:
        body = {"detail": str(data["detail"])}
        code = getattr(data["detail"], "code", code) or code
    else:
        body = {"detail": str(data)}
    problem = {
        "type": "about:blank",
        "title": status_title(response.status_code),
        "status": response.status_code,
        "code": str(code),
        **body,
    }
    response.data = problem
    response.content_type = "application/problem+json"
    return response


class FieldsRefused(exceptions.ValidationError):
    """A domain refusal about values the request gave (`DomainError.fields`): a 400 with
    the domain's message at those fields in `errors`, as the serializers' own refusals,
    but with the domain's `code` (`billing_missing`, `consent_missing`; `invalid` for an
    answer it refuses).

    `names` maps a field's name in the domain to the one the API takes it under (a
    `Billing`'s `address` is a registration's `billing_address`); others keep theirs. A
    dotted name is nested as a serializer nests it: `answers.12` at `{"answers": {"12":
    […]}}`.
    """

    def __init__(self, refused: DomainError, *, names: Mapping[str, str]):
        message = str(refused.message)
        errors: dict = {}
        for field in refused.fields:
            name, _dot, key = field.partition(".")
            name = names.get(name, name)
            if key:
                errors.setdefault(name, {})[key] = [message]
            else:
                errors[name] = [message]
        super().__init__(errors)
        self.summary = message
        self.domain_code = refused.code


def status_title(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return str(code)
