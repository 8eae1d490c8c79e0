#!/usr/bin/env python
"""CPU of rendering one invoice PDF (`payments.pdf.render_invoice`), as bench/invoices.py spends it.

On a database with the demo event (`goedeburen demo --upcoming`), in one transaction that is
rolled back at the end: registers N bookings of one attendee each, every buyer a long
Unicode name and a 50-character purchase-order number (each different), issues their
invoices, renders a few to warm up, then renders all N once each and reports the process
CPU per render (time.process_time: independent of the machine's load). With --profile, a
cProfile of the renders sorted by own time.

    DATABASE_URL=postgres://…/gb_x DEBUG=true PYTHONPATH=src \
        .venv/bin/python scripts/profile-invoice-pdf.py [-n 300] [--profile] [--lines 1]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import time

WARM_UP = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=300, help="invoices rendered (default 300)")
    parser.add_argument("--lines", type=int, default=1, help="attendees per invoice")
    parser.add_argument("--profile", action="store_true", help="print a cProfile by own time")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of -n other invoices")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goedeburen.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from goedeburen.events.models import Event
    from goedeburen.payments import queries, services
    from goedeburen.payments.pdf import render_invoice
    from goedeburen.registration import tokens
    from goedeburen.registration.models import Attendee, Quota, Registration, TicketType

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            event = Event.objects.get(slug="goede-buren")
            ticket = TicketType.objects.get(event=event, name_nl="Deelname")
            count = args.n * args.rounds + WARM_UP
            Quota.objects.filter(event=event).update(size=count * args.lines + 100)
            hold = timezone.now() + dt.timedelta(days=30)
            regs = Registration.objects.bulk_create(
                Registration(
                    event=event,
                    code=tokens.new_code(),
                    booker_name=f"Zoë Şahin {n}",
                    email=f"pdf{n}@example.org",
                    status="pending_payment",
                    language="nl" if n % 4 else "en",
                    billing_organisation=f"Woonstichting Ĳsselstein – Zoë Şahin-Łukasiewicz {n}",
                    billing_address="Poortdijk 12 bis, unit Ĳ-3\n3401 AB Ĳsselstein",
                    billing_org_id="41178444",
                    po_number=f"PO-2027/ĲSSELSTEIN/WONEN-EN-ZORG/{n:017d}",
                    manage_token_hash=tokens.new_manage_token()[1],
                    hold_until=hold,
                )
                for n in range(count)
            )
            Attendee.objects.bulk_create(
                Attendee(
                    registration=r,
                    ticket_type=ticket,
                    given_name="Ada",
                    family_name=f"de Vries-van Ĳzendoorn {n}-{k}",
                    role="housing_corporation",
                    price=ticket.price,
                    vat_rate=ticket.vat_rate,
                    ticket_secret=tokens.new_ticket_secret(),
                )
                for n, r in enumerate(regs)
                for k in range(args.lines)
            )
            invoices = [queries.invoice_with_lines(services.issue_invoice(r).pk) for r in regs]
            assert len(invoices[0].po_number) == 50, invoices[0].po_number
            for invoice in invoices[:WARM_UP]:  # warm up: fonts, catalogues, labels
                render_invoice(invoice)
            best = None
            profile = cProfile.Profile() if args.profile else None
            for round_ in range(args.rounds):
                # Each round renders invoices not rendered before, as the bench does.
                start = WARM_UP + round_ * args.n
                measured = invoices[start : start + args.n]
                if profile:
                    profile.enable()
                started = time.process_time()
                size = sum(len(render_invoice(invoice)) for invoice in measured)
                took = time.process_time() - started
                if profile:
                    profile.disable()
                per = took * 1000 / len(measured)
                size //= len(measured)
                print(f"{len(measured)} renders: {per:.3f} ms CPU each, {size:,} bytes each")
                best = per if best is None else min(best, per)
            print(f"best: {best:.3f} ms CPU per render; load {os.getloadavg()}")
            if profile:
                pstats.Stats(profile).sort_stats(os.environ.get("SORT", "tottime")).print_stats(35)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
