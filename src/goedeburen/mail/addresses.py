"""One form of an e-mail address for opt-outs: stored in it, looked up in it.

`jan@bücher.nl` and `jan@xn--bcher-kva.nl` are one mailbox: a mail to either reaches the
same person, and Django sends to the second (it encodes the domain with the `idna` codec,
`django.utils.encoding.punycode`). Opt-outs therefore store and compare the address with
its domain in that ASCII form, and the whole address lower-case (as they always did).
"""

import contextlib

from django.utils.encoding import punycode


def opt_out_address(email: str) -> str:
    """Return `email` as opt-outs store and look it up: trimmed, lower-case, its domain in
    the ASCII (IDNA) form that mail is sent to (`jan@Bücher.nl` → `jan@xn--bcher-kva.nl`)."""
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if not at:
        return email.lower()
    # No valid domain name (an empty or over-long label): as it is.
    with contextlib.suppress(UnicodeError):
        domain = punycode(domain)
    return f"{local.lower()}@{domain.lower()}"


class OptedOut(frozenset):
    """The opt-outs of an event: `address in opted_out` compares in the stored form."""

    def __contains__(self, email) -> bool:
        return isinstance(email, str) and super().__contains__(opt_out_address(email))
