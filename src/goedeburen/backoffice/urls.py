"""The back office: /backoffice/<event>/… for an event's screens (see `RESERVED_SLUGS` in
`events.models` for the first segments an event cannot have)."""

from django.urls import include, path

from .views import (
    assignment,
    dashboard,
    events,
    mail,
    partners,
    payments,
    people,
    programme,
    questions,
    registration_actions,
    registrations,
    venues,
)
from .views.auth import LoginView, LogoutView

app_name = "backoffice"


def _crud(name: str, prefix: str, list_view, create_view, update_view, delete_view) -> list:
    """Return the list, create, edit and delete URLs of one kind of part of an event."""
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}.list"),
        path(f"{prefix}/new/", create_view.as_view(), name=f"{name}.create"),
        path(f"{prefix}/<int:pk>/", update_view.as_view(), name=f"{name}.update"),
        path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}.delete"),
    ]


event_urls = [
    path("", events.EventDetailView.as_view(), name="event.detail"),
    path("edit/", events.EventUpdateView.as_view(), name="event.update"),
    path("status/", events.EventStatusView.as_view(), name="event.status"),
    *_crud(
        "partner",
        "partners",
        partners.PartnerListView,
        partners.PartnerCreateView,
        partners.PartnerUpdateView,
        partners.PartnerDeleteView,
    ),
    *_crud(
        "item",
        "items",
        programme.ItemListView,
        programme.ItemCreateView,
        programme.ItemUpdateView,
        programme.ItemDeleteView,
    ),
    *_crud(
        "round",
        "rounds",
        programme.RoundListView,
        programme.RoundCreateView,
        programme.RoundUpdateView,
        programme.RoundDeleteView,
    ),
    *_crud(
        "session",
        "sessions",
        programme.SessionListView,
        programme.SessionCreateView,
        programme.SessionUpdateView,
        programme.SessionDeleteView,
    ),
    *_crud(
        "speaker",
        "speakers",
        people.SpeakerListView,
        people.SpeakerCreateView,
        people.SpeakerUpdateView,
        people.SpeakerDeleteView,
    ),
    *_crud(
        "project",
        "projects",
        people.ProjectListView,
        people.ProjectCreateView,
        people.ProjectUpdateView,
        people.ProjectDeleteView,
    ),
    *_crud(
        "venue",
        "venues",
        venues.VenueListView,
        venues.VenueCreateView,
        venues.VenueUpdateView,
        venues.VenueDeleteView,
    ),
    path("venues/<int:venue>/rooms/new/", venues.RoomCreateView.as_view(), name="room.create"),
    path("rooms/<int:pk>/", venues.RoomUpdateView.as_view(), name="room.update"),
    path("rooms/<int:pk>/delete/", venues.RoomDeleteView.as_view(), name="room.delete"),
    *_crud(
        "question",
        "questions",
        questions.QuestionListView,
        questions.QuestionCreateView,
        questions.QuestionUpdateView,
        questions.QuestionDeleteView,
    ),
    path(
        "registrations/",
        registrations.RegistrationListView.as_view(),
        name="registration.list",
    ),
    path(
        "registrations/<str:code>/",
        registrations.RegistrationDetailView.as_view(),
        name="registration.detail",
    ),
    path(
        "registrations/<str:code>/edit/",
        registrations.RegistrationUpdateView.as_view(),
        name="registration.update",
    ),
    path("attendees/", registrations.AttendeeListView.as_view(), name="attendee.list"),
    path("capacity/", registrations.CapacityView.as_view(), name="capacity"),
    path("mail/", mail.MailListView.as_view(), name="mail.list"),
    path("mail/<int:pk>/retry/", mail.MailRetryView.as_view(), name="mail.retry"),
    path("mail/<int:pk>/cancel/", mail.MailCancelView.as_view(), name="mail.cancel"),
    path("mail/settings/", mail.MailSettingsView.as_view(), name="mail.settings"),
    path("mail/texts/", mail.MailTemplateListView.as_view(), name="mail_template.list"),
    path(
        "mail/texts/<slug:kind>/<slug:language>/",
        mail.MailTemplateEditView.as_view(),
        name="mail_template.update",
    ),
    path("mailings/", mail.MailingListView.as_view(), name="mailing.list"),
    path("mailings/new/", mail.MailingFormView.as_view(), name="mailing.create"),
    path("mailings/<int:pk>/", mail.MailingDetailView.as_view(), name="mailing.detail"),
    path("mailings/<int:pk>/edit/", mail.MailingFormView.as_view(), name="mailing.update"),
    path(
        "registrations/<slug:code>/approve/",
        registration_actions.ApproveView.as_view(),
        name="registration.approve",
    ),
    path(
        "registrations/<slug:code>/reject/",
        registration_actions.RejectView.as_view(),
        name="registration.reject",
    ),
    path(
        "registrations/<slug:code>/cancel/",
        registration_actions.CancelView.as_view(),
        name="registration.cancel",
    ),
    path("assignment/", assignment.AssignmentListView.as_view(), name="assignment.list"),
    path("assignment/rules/", assignment.RulesView.as_view(), name="assignment.rules"),
    path("assignment/start/", assignment.StartRunView.as_view(), name="assignment.start"),
    path("assignment/pin/", assignment.PinView.as_view(), name="assignment.pin"),
    path("assignment/hosts/", assignment.SessionHostView.as_view(), name="assignment.hosts"),
    path("assignment/lists/", assignment.SessionListsView.as_view(), name="assignment.lists"),
    path("assignment/<int:pk>/", assignment.RunDetailView.as_view(), name="assignment.detail"),
    path("assignment/<int:pk>/move/", assignment.MoveView.as_view(), name="assignment.move"),
    path(
        "assignment/<int:pk>/publish/", assignment.PublishView.as_view(), name="assignment.publish"
    ),
    path(
        "registrations/<slug:code>/resend-link/",
        registration_actions.ResendLinkView.as_view(),
        name="registration.resend_link",
    ),
    path("payments/", payments.PaymentOverviewView.as_view(), name="payment.overview"),
    path("payments/settings/", payments.PaymentSettingsView.as_view(), name="payment.settings"),
    path(
        "registrations/<slug:code>/payments/",
        payments.RegistrationPaymentsView.as_view(),
        name="registration.payments",
    ),
    path(
        "registrations/<slug:code>/payments/record/",
        payments.ManualPaymentView.as_view(),
        name="registration.record_payment",
    ),
    path(
        "registrations/<slug:code>/payments/<int:payment>/refund/",
        payments.RefundView.as_view(),
        name="registration.refund",
    ),
    path(
        "registrations/<slug:code>/invoices/<int:invoice>/reissue/",
        payments.ReissueInvoiceView.as_view(),
        name="registration.reissue_invoice",
    ),
    path("invoices/", payments.InvoiceListView.as_view(), name="invoice.list"),
    path(
        "invoices/export.<str:format>",
        payments.InvoiceExportView.as_view(),
        name="invoice.export",
    ),
    path("invoices/<int:pk>/pdf/", payments.InvoicePdfView.as_view(), name="invoice.pdf"),
    path("invoices/<int:pk>/ubl/", payments.InvoiceUblView.as_view(), name="invoice.ubl"),
    path("bank/", payments.StatementImportView.as_view(), name="bank.list"),
    path("bank/unmatched/", payments.UnmatchedListView.as_view(), name="bank.unmatched"),
    path("bank/<int:pk>/", payments.StatementDetailView.as_view(), name="bank.statement"),
    path(
        "bank/lines/<int:pk>/assign/",
        payments.AssignTransactionView.as_view(),
        name="bank.assign",
    ),
    path(
        "bank/lines/<int:pk>/dismiss/",
        payments.DismissTransactionView.as_view(),
        name="bank.dismiss",
    ),
]

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path(
        "organisers/<slug:organiser>/new-event/",
        events.EventCreateView.as_view(),
        name="event.create",
    ),
    path("<slug:event>/", include(event_urls)),
]
