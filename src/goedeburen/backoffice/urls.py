"""The back office: /backoffice/<event>/… for an event's screens (see `RESERVED_SLUGS` in
`events.models` for the first segments an event cannot have)."""

from django.urls import include, path

from .exports import KINDS
from .views import (
    account,
    api,
    assignment,
    assignment_run,
    auth,
    badges,
    checkin,
    dashboard,
    events,
    exports,
    history,
    lists,
    mail,
    partners,
    payments,
    people,
    privacy,
    programme,
    questions,
    registration_actions,
    registrations,
    survey,
    team,
    tickets,
    venues,
    waiting_list,
)

app_name = "backoffice"


def _crud(name: str, prefix: str, list_view, create_view, update_view, delete_view) -> list:
    """Return the list, create, edit and delete URLs of one kind of part of an event."""
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}.list"),
        path(f"{prefix}/new/", create_view.as_view(), name=f"{name}.create"),
        path(f"{prefix}/<int:pk>/", update_view.as_view(), name=f"{name}.update"),
        path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}.delete"),
    ]


def _exports(prefix: str, kind: str) -> list:
    """Return the column chooser and the download of one list's export (`exports.KINDS`)."""
    name = KINDS[kind].name
    return [
        path(
            f"{prefix}/export/",
            exports.ExportFormView.for_kind(kind).as_view(),
            name=f"{name}.export_form",
        ),
        path(
            f"{prefix}/export.<str:format>",
            exports.ExportDownloadView.for_kind(kind).as_view(),
            name=f"{name}.export",
        ),
    ]


event_urls = [
    path("", events.EventDetailView.as_view(), name="event.detail"),
    # Before the lists' own `<code>/` and `<pk>/` addresses, which "export" would match.
    *_exports("registrations", "registrations"),
    *_exports("attendees", "attendees"),
    *_exports("payments", "payments"),
    *_exports("invoices", "invoices"),
    *_exports("bank", "bank_lines"),
    *_exports("waiting-list", "waiting_list"),
    *_exports("assignment/lists", "session_lists"),
    path("exports/<uuid:job>/", exports.ExportJobView.as_view(), name="export.job"),
    path(
        "exports/<uuid:job>/status.json",
        exports.ExportJobStatusView.as_view(),
        name="export.job_status",
    ),
    path(
        "exports/<uuid:job>/download/",
        exports.ExportJobDownloadView.as_view(),
        name="export.job_download",
    ),
    path("exports/presets/<int:pk>/", exports.ExportPresetView.as_view(), name="export.preset"),
    path(
        "exports/presets/<int:pk>/delete/",
        exports.ExportPresetDeleteView.as_view(),
        name="export.preset_delete",
    ),
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
    *_crud(
        "ticket_type",
        "tickets",
        tickets.TicketTypeListView,
        tickets.TicketTypeCreateView,
        tickets.TicketTypeUpdateView,
        tickets.TicketTypeDeleteView,
    ),
    *_crud(
        "quota",
        "quotas",
        tickets.QuotaListView,
        tickets.QuotaCreateView,
        tickets.QuotaUpdateView,
        tickets.QuotaDeleteView,
    ),
    path(
        "registrations/decide/",
        registration_actions.BulkDecisionView.as_view(),
        name="registration.bulk",
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
    path("target-mix/", tickets.TargetMixView.as_view(), name="target_mix"),
    path("waiting-list/", waiting_list.WaitingListView.as_view(), name="waiting_list"),
    path(
        "waiting-list/<slug:code>/offer/",
        waiting_list.OfferSeatView.as_view(),
        name="waiting_list.offer",
    ),
    path("mail/", mail.MailListView.as_view(), name="mail.list"),
    path("mail/<int:pk>/retry/", mail.MailRetryView.as_view(), name="mail.retry"),
    path("mail/<int:pk>/cancel/", mail.MailCancelView.as_view(), name="mail.cancel"),
    path("mail/settings/", mail.MailSettingsView.as_view(), name="mail.settings"),
    path("privacy/", privacy.PrivacySettingsView.as_view(), name="privacy.settings"),
    path("survey/", survey.SurveyBuildView.as_view(), name="survey.build"),
    path("survey/results/", survey.SurveyResultsView.as_view(), name="survey.results"),
    path(
        "survey/results/export.<str:format>",
        survey.SurveyExportView.as_view(),
        name="survey.export",
    ),
    path("privacy/requests/", privacy.ErasureRequestListView.as_view(), name="privacy.requests"),
    path(
        "privacy/erase/<slug:code>/",
        privacy.EraseRegistrationView.as_view(),
        name="privacy.erase",
    ),
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
    path("mailings/<int:pk>/delete/", mail.MailingDeleteView.as_view(), name="mailing.delete"),
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
    path(
        "registrations/<slug:code>/attendees/<int:attendee>/cancel/",
        registration_actions.CancelAttendeeView.as_view(),
        name="registration.cancel_attendee",
    ),
    path(
        "registrations/<slug:code>/attendees/<int:attendee>/substitute/",
        registration_actions.SubstituteAttendeeView.as_view(),
        name="registration.substitute",
    ),
    path("assignment/", assignment.AssignmentListView.as_view(), name="assignment.list"),
    path("assignment/rules/", assignment.RulesView.as_view(), name="assignment.rules"),
    path("assignment/start/", assignment.StartRunView.as_view(), name="assignment.start"),
    path("assignment/pin/", assignment.PinView.as_view(), name="assignment.pin"),
    path("assignment/hosts/", assignment.SessionHostView.as_view(), name="assignment.hosts"),
    path("assignment/lists/", assignment.SessionListsView.as_view(), name="assignment.lists"),
    path("assignment/<int:pk>/", assignment_run.RunDetailView.as_view(), name="assignment.detail"),
    path("assignment/<int:pk>/move/", assignment_run.MoveView.as_view(), name="assignment.move"),
    path(
        "assignment/<int:pk>/publish/",
        assignment_run.PublishView.as_view(),
        name="assignment.publish",
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
        "registrations/<slug:code>/refunds/<int:refund>/settle/",
        payments.StuckRefundView.as_view(),
        name="registration.refund_settle",
    ),
    path(
        "registrations/<slug:code>/invoices/<int:invoice>/reissue/",
        payments.ReissueInvoiceView.as_view(),
        name="registration.reissue_invoice",
    ),
    path("invoices/", payments.InvoiceListView.as_view(), name="invoice.list"),
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
    path("checkin/", checkin.CheckinAppView.as_view(), name="checkin.app"),
    path("checkin/data.json", checkin.CheckinDataView.as_view(), name="checkin.data"),
    path("checkin/scans/", checkin.ScansView.as_view(), name="checkin.scans"),
    path("checkin/walk-in/", checkin.WalkInView.as_view(), name="checkin.walk_in"),
    path("checkin/conflicts/", checkin.ConflictListView.as_view(), name="checkin.conflicts"),
    path("checkin/settings/", checkin.CheckinSettingsView.as_view(), name="checkin.settings"),
    path(
        "checkin/certificates.pdf",
        checkin.CertificatesPdfView.as_view(),
        name="checkin.certificates_pdf",
    ),
    path(
        "registrations/ticket-letters.pdf",
        checkin.TicketLettersView.as_view(),
        name="registration.ticket_letters",
    ),
    path(
        "registrations/<slug:code>/ticket-letter.pdf",
        checkin.TicketLetterView.as_view(),
        name="registration.ticket_letter",
    ),
    path("badges/", badges.BadgesView.as_view(), name="checkin.badges"),
    path("badges/badges.pdf", badges.BadgesPdfView.as_view(), name="checkin.badges_pdf"),
    path("badges/alignment.pdf", badges.AlignmentPdfView.as_view(), name="checkin.alignment"),
    path("badges/<int:attendee>.pdf", badges.BadgePdfView.as_view(), name="checkin.badge"),
    path("lists/", lists.ListsView.as_view(), name="checkin.lists"),
    path("lists/door.<str:format>", lists.DoorListExportView.as_view(), name="checkin.door_list"),
    path(
        "lists/attendees.<str:format>",
        lists.ParticipantListExportView.as_view(),
        name="checkin.participant_list",
    ),
    path(
        "lists/sessions/<int:session>/",
        lists.SessionListView.as_view(),
        name="checkin.session_list",
    ),
    path(
        "lists/sessions/<int:session>.<str:format>",
        lists.SessionListExportView.as_view(),
        name="checkin.session_export",
    ),
    path("lists/catering/", lists.CatererListView.as_view(), name="checkin.caterer"),
    path(
        "lists/catering.<str:format>",
        lists.CatererListExportView.as_view(),
        name="checkin.caterer_export",
    ),
    path(
        "bank/lines/<int:pk>/dismiss/",
        payments.DismissTransactionView.as_view(),
        name="bank.dismiss",
    ),
    path("team/", team.EventTeamView.as_view(), name="team.event"),
    path("team/members/<int:pk>/", team.EventTeamMemberView.as_view(), name="team.event_member"),
    path(
        "team/invitations/<int:pk>/withdraw/",
        team.EventInvitationRevokeView.as_view(),
        name="team.event_invitation_revoke",
    ),
    path("history/", history.EventHistoryView.as_view(), name="history.event"),
    path(
        "history/export.csv", history.EventHistoryExportView.as_view(), name="history.event_export"
    ),
]

# The signed-in user's own account and the steps of signing in ("account" is a reserved
# event address, see `RESERVED_SLUGS`).
account_urls = [
    path("", account.AccountView.as_view(), name="account"),
    path("leave/<int:pk>/", account.LeaveView.as_view(), name="account.leave"),
    path("second-factor/", account.SecondFactorVerifyView.as_view(), name="two_factor.verify"),
    path("second-factor/set-up/", account.SecondFactorSetupView.as_view(), name="two_factor.setup"),
    path(
        "second-factor/recovery-codes/",
        account.RecoveryCodesView.as_view(),
        name="two_factor.recovery_codes",
    ),
    path(
        "second-factor/<slug:kind>/<int:pk>/remove/",
        account.RemoveSecondFactorView.as_view(),
        name="two_factor.remove",
    ),
    path("password/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invitation/<str:token>/", auth.InvitationView.as_view(), name="invitation"),
]

organiser_urls = [
    path("new-event/", events.EventCreateView.as_view(), name="event.create"),
    path("team/", team.OrganiserTeamView.as_view(), name="team.organiser"),
    path(
        "team/members/<int:pk>/",
        team.OrganiserTeamMemberView.as_view(),
        name="team.organiser_member",
    ),
    path(
        "team/invitations/<int:pk>/withdraw/",
        team.OrganiserInvitationRevokeView.as_view(),
        name="team.organiser_invitation_revoke",
    ),
    path("api/", api.TokenListView.as_view(), name="api.tokens"),
    path("api/tokens/<int:pk>/revoke/", api.TokenRevokeView.as_view(), name="api.token_revoke"),
    path("webhooks/", api.EndpointListView.as_view(), name="api.webhooks"),
    path("webhooks/<int:pk>/", api.EndpointDetailView.as_view(), name="api.webhook"),
    path(
        "webhooks/deliveries/<int:pk>/redeliver/",
        api.DeliveryRedeliverView.as_view(),
        name="api.redeliver",
    ),
    path("history/", history.OrganiserHistoryView.as_view(), name="history.organiser"),
    path(
        "history/export.csv",
        history.OrganiserHistoryExportView.as_view(),
        name="history.organiser_export",
    ),
]

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("account/", include(account_urls)),
    path("organisers/<slug:organiser>/", include(organiser_urls)),
    path("<slug:event>/", include(event_urls)),
]
