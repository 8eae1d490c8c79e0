"""What the API shows of each resource, and what it takes to create a registration.

Texts come in both languages (`name_nl`, `name_en`). Special-category fields (dietary
wishes, accessibility needs, answers to special-category questions) appear only for a token
with the `special_category:read` scope whose maker may see them.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from goedeburen.common.text import tidy_lines
from goedeburen.events.models import (
    Event,
    Organiser,
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Speaker,
)
from goedeburen.mail.models import OutgoingMail
from goedeburen.matching.models import AssignmentRun, Placement
from goedeburen.payments.models import BankTransaction, Invoice, Payment
from goedeburen.registration.billing import (
    einvoice_problem,
    tidy_org_id,
    tidy_peppol_id,
    tidy_vat_number,
)
from goedeburen.registration.enums import AttendingRole, BadgeName
from goedeburen.registration.exceptions import CONSENT_MISSING
from goedeburen.registration.models import (
    ORGANISATION_ID,
    PEPPOL_ID,
    VAT_NUMBER,
    Answer,
    Attendee,
    Question,
    Registration,
    TicketType,
    lacks_consent,
)
from goedeburen.registration.services.editing import ATTENDEE_FIELDS, REGISTRATION_FIELDS
from goedeburen.registration.services.questions import ANSWER_NEEDS_CONSENT

from .fields import TidyCharField

# An attendee's fields that only the scope special_category:read gives: the attending role
# too, as in the back office (it marks a resident; changing it already needs that scope).
SPECIAL_FIELDS = ("role", "dietary_wishes", "accessibility_needs")


class OrganiserSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organiser
        fields = ["slug", "name"]


class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "capacity", "step_free"]


class EventSerializer(serializers.ModelSerializer):
    organiser = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    venue = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "organiser",
            "name_nl",
            "name_en",
            "tagline_nl",
            "tagline_en",
            "date",
            "start_time",
            "end_time",
            "status",
            "venue",
            "contact_email",
            "updated",
        ]

    @extend_schema_field(
        {
            "type": ["object", "null"],
            "properties": {
                "name": {"type": "string"},
                "street": {"type": "string"},
                "postal_code": {"type": "string"},
                "city": {"type": "string"},
            },
        }
    )
    def get_venue(self, event):
        venue = event.venue
        if venue is None:
            return None
        return {
            "name": venue.name,
            "street": venue.street,
            "postal_code": venue.postal_code,
            "city": venue.city,
        }


class SpeakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["id", "slug", "name", "affiliation_nl", "affiliation_en", "bio_nl", "bio_en"]


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "slug",
            "name",
            "place",
            "groups_nl",
            "groups_en",
            "description_nl",
            "description_en",
            "website",
        ]


class ProgrammeItemSerializer(serializers.ModelSerializer):
    room = serializers.PrimaryKeyRelatedField(read_only=True)
    speakers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    projects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ProgrammeItem
        fields = [
            "id",
            "kind",
            "title_nl",
            "title_en",
            "description_nl",
            "description_en",
            "start",
            "end",
            "room",
            "speakers",
            "projects",
        ]


class SessionSerializer(serializers.ModelSerializer):
    round = serializers.PrimaryKeyRelatedField(read_only=True)
    room = serializers.PrimaryKeyRelatedField(read_only=True)
    projects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "round",
            "kind",
            "title_nl",
            "title_en",
            "description_nl",
            "description_en",
            "room",
            "capacity",
            "start",
            "end",
            "projects",
        ]


def expanded(parent: serializers.Serializer, serializer_class, rows) -> list:
    """Return `rows` as `serializer_class` represents them, for `?expand=`.

    One serializer per parent serializer, not per row: a ModelSerializer builds its fields
    on first use, which cost 5 ms a row on a page of 100 registrations.
    """
    cache = parent.__dict__.setdefault("_expanded", {})
    child = cache.get(serializer_class)
    if child is None:
        child = cache[serializer_class] = serializer_class(context=parent.context)
    return [child.to_representation(row) for row in rows]


class RoundSerializer(serializers.ModelSerializer):
    sessions = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = ["id", "title_nl", "title_en", "start", "end", "sessions"]

    @extend_schema_field(
        {
            "description": "Session ids; the sessions themselves with `?expand=sessions`.",
            "type": "array",
            "items": {"oneOf": [{"type": "integer"}, {"$ref": "#/components/schemas/Session"}]},
        }
    )
    def get_sessions(self, round_):
        sessions = round_.sessions.all()
        if "sessions" in self.context.get("expand", ()):
            return expanded(self, SessionSerializer, sessions)
        return [session.pk for session in sessions]


class TicketTypeSerializer(serializers.ModelSerializer):
    free = serializers.SerializerMethodField(help_text="Places left now; null outside quotas.")

    class Meta:
        model = TicketType
        fields = [
            "id",
            "name_nl",
            "name_en",
            "includes_nl",
            "includes_en",
            "price",
            "vat_rate",
            "sale_start",
            "sale_end",
            "min_per_registration",
            "max_per_registration",
            "visible",
            "needs_approval",
            "free",
        ]

    def get_free(self, ticket_type) -> int | None:
        return self.context["free"].get(ticket_type.pk)


class QuotaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    held = serializers.IntegerField()
    free = serializers.IntegerField()
    waiting = serializers.IntegerField()
    ticket_types = serializers.ListField(child=serializers.IntegerField())


class AnswerSerializer(serializers.ModelSerializer):
    attendee = serializers.PrimaryKeyRelatedField(read_only=True)
    question = serializers.PrimaryKeyRelatedField(read_only=True)
    options = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = ["id", "attendee", "question", "value", "options"]

    def get_options(self, answer) -> list[int]:
        return [option.pk for option in answer.options.all()]


class AttendeeSerializer(serializers.ModelSerializer):
    registration = serializers.SlugRelatedField(slug_field="code", read_only=True)
    ticket_type = serializers.PrimaryKeyRelatedField(read_only=True)
    # Not required: left out without the scope (the serializer is only ever read).
    role = serializers.ChoiceField(
        choices=AttendingRole.choices,
        required=False,
        help_text="Only with the scope special_category:read.",
    )
    dietary_wishes = serializers.CharField(
        required=False, help_text="Only with the scope special_category:read."
    )
    accessibility_needs = serializers.CharField(
        required=False, help_text="Only with the scope special_category:read."
    )

    class Meta:
        model = Attendee
        fields = [
            "id",
            "registration",
            "ticket_type",
            "given_name",
            "family_name",
            "email",
            "organisation",
            "function",
            "role",
            "badge_name",
            "photo_consent",
            "attendee_list_consent",
            "special_category_consent",
            "dietary_wishes",
            "accessibility_needs",
            "price",
            "vat_rate",
        ]

    def to_representation(self, attendee):
        data = super().to_representation(attendee)
        if not self.context.get("special"):
            for name in SPECIAL_FIELDS:
                data.pop(name, None)
        return data


class RegistrationSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    attendees = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "code",
            "status",
            "cancel_reason",
            "booker_name",
            "email",
            "language",
            "billing_organisation",
            "billing_address",
            "po_number",
            "billing_reference",
            "invoice_email",
            "billing_org_id",
            "billing_peppol_id",
            "billing_einvoice",
            "billing_vat_number",
            "hold_until",
            "created",
            "updated",
            "total",
            "attendees",
        ]

    @extend_schema_field(
        {
            "description": "Attendee ids; the attendees themselves with `?expand=attendees`.",
            "type": "array",
            "items": {"oneOf": [{"type": "integer"}, {"$ref": "#/components/schemas/Attendee"}]},
        }
    )
    def get_attendees(self, registration):
        attendees = registration.attendees.all()
        if "attendees" in self.context.get("expand", ()):
            return expanded(self, AttendeeSerializer, attendees)
        return [attendee.pk for attendee in attendees]


def _optional(**kwargs) -> dict:
    # An optional text may be sent empty, or be empty once tidied: it is then not given.
    return {"required": False, "default": "", "allow_blank": True, **kwargs}


class NewAttendeeSerializer(serializers.Serializer):
    ticket_type = serializers.IntegerField()
    given_name = TidyCharField(max_length=100)
    family_name = TidyCharField(**_optional(max_length=150))
    email = serializers.EmailField(**_optional(max_length=254))
    organisation = TidyCharField(**_optional(max_length=200))
    function = TidyCharField(**_optional(max_length=200))
    role = serializers.ChoiceField(choices=AttendingRole.choices)
    badge_name = serializers.ChoiceField(choices=BadgeName.choices, default=BadgeName.FULL)
    photo_consent = serializers.BooleanField(default=False)
    attendee_list_consent = serializers.BooleanField(default=False)
    special_category_consent = serializers.BooleanField(default=False)
    # As long as an attendee may hold them (`Attendee`): a longer text is a 400 here, not
    # the service's refusal.
    dietary_wishes = TidyCharField(tidy=tidy_lines, **_optional(max_length=500))
    accessibility_needs = TidyCharField(tidy=tidy_lines, **_optional(max_length=500))
    answers = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text="Question id → answer (text, number, yes/no, option id or list of ids).",
    )


class NewBillingSerializer(serializers.Serializer):
    organisation = TidyCharField(**_optional(max_length=200))
    address = TidyCharField(tidy=tidy_lines, **_optional(max_length=500))
    po_number = TidyCharField(**_optional(max_length=50))
    reference = TidyCharField(**_optional(max_length=100))
    invoice_email = serializers.EmailField(**_optional(max_length=254))
    # For an e-invoice, tidied and checked as the public form takes them: without the
    # spaces, dots and scheme name prefix people copy along.
    org_id = TidyCharField(
        tidy=tidy_org_id,
        validators=[ORGANISATION_ID],
        help_text="The buyer's OIN (20 digits) or KvK number (8 digits).",
        **_optional(max_length=20),
    )
    peppol_id = TidyCharField(
        tidy=tidy_peppol_id,
        validators=[PEPPOL_ID],
        help_text="The buyer's Peppol ID, scheme:identifier, such as 0190:00000001003214345000.",
        **_optional(max_length=60),
    )
    einvoice = serializers.BooleanField(
        default=False,
        help_text="Send the e-invoice (UBL) with the invoice mail; needs org_id or peppol_id.",
    )
    vat_number = TidyCharField(
        tidy=tidy_vat_number,
        validators=[VAT_NUMBER],
        help_text=(
            "The buyer's VAT identification number of an EU country, country code first, "
            "such as NL001234567B01 (spaces, dots and lower case are tidied away; stored "
            "compact). Printed on the invoice and written to the e-invoice (EN 16931 BT-48)."
        ),
        **_optional(max_length=20),
    )

    def validate(self, attrs):
        # The booking service's rule (`check_billing`), answered at the field as the form does.
        problem = einvoice_problem(
            org_id=attrs.get("org_id", ""),
            peppol_id=attrs.get("peppol_id", ""),
            einvoice=attrs.get("einvoice", False),
        )
        if problem:
            raise serializers.ValidationError({"org_id": [problem]})
        return attrs


class NewRegistrationSerializer(serializers.Serializer):
    booker_name = TidyCharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    language = serializers.ChoiceField(choices=["nl", "en"], default="nl")
    attendees = NewAttendeeSerializer(many=True, min_length=1, max_length=20)
    billing = NewBillingSerializer(required=False)


class ChangeSerializer(serializers.Serializer):
    """What a PATCH may change (always `partial`: only the fields sent change).

    A name the resource shows but may not be changed here (`unchangeable`), or does not
    know at all, is refused at that name: silently dropping it would let a client believe
    it changed, say, a status or a ticket type. Values are taken in their own JSON type only.
    """

    # Not `read_only`: a serializer is a field, and that is its own attribute.
    unchangeable: tuple[str, ...] = ()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for name, value in data.items():
                field = self.fields.get(name)
                if field is not None:
                    if not _of_its_type(field, value):
                        errors[name] = [field.error_messages["invalid"]]
                elif name in self.unchangeable:
                    errors[name] = [_("This field cannot be changed.")]
                else:
                    errors[name] = [_("Unknown field.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _of_its_type(field, value) -> bool:
    # Strict JSON types: DRF would take 0 for false and 12 for "12"; a change made from a
    # number the client did not mean to send as text is a change nobody asked for.
    if value is None:
        return True  # the field's own "may not be null"
    if isinstance(field, serializers.BooleanField):
        return isinstance(value, bool)
    if isinstance(field, serializers.CharField):
        return isinstance(value, str)
    return True


# A registration's billing field → the name `NewBillingSerializer` takes it under.
BILLING_NAMES = {
    "billing_organisation": "organisation",
    "billing_address": "address",
    "po_number": "po_number",
    "billing_reference": "reference",
    "invoice_email": "invoice_email",
    "billing_org_id": "org_id",
    "billing_peppol_id": "peppol_id",
    "billing_einvoice": "einvoice",
    "billing_vat_number": "vat_number",
}


class RegistrationChangeSerializer(ChangeSerializer):
    """The booker's and billing details, under the names a registration shows them."""

    unchangeable = tuple(set(RegistrationSerializer.Meta.fields) - set(REGISTRATION_FIELDS))

    booker_name = TidyCharField(max_length=200)
    email = serializers.EmailField(max_length=254)

    def get_fields(self):
        fields = super().get_fields()
        # Tidied and checked as when registering (`NewBillingSerializer`).
        billing = NewBillingSerializer().get_fields()
        fields.update({name: billing[source] for name, source in BILLING_NAMES.items()})
        return fields


class AttendeeChangeSerializer(NewAttendeeSerializer, ChangeSerializer):
    """The details a participant may change themselves (not the ticket)."""

    unchangeable = tuple(set(AttendeeSerializer.Meta.fields) - set(ATTENDEE_FIELDS))

    ticket_type = None
    answers = serializers.DictField(
        # null removes an answer, as documented (and as `_no_answer` reads it).
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text=(
            "Question id → answer (text, number, yes/no, option id or list of ids); only the "
            "questions sent change, null or an empty text removes an answer."
        ),
    )

    def validate_answers(self, value) -> dict[int, object]:
        """Return the answers by question id; refuse an id of no question of the event."""
        questions, answers, errors = self.context["questions"], {}, {}
        for key, answer in value.items():
            question = questions.get(int(key)) if key.isdecimal() and key.isascii() else None
            if question is None:
                errors[key] = [_("Not a question of this event.")]
            else:
                answers[question.pk] = answer
        if errors:
            raise serializers.ValidationError(errors)
        return answers

    def validate(self, attrs):
        # The consent rules of the form (`lacks_consent`, special-category answers), on the
        # attendee as it would be: what is sent, the rest as stored.
        attendee, questions = self.context["attendee"], self.context["questions"]
        after = {name: attrs.get(name, getattr(attendee, name)) for name in SPECIAL_CONSENT}
        errors = {}
        if lacks_consent(**after):
            errors["special_category_consent"] = [CONSENT_MISSING]
        if not after["special_category_consent"]:
            refused = {
                str(pk): [ANSWER_NEEDS_CONSENT % {"question": questions[pk].t.label}]
                for pk, value in attrs.get("answers", {}).items()
                if questions[pk].special_category and not _no_answer(value)
            }
            if refused:
                errors["answers"] = refused
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


SPECIAL_CONSENT = ("dietary_wishes", "accessibility_needs", "special_category_consent")


def _no_answer(value) -> bool:
    # As the service reads one (`questions.clean_answers`): None, blank text, an empty list.
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


class QuestionSerializer(serializers.ModelSerializer):
    options = serializers.SerializerMethodField()
    ticket_types = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "kind",
            "label_nl",
            "label_en",
            "required",
            "special_category",
            "ticket_types",
            "options",
        ]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "label_nl": {"type": "string"},
                    "label_en": {"type": "string"},
                },
            },
        }
    )
    def get_options(self, question):
        return [
            {"id": o.pk, "label_nl": o.label_nl, "label_en": o.label_en}
            for o in question.options.all()
        ]


class PaymentSerializer(serializers.ModelSerializer):
    registration = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "registration",
            "provider",
            "amount",
            "state",
            "created",
            "confirmed",
        ]


class InvoiceSerializer(serializers.ModelSerializer):
    registration = serializers.SlugRelatedField(slug_field="code", read_only=True)
    credits = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()
    ubl = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "registration",
            "issue_date",
            "due_date",
            "buyer_name",
            "buyer_vat_number",
            "po_number",
            "total",
            "credits",
            "pdf",
            "ubl",
        ]

    def get_credits(self, invoice) -> str | None:
        return invoice.credits.number if invoice.credits_id else None

    def get_pdf(self, invoice) -> str:
        return self._link("api:invoice-pdf", invoice)

    def get_ubl(self, invoice) -> str | None:
        """The e-invoice (UBL 2.1, EN 16931 / Peppol BIS 3) of the invoice or credit note;
        null when the buyer has no Peppol ID, OIN or KvK number (Peppol requires one)."""
        return self._link("api:invoice-ubl", invoice) if invoice.has_einvoice else None

    def _link(self, name, invoice) -> str:
        from django.urls import reverse

        url = reverse(name, kwargs={"event": invoice.event.slug, "pk": invoice.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class BankLineSerializer(serializers.ModelSerializer):
    registration = serializers.SerializerMethodField()
    registrations = serializers.SerializerMethodField()

    class Meta:
        model = BankTransaction
        fields = [
            "id",
            "booking_date",
            "amount",
            "debtor_name",
            "debtor_iban",
            "debtor_account",
            "reference",
            "remittance",
            "state",
            "registration",
            "registrations",
        ]

    def get_registration(self, line) -> str | None:
        """The code of the one registration the line paid for; null when it paid for none,
        or for several (a split line: see `registrations`)."""
        codes = self.get_registrations(line)
        return codes[0] if len(codes) == 1 else None

    def get_registrations(self, line) -> list[str]:
        """The codes of every registration the line paid for (a return: that its credit
        line paid for), oldest payment first."""
        return [registration.code for registration in line.registrations]


class MailSerializer(serializers.ModelSerializer):
    registration = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = OutgoingMail
        fields = [
            "id",
            "kind",
            "registration",
            "recipient",
            "language",
            "subject",
            "state",
            "attempts",
            "created",
            "sent_at",
        ]


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssignmentRun
        fields = [
            "id",
            "status",
            "created",
            "published_at",
            "objective",
            "bound",
        ]


class PlacementSerializer(serializers.ModelSerializer):
    attendee = serializers.PrimaryKeyRelatedField(read_only=True)
    session = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Placement
        fields = ["attendee", "session"]


class CheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    attendee = serializers.IntegerField(source="attendee_id")
    session = serializers.IntegerField(source="session_id", allow_null=True)
    door = serializers.CharField()
    at = serializers.DateTimeField()
    undone = serializers.DateTimeField(allow_null=True)


class NewScanSerializer(serializers.Serializer):
    nonce = serializers.CharField(
        min_length=8,
        max_length=64,
        help_text="Random per scan, made by the device: a repeat is one.",
    )
    ticket_hash = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        required=False,
        default="",
        help_text="SHA-256 (hex) of the scanned QR code; or give `attendee`.",
    )
    attendee = serializers.IntegerField(required=False, allow_null=True, default=None)
    session = serializers.IntegerField(required=False, allow_null=True, default=None)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate(self, data):
        if not data["ticket_hash"] and data["attendee"] is None:
            raise serializers.ValidationError("Give ticket_hash or attendee.")
        return data


class ScanResultSerializer(serializers.Serializer):
    nonce = serializers.CharField()
    outcome = serializers.CharField()
    reason = serializers.CharField()
    attendee = serializers.IntegerField(allow_null=True)
    check_in = serializers.IntegerField(allow_null=True)
    replayed = serializers.BooleanField()


class SurveyBarSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="Of the group's answers.")


class SurveyGroupSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="The whole day, or the session's title.")
    count = serializers.IntegerField()
    hidden = serializers.BooleanField(
        help_text="An anonymous survey's group of fewer than 5 answers: nothing else is given."
    )
    bars = SurveyBarSerializer(many=True, help_text="Choice and scale questions.")
    mean = serializers.CharField(help_text="Scale questions (1–5); empty otherwise.")
    texts = serializers.ListField(child=serializers.CharField(), help_text="Open questions.")


class SurveyQuestionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="question.pk")
    kind = serializers.CharField(source="question.kind")
    label = serializers.CharField(source="question.t.label")
    per_session = serializers.BooleanField(source="question.per_session")
    groups = SurveyGroupSerializer(many=True)


class SurveyResultsSerializer(serializers.Serializer):
    state = serializers.CharField(help_text="draft, open or closed; absent survey: draft.")
    anonymous = serializers.BooleanField()
    responses = serializers.IntegerField()
    questions = SurveyQuestionResultSerializer(many=True)
