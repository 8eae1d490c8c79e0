"""The API's endpoints: reads for every resource group, registrations created by the service.

Each view declares its `scope` (and `write_scope`); `rest.ScopedPermission` checks the
token's scope and its maker's role on the event in the URL. Lists are cursor-paginated,
accept `updated_since`, and use a fixed number of queries whatever their length.
"""

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from goedeburen.events.models import (
    Event,
    Organiser,
    ProgrammeItem,
    Project,
    Round,
    Session,
    Speaker,
)
from goedeburen.mail.models import OutgoingMail
from goedeburen.matching import queries as matching_queries
from goedeburen.matching.models import AssignmentRun, Placement
from goedeburen.payments import queries as payment_queries
from goedeburen.payments.downloads import invoice_response, invoice_ubl_response
from goedeburen.payments.models import Invoice, Payment
from goedeburen.registration import queries as registration_queries
from goedeburen.registration import services as registration_services
from goedeburen.registration import tokens as registration_tokens
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Answer, Attendee, Question, Registration, TicketType
from goedeburen.registration.services.editing import SENSITIVE_FIELDS

from . import rest, serializers
from .errors import FieldsRefused
from .scopes import may_see_bank_lines

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description=(
        "Only what changed at or after this moment (ISO 8601). For programme resources, "
        "which have no time stamp of their own, the whole list when the event's programme "
        "changed since then, else an empty list."
    ),
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description=(
        "Any unique string up to 255 characters, no control characters. The same key with "
        "the same request returns the first answer again and does nothing; with another "
        "request it is refused (400)."
    ),
)


def expand_parameter(*names: str) -> OpenApiParameter:
    return OpenApiParameter(
        "expand",
        OpenApiTypes.STR,
        enum=list(names),
        description="Include the related objects instead of their ids: "
        + ", ".join(names)
        + " (comma-separated).",
    )


class BaseView(rest.ETagMixin, rest.EventMixin, generics.GenericAPIView):
    pagination_class = rest.Pagination
    # The field that tells when a row last changed, for `updated_since` (None: the event's).
    updated_field: str | tuple[str, ...] | None = None
    expandable: tuple[str, ...] = ()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        raw = self.request.query_params.get("expand")
        wanted = set(raw.split(",")) if raw is not None else set()
        # An empty name (`?expand=`, `?expand=attendees,`) is refused too, as the schema's
        # enum says.
        unknown = wanted - set(self.expandable)
        if unknown:
            names = ", ".join(f'"{name}"' for name in sorted(unknown))
            raise ValidationError({"expand": [_("Cannot expand: %(names)s.") % {"names": names}]})
        context["expand"] = wanted
        if "event" in self.kwargs:
            context["special"] = rest.may(self.request, "special_category:read", self.get_event())
        return context

    def filter_updated(self, queryset):
        value = self.request.query_params.get("updated_since")
        if value is None:
            return queryset
        since = rest.parse_since(value)
        if self.updated_field is None:
            return queryset if self.get_event().updated >= since else queryset.none()
        fields = (
            (self.updated_field,) if isinstance(self.updated_field, str) else self.updated_field
        )
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__gte": since})
        return queryset.filter(condition)

    def filter_queryset(self, queryset):
        return self.filter_updated(super().filter_queryset(queryset))


class ListView(mixins.ListModelMixin, BaseView):
    @extend_schema(parameters=[UPDATED_SINCE])
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


# Organisers and events ----------------------------------------------------------------


class OrganiserViewSet(rest.ETagMixin, viewsets.ReadOnlyModelViewSet):
    """The organisers whose events the token reaches."""

    serializer_class = serializers.OrganiserSerializer
    queryset = Organiser.objects.none()  # for the schema; `get_queryset` picks the rows
    pagination_class = rest.Pagination
    lookup_field = "slug"
    scope = "events:read"
    write_scope = None

    def get_queryset(self):
        ids = rest.visible_events(self.request).values("organiser_id")
        return Organiser.objects.filter(pk__in=ids)


class EventViewSet(rest.ETagMixin, viewsets.ReadOnlyModelViewSet):
    """The events the token reaches."""

    serializer_class = serializers.EventSerializer
    queryset = Event.objects.none()  # for the schema; `get_queryset` picks the rows
    pagination_class = rest.Pagination
    lookup_field = "slug"
    scope = "events:read"
    write_scope = None

    def get_queryset(self):
        return rest.visible_events(self.request)

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        value = self.request.query_params.get("updated_since")
        if value is not None:
            queryset = queryset.filter(updated__gte=rest.parse_since(value))
        return queryset


# Programme -----------------------------------------------------------------------------


class RoundList(ListView):
    """The rounds of parallel sessions, in time order."""

    serializer_class = serializers.RoundSerializer
    expandable = ("sessions",)

    def get_queryset(self):
        sessions = Session.objects.prefetch_related("projects").order_by("pk")
        return Round.objects.filter(event=self.get_event()).prefetch_related(
            Prefetch("sessions", queryset=sessions)
        )

    @extend_schema(parameters=[UPDATED_SINCE, expand_parameter("sessions")])
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class SessionList(ListView):
    """Every session of every round."""

    serializer_class = serializers.SessionSerializer

    def get_queryset(self):
        return Session.objects.filter(round__event=self.get_event()).prefetch_related("projects")


class ItemList(ListView):
    """The programme items (plenary, reflections, films, lunch …)."""

    serializer_class = serializers.ProgrammeItemSerializer

    def get_queryset(self):
        return ProgrammeItem.objects.filter(event=self.get_event()).prefetch_related(
            "speakers", "projects"
        )


class SpeakerList(ListView):
    serializer_class = serializers.SpeakerSerializer

    def get_queryset(self):
        return Speaker.objects.filter(event=self.get_event())


class ProjectList(ListView):
    serializer_class = serializers.ProjectSerializer

    def get_queryset(self):
        return Project.objects.filter(event=self.get_event())


class RoomList(ListView):
    """The rooms of the event's venue."""

    serializer_class = serializers.RoomSerializer

    def get_queryset(self):
        from goedeburen.events.models import Room

        return Room.objects.filter(venue_id=self.get_event().venue_id)


# Tickets and quotas --------------------------------------------------------------------


class TicketTypeList(ListView):
    """Ticket types with the places left now (`free`)."""

    serializer_class = serializers.TicketTypeSerializer

    def get_queryset(self):
        return TicketType.objects.filter(event=self.get_event())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        figures = registration_queries.capacity(self.get_event(), now=timezone.now())
        context["free"] = {
            ticket_type.pk: use.free
            for ticket_type, use in zip(
                TicketType.objects.filter(event=self.get_event()),
                figures.ticket_types,
                strict=True,
            )
        }
        return context


class QuotaList(BaseView):
    """Quotas with live use: confirmed, held, free, on the waiting list."""

    serializer_class = serializers.QuotaSerializer
    pagination_class = None

    @extend_schema(responses=serializers.QuotaSerializer(many=True))
    def get(self, request, *args, **kwargs):
        from goedeburen.registration.models import Quota

        event = self.get_event()
        figures = registration_queries.capacity(event, now=timezone.now())
        quotas = list(Quota.objects.filter(event=event).prefetch_related("ticket_types"))
        rows = [
            {
                "id": quota.pk,
                "name": use.name,
                "size": use.size,
                "confirmed": use.confirmed,
                "held": use.held,
                "free": use.free,
                "waiting": use.waiting,
                "ticket_types": [t.pk for t in quota.ticket_types.all()],
            }
            for quota, use in zip(quotas, figures.quotas, strict=True)
        ]
        return Response(serializers.QuotaSerializer(rows, many=True).data)


# Registrations -------------------------------------------------------------------------


class RegistrationList(ListView):
    """Registrations (bookings); POST registers through the same service as the form."""

    serializer_class = serializers.RegistrationSerializer
    scope = "registrations:read"
    write_scope = "registrations:write"
    updated_field = "updated"
    expandable = ("attendees",)

    def get_queryset(self):
        found = Registration.objects.filter(event=self.get_event()).prefetch_related("attendees")
        wanted = self.request.query_params.get("status")
        if wanted and wanted not in RegistrationStatus.values:
            # Refused, not an empty list: a typo must not read as "none of them" (and a NUL
            # byte would reach the database, which refuses it).
            names = ", ".join(RegistrationStatus.values)
            raise ValidationError(
                {"status": [_("Unknown status; give one of: %(names)s.") % {"names": names}]}
            )
        return found.filter(status=wanted) if wanted else found

    @extend_schema(
        parameters=[
            UPDATED_SINCE,
            expand_parameter("attendees"),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=RegistrationStatus.values,
                description="Only this status.",
            ),
        ]
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        request=serializers.NewRegistrationSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: serializers.RegistrationSerializer, 422: OpenApiResponse()},
    )
    def post(self, request, *args, **kwargs):
        return rest.idempotent(request, lambda: self._create(request))

    def _create(self, request):
        event = self.get_event()
        incoming = serializers.NewRegistrationSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        ticket_types = {t.pk: t for t in TicketType.objects.filter(event=event)}
        attendees = []
        for n, person in enumerate(data["attendees"]):
            ticket_type = ticket_types.get(person.pop("ticket_type"))
            if ticket_type is None:
                raise ValidationError(
                    {"attendees": {n: {"ticket_type": [_("Not a ticket type of this event.")]}}}
                )
            answers = {}
            for question_id, value in person.pop("answers").items():
                if not str(question_id).isdecimal():
                    raise ValidationError(
                        {"attendees": {n: {"answers": [_("Keys are question ids.")]}}}
                    )
                answers[int(question_id)] = value
            attendees.append(
                registration_services.AttendeeDetails(
                    ticket_type=ticket_type, answers=answers, **person
                )
            )
        billing = registration_services.Billing(**data.get("billing", {}))
        registration = registration_services.register(
            event,
            booker=registration_services.Booker(name=data["booker_name"], email=data["email"]),
            attendees=attendees,
            billing=billing,
            form_token=registration_tokens.issue_form_token(event_id=event.pk),
            language=data["language"],
            by=request.user,
        )
        fresh = Registration.objects.prefetch_related("attendees").get(pk=registration.pk)
        context = {**self.get_serializer_context(), "expand": {"attendees"}}
        body = serializers.RegistrationSerializer(fresh, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description=(
        "The `ETag` of the resource as you last read it (with the same `expand`): the "
        "change is made only when nobody changed it since, else 412."
    ),
)


class ChangeView(BaseView):
    """A resource that PATCH changes through `registration.services.change_registration`,
    the one use case of the back office and the participant's own page."""

    write_scope = "registrations:write"
    # The name a field the service refuses at (`DomainError.fields`) has here, when it
    # has another (`errors.FieldsRefused`).
    refused_names: dict[str, str] = {}

    def get(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def patch(self, request, *args, **kwargs):
        return rest.idempotent(request, lambda: self._change(request))

    def _change(self, request):
        found = self.get_object()
        context = self.change_context(found)
        incoming = self.change_serializer_class(data=request.data, partial=True, context=context)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        self.check_special_category(values, questions=context.get("questions", {}))
        seen = None
        if self.check_if_match(request, self.get_serializer(found).data):
            # What the client read: a change after this moment is refused under the lock.
            seen = found.registration.updated if isinstance(found, Attendee) else found.updated
        try:
            self.change(found, values, by=request.user, seen=seen)
        except RegistrationError as refused:
            if refused.code == "changed_meanwhile":  # between the If-Match and the lock
                raise rest.PreconditionFailed from refused
            # Billing an invoice cannot use, an answer, a consent withdrawn meanwhile.
            if refused.fields:
                raise FieldsRefused(refused, names=self.refused_names) from refused
            raise
        return Response(self.get_serializer(self.get_object()).data)

    def change_context(self, found) -> dict:
        return {}

    def check_special_category(self, values: dict, *, questions: dict) -> None:
        """Refuse (403) a change of sensitive details without the right to see them, as
        the back office's edit screen leaves them out."""
        names = sorted(set(values) & SENSITIVE_FIELDS)
        names += [
            f"answers.{pk}" for pk in values.get("answers", {}) if questions[pk].special_category
        ]
        if names and not rest.may(self.request, "special_category:read", self.get_event()):
            raise PermissionDenied(
                _("Changing %(fields)s needs the scope special_category:read.")
                % {"fields": ", ".join(names)}
            )


class RegistrationDetail(ChangeView):
    """One registration; PATCH changes the booker's and billing details."""

    serializer_class = serializers.RegistrationSerializer
    change_serializer_class = serializers.RegistrationChangeSerializer
    scope = "registrations:read"
    expandable = ("attendees",)
    refused_names = {source: name for name, source in serializers.BILLING_NAMES.items()}

    def get_object(self):
        return get_object_or_404(
            Registration.objects.prefetch_related("attendees"),
            event=self.get_event(),
            code=self.kwargs["code"],
        )

    @extend_schema(parameters=[expand_parameter("attendees")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=serializers.RegistrationChangeSerializer,
        parameters=[expand_parameter("attendees"), IDEMPOTENCY_KEY, IF_MATCH],
        responses={200: serializers.RegistrationSerializer},
    )
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def change(self, registration, values, *, by, seen):
        registration_services.change_registration(registration, by=by, details=values, seen=seen)


class AttendeeDetail(ChangeView):
    """One attendee; PATCH changes the details a participant may change themselves."""

    serializer_class = serializers.AttendeeSerializer
    change_serializer_class = serializers.AttendeeChangeSerializer
    scope = "registrations:read"

    def get_object(self):
        return get_object_or_404(
            Attendee.objects.select_related("registration"),
            registration__event=self.get_event(),
            pk=self.kwargs["attendee"],
        )

    def change_context(self, found) -> dict:
        if not hasattr(self, "_questions"):
            self._questions = {
                q.pk: q for q in registration_queries.event_questions(self.get_event())
            }
        return {"attendee": found, "questions": self._questions}

    @extend_schema(
        request=serializers.AttendeeChangeSerializer,
        parameters=[IDEMPOTENCY_KEY, IF_MATCH],
        responses={200: serializers.AttendeeSerializer},
    )
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def change(self, attendee, values, *, by, seen):
        answers = values.pop("answers", None)
        registration_services.change_registration(
            attendee.registration,
            by=by,
            attendees={attendee.pk: values},
            answers={attendee.pk: answers},
            # Only the questions answered: the others keep their answers.
            asked=[self._questions[pk] for pk in answers or ()],
            seen=seen,
        )


class AttendeeList(ListView):
    """Attendees of every registration; special-category fields only with their scope."""

    serializer_class = serializers.AttendeeSerializer
    scope = "registrations:read"
    updated_field = "registration__updated"

    def get_queryset(self):
        return Attendee.objects.filter(registration__event=self.get_event()).select_related(
            "registration"
        )


class QuestionList(ListView):
    serializer_class = serializers.QuestionSerializer

    def get_queryset(self):
        return Question.objects.filter(event=self.get_event()).prefetch_related(
            "options", "ticket_types"
        )


class AnswerList(ListView):
    """Answers to the organiser's questions; special-category ones only with their scope."""

    serializer_class = serializers.AnswerSerializer
    scope = "registrations:read"
    updated_field = "attendee__registration__updated"

    def get_queryset(self):
        found = Answer.objects.filter(question__event=self.get_event()).prefetch_related("options")
        if not rest.may(self.request, "special_category:read", self.get_event()):
            found = found.filter(question__special_category=False)
        return found


# Money ---------------------------------------------------------------------------------


class PaymentList(ListView):
    serializer_class = serializers.PaymentSerializer
    scope = "payments:read"
    updated_field = ("created", "confirmed")

    def get_queryset(self):
        return Payment.objects.filter(registration__event=self.get_event()).select_related(
            "registration"
        )


class PaymentDetail(BaseView):
    serializer_class = serializers.PaymentSerializer
    scope = "payments:read"

    def get(self, request, *args, **kwargs):
        found = get_object_or_404(
            Payment.objects.select_related("registration"),
            registration__event=self.get_event(),
            pk=kwargs["pk"],
        )
        return Response(self.get_serializer(found).data)


def _invoices(event):
    return Invoice.objects.filter(event=event).select_related("registration", "credits", "event")


class InvoiceList(ListView):
    """Invoices and credit notes, with a link to each PDF."""

    serializer_class = serializers.InvoiceSerializer
    scope = "payments:read"
    updated_field = "created"

    def get_queryset(self):
        return _invoices(self.get_event())


class InvoiceDetail(BaseView):
    serializer_class = serializers.InvoiceSerializer
    scope = "payments:read"

    def get(self, request, *args, **kwargs):
        found = get_object_or_404(_invoices(self.get_event()), pk=kwargs["pk"])
        return Response(self.get_serializer(found).data)


class InvoicePdf(rest.EventMixin, APIView):
    """The invoice or credit note as a PDF."""

    scope = "payments:read"

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, *args, **kwargs):
        found = get_object_or_404(Invoice, event=self.get_event(), pk=kwargs["pk"])
        return invoice_response(found)


class InvoiceUbl(rest.EventMixin, APIView):
    """The invoice or credit note as an e-invoice: UBL 2.1 (EN 16931, Peppol BIS Billing 3)."""

    scope = "payments:read"

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY})
    def get(self, request, *args, **kwargs):
        found = get_object_or_404(Invoice, event=self.get_event(), pk=kwargs["pk"])
        return invoice_ubl_response(found)


class BankLineList(ListView):
    """The organiser's imported bank lines (an organiser-wide owner or finance role)."""

    serializer_class = serializers.BankLineSerializer
    scope = "payments:read"
    updated_field = "statement__created"

    def get_event(self):
        return None

    def get_queryset(self):
        organiser = get_object_or_404(
            Organiser.objects.filter(
                pk__in=rest.visible_events(self.request).values("organiser_id")
            ),
            slug=self.kwargs["organiser"],
        )
        token = rest.token_of(self.request)
        if (token is not None and token.event_id is not None) or not may_see_bank_lines(
            self.request.user, organiser
        ):
            raise Http404
        # The export's query; the cursor pagination orders it by pk.
        return payment_queries.bank_lines(organiser)

    def filter_updated(self, queryset):
        value = self.request.query_params.get("updated_since")
        if value is None:
            return queryset
        return queryset.filter(statement__created__gte=rest.parse_since(value))


# Mail and matching ---------------------------------------------------------------------


class MailList(ListView):
    """The outbox: what was sent to whom and when (no bodies)."""

    serializer_class = serializers.MailSerializer
    scope = "mail:read"
    updated_field = ("created", "sent_at")

    def get_queryset(self):
        return OutgoingMail.objects.filter(event=self.get_event()).select_related("registration")


class RunList(ListView):
    serializer_class = serializers.RunSerializer
    scope = "matching:read"
    updated_field = ("created", "published_at")

    def get_queryset(self):
        return AssignmentRun.objects.filter(event=self.get_event())


class RunDetail(BaseView):
    serializer_class = serializers.RunSerializer
    scope = "matching:read"

    def get(self, request, *args, **kwargs):
        found = get_object_or_404(AssignmentRun, event=self.get_event(), pk=kwargs["pk"])
        return Response(self.get_serializer(found).data)


class PlacementList(ListView):
    """Who sits in which session, in the published placement (empty before publishing)."""

    serializer_class = serializers.PlacementSerializer
    scope = "matching:read"
    updated_field = "run__published_at"

    def get_queryset(self):
        run = matching_queries.published_run(self.get_event())
        if run is None:
            return Placement.objects.none()
        return Placement.objects.filter(run=run)


class CheckInList(ListView):
    """Check-ins at the door and in sessions; POST records a scan as the phone app does."""

    serializer_class = serializers.CheckInSerializer
    scope = "checkin:read"
    write_scope = "checkin:write"
    updated_field = ("recorded", "undone")

    def get_queryset(self):
        from goedeburen.checkin.models import CheckIn

        return CheckIn.objects.filter(event=self.get_event())

    @extend_schema(
        request=serializers.NewScanSerializer,
        responses={200: serializers.ScanResultSerializer},
    )
    def post(self, request, *args, **kwargs):
        from goedeburen.checkin.services.checking import ScanInput, Staff, record_scan

        incoming = serializers.NewScanSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        token = rest.token_of(request)
        staff = Staff(
            user=request.user,
            device=f"api-{token.pk}" if token else f"api-user-{request.user.pk}",
            door="API",
        )
        result = record_scan(
            self.get_event(),
            ScanInput(
                nonce=data["nonce"],
                at=data["at"],
                ticket_hash=data["ticket_hash"],
                attendee_id=data["attendee"],
                session_id=data["session"],
            ),
            staff=staff,
        )
        body = {
            "nonce": result.nonce,
            "outcome": str(result.outcome),
            "reason": str(result.reason or ""),
            "attendee": result.attendee.pk if result.attendee else None,
            "check_in": result.check_in.pk if result.check_in else None,
            "replayed": result.replayed,
        }
        return Response(serializers.ScanResultSerializer(body).data)


def not_found(request, *args, **kwargs):
    """Answer a path under /api/v1/ that names no endpoint, as problem details."""
    from django.http import JsonResponse

    from .errors import status_title

    body = {
        "type": "about:blank",
        "title": status_title(404),
        "status": 404,
        "code": "not_found",
        "detail": _("There is no such endpoint."),
    }
    return JsonResponse(body, status=404, content_type="application/problem+json")


class SurveyResults(BaseView):
    """The evaluation survey's results, as the back office shows them.

    In an anonymous survey a group (a question for the day or for one session) of fewer
    than 5 answers is `hidden` and gives no numbers and no texts: a few could tell who
    answered. No response is ever given one by one.
    """

    serializer_class = serializers.SurveyResultsSerializer
    scope = "survey:read"

    def get(self, request, *args, **kwargs):
        from goedeburen.survey import results
        from goedeburen.survey.services import survey_of

        survey = survey_of(self.get_event())
        total, found = results.results(survey) if survey.pk else (0, [])
        data = {
            "state": survey.state,
            "anonymous": survey.anonymous,
            "responses": total,
            "questions": found,
        }
        return Response(self.get_serializer(data).data)
