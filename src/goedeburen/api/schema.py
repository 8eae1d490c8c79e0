"""How the OpenAPI document describes our token authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "goedeburen.api.rest.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "gbt_…"}


PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable code of the error, for programs."},
        "errors": {"type": "object", "description": "Per field, what is wrong (400 only)."},
    },
    "required": ["type", "title", "status", "code"],
}
ERRORS = {
    "400": "The request is not valid (see `errors`).",
    "401": "No valid token.",
    "403": "The token lacks the scope, or its maker the right.",
    "404": "Not found, or not yours to see.",
    "429": "Too many requests: wait `Retry-After` seconds.",
}
WRITE_ERRORS = {"422": "The domain refused (see `code`: sold_out, closed …)."}
# Request bodies that refuse a field they do not name (`serializers.ChangeSerializer`).
CLOSED = ("PatchedRegistrationChangeRequest", "PatchedAttendeeChangeRequest")
CHANGE_ERRORS = {
    "400": (
        "The request is not valid: `errors` names the fields. `code` is `invalid`, or the "
        "domain's own when it refused the values as they would be stored: "
        "`billing_missing` (billing details an invoice cannot use, such as a paid "
        "registration's address cleared) or `consent_missing` (special-category details "
        "without the consent, as when it was withdrawn meanwhile)."
    ),
    "412": "`If-Match` names an ETag the resource no longer has: read it again.",
    "422": "The domain refused (see `code`: wrong_state …).",
}


def _local_times(node) -> None:
    # A programme time is wall-clock time at the venue (Europe/Amsterdam), without an offset:
    # JSON Schema's "time" format (RFC 3339) demands one, so say what it really is.
    if isinstance(node, dict):
        if node.get("format") == "time":
            node.pop("format")
            node["pattern"] = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"
            node.setdefault("description", "Local time at the venue (Europe/Amsterdam).")
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def add_problem_responses(result, generator, request, public):
    """Document the problem-details answers every operation can give (postprocessing hook).

    Also describe programme times as local wall-clock times (see `_local_times`).
    """
    _local_times(result.get("components", {}))
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM
    for name in CLOSED:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    reference = {"$ref": "#/components/schemas/Problem"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            extra = {"post": WRITE_ERRORS, "patch": CHANGE_ERRORS}.get(method, {})
            wanted = {**ERRORS, **extra}
            if method == "get":
                responses.setdefault("304", {"description": "Not modified (ETag matched)."})
            for code, text in wanted.items():
                responses.setdefault(
                    code,
                    {
                        "description": text,
                        "content": {"application/problem+json": {"schema": reference}},
                    },
                )
    return result
