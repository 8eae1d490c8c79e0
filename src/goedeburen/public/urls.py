from django.urls import path

from .views import checkin, mail, manage, pages, payments, privacy, registration, sessions, survey

app_name = "public"

urlpatterns = [
    path("", pages.IndexView.as_view(), name="index"),
    path("accessibility/", pages.AccessibilityStatementView.as_view(), name="accessibility"),
    path("<slug:event>/", pages.EventHomeView.as_view(), name="event.home"),
    path("<slug:event>/programme/", pages.ProgrammeView.as_view(), name="event.programme"),
    path("<slug:event>/speakers/", pages.SpeakerListView.as_view(), name="speaker.list"),
    path(
        "<slug:event>/speakers/<slug:speaker>/",
        pages.SpeakerDetailView.as_view(),
        name="speaker.detail",
    ),
    path("<slug:event>/projects/", pages.ProjectListView.as_view(), name="project.list"),
    path(
        "<slug:event>/projects/<slug:project>/",
        pages.ProjectDetailView.as_view(),
        name="project.detail",
    ),
    path("<slug:event>/practical/", pages.PracticalView.as_view(), name="event.practical"),
    path("<slug:event>/contact/", mail.ContactView.as_view(), name="event.contact"),
    path("<slug:event>/privacy/", privacy.PrivacyStatementView.as_view(), name="event.privacy"),
    path(
        "<slug:event>/register/",
        registration.RegistrationFormView.as_view(),
        name="registration.start",
    ),
    path(
        "<slug:event>/register/done/<slug:code>/",
        registration.RegistrationDoneView.as_view(),
        name="registration.done",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/",
        manage.ManageView.as_view(),
        name="registration.manage",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/edit/",
        manage.EditView.as_view(),
        name="registration.edit",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/attendees/<int:attendee>/substitute/",
        manage.SubstituteView.as_view(),
        name="registration.substitute",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/attendees/<int:attendee>/cancel/",
        manage.CancelAttendeeView.as_view(),
        name="registration.cancel_attendee",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/cancel/",
        manage.CancelView.as_view(),
        name="registration.cancel",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/pay/",
        payments.PayView.as_view(),
        name="registration.pay",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/invoices/<str:number>/",
        payments.InvoiceDownloadView.as_view(),
        name="registration.invoice",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/invoices/<str:number>/ubl/",
        payments.InvoiceUblDownloadView.as_view(),
        name="registration.invoice_ubl",
    ),
    path(
        "payments/mollie/webhook/",
        payments.MollieWebhookView.as_view(),
        name=payments.WEBHOOK_URL_NAME,
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/sessions/",
        sessions.SessionChoiceView.as_view(),
        name="registration.sessions",
    ),
    path(
        "<slug:event>/register/link/",
        manage.LinkRequestView.as_view(),
        name="registration.link",
    ),
    path(
        "<slug:event>/register/offer/<slug:code>/<slug:token>/",
        manage.OfferView.as_view(),
        name="registration.offer",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/privacy/",
        privacy.YourDataView.as_view(),
        name="registration.privacy",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/privacy/export.<str:format>",
        privacy.ExportView.as_view(),
        name="registration.export",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/mail/",
        manage.MailPreferenceView.as_view(),
        name="registration.mail",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/tickets.pdf",
        checkin.TicketsPdfView.as_view(),
        name="registration.tickets",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/attendees/<int:attendee>/badge/",
        checkin.DayChoicesView.as_view(),
        name="registration.badge",
    ),
    path(
        "<slug:event>/register/manage/<slug:code>/<slug:token>/certificates.pdf",
        checkin.CertificatesPdfView.as_view(),
        name="registration.certificates",
    ),
    path(
        "<slug:event>/certificates/verify/",
        checkin.CertificateVerifyView.as_view(),
        name="certificate.verify",
    ),
    path("<slug:event>/survey/<str:token>/", survey.SurveyView.as_view(), name="survey.answer"),
    path("<slug:event>/calendar.ics", pages.CalendarFileView.as_view(), name="event.calendar"),
    path("<slug:event>/event.ics", pages.EventOnlyCalendarView.as_view(), name="event.ics"),
    path(
        "<slug:event>/mail/unsubscribe/<str:token>/",
        mail.UnsubscribeView.as_view(),
        name="mail.unsubscribe",
    ),
    path(
        "<slug:event>/participant/<str:token>/calendar.ics",
        mail.ParticipantCalendarView.as_view(),
        name="participant.calendar",
    ),
    path(
        "<slug:event>/attendee/<str:token>/calendar.ics",
        mail.AttendeeCalendarView.as_view(),
        name="attendee.calendar",
    ),
    path(
        "<slug:event>/participant/<str:token>/publication.pdf",
        mail.ParticipantPublicationView.as_view(),
        name="participant.publication",
    ),
]
