"""What people and programs send instead of what a form asks, and how a test tells that a
refusal changed nothing.

`variants(form)` turns a form as a browser would send it (`tests.forms`) into the
submissions a test tries: every field at once with each of `AT_ONCE`, each field alone with
values that try its kind (`BY_KIND`; the others as the browser sends them), every field
twice, every field left out, and bytes that are no UTF-8. `Probe` sends each in a savepoint
that is rolled back and tells which tables it changed, against a fingerprint of the whole
database taken once, and what the page an accepted form leads to answers.
"""

import functools
import io
import zipfile
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.messages import ERROR
from django.db import connection, transaction

from tests.forms import Form

# Typed or sent by hand: too long, bytes PostgreSQL cannot store, text in other scripts,
# numbers no field takes, dates and times that do not exist.
PAYLOADS = {
    "overlong": "x" * 10_000,
    "nul": "a\x00b",
    "control": "a\x01\x1b\x7fb",
    "emoji": "🏘️👩‍👩‍👧",
    "rtl": "مرحبا \u202eبالجيران",
    "blank": "   ",
    "negative": "-1",
    "huge": "9" * 25,
    "beyond_bigint": "9223372036854775808",
    "nan": "NaN",
    "infinity": "Infinity",
    "e400": "1e400",
    "decimal_comma": "12,50",
    "year_0": "0000-01-01",
    "year_1": "0001-01-01",
    "year_9999": "9999-12-31",
    "31_february": "2027-02-31",
    "bad_time": "9999-12-31T25:61",
    "not_a_number": "abc",
}
# No UTF-8 at all, and UTF-8's spelling of a lone surrogate: raw bytes in the body.
BAD_BYTES = b"\xff\xfe\xed\xa0\x80"


# Files of the wrong kind under the name of the right one, empty, or made to exhaust the
# reader: XML entities (billion laughs, an external file), and ZIP archives that unpack to
# far more than they weigh (a spreadsheet's and a plain one).
def _zip(name: str, size: int, *, office: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if office:
            archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(name, bytes(size))
    return out.getvalue()


CAMT = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
FILES = {
    "empty": lambda: b"",
    "png": lambda: b"\x89PNG\r\n\x1a\n" + bytes(64),
    "nul": lambda: bytes(1000),
    "billion_laughs": lambda: (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">'.encode() for i in range(8)
        )
        + b"]>"
        + CAMT
        + b"&i;</Document>"
    ),
    "xxe": lambda: (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + CAMT
        + b"&x;</Document>"
    ),
    "csv_bom_latin1": lambda: b"\xef\xbb\xbf" + "naam;bedrag\nCaf\xe9;12,50\n".encode("latin-1"),
    "utf16": lambda: "naam;bedrag\n".encode("utf-16"),
    "xlsx_bomb": lambda: _zip("xl/worksheets/sheet1.xml", 60 * 1024 * 1024, office=True),
    "zip_bomb": lambda: _zip("statement.xml", 60 * 1024 * 1024),
}

# Tables a request may write whatever its answer: sessions and sign-in counters.
BOOKKEEPING = ("django_session", "axes_")

Pairs = list[tuple[str, str | bytes]]


@dataclass(frozen=True)
class Variant:
    label: str
    pairs: Pairs
    touched: frozenset[str]  # the fields whose value differs from what a browser sends


def _pairs(data: dict[str, list[str]]) -> Pairs:
    return [(name, value) for name, values in data.items() for value in values]


# Every field at once gets each of these (a form checks all its fields, so one request
# tries each field's own check); each field alone, the others as the browser sends them,
# gets values that try its kind (`BY_KIND`): a date the ones that do not exist or cannot be
# read back, another field the next of its kind's values (so a form's fields try them all).
AT_ONCE = [
    "overlong",
    "nul",
    "control",
    "emoji",
    "blank",
    "beyond_bigint",
    "e400",
    "year_0",
    "bad_time",
]
DATES = ["year_1", "year_9999", "31_february"]
BY_KIND = {
    **dict.fromkeys(("date", "datetime-local", "time", "month", "week"), DATES),
    "number": ["negative", "huge", "beyond_bigint", "nan", "infinity", "e400", "decimal_comma"],
    **dict.fromkeys(
        ("select", "select-multiple", "radio", "checkbox", "hidden"),
        ["not_a_number", "beyond_bigint", "negative", "nul", "overlong", "blank"],
    ),
}
TEXTS = ["overlong", "nul", "control", "emoji", "rtl", "blank", "year_1", "decimal_comma"]
# Values per field alone, and fields alone per form (spread over the form: a list of thirty
# alike choices needs no thirty tries).
PER_KIND = {"number": 2}
MAX_ALONE = 12


def _alone(form: Form, fields: list[str]) -> list[tuple[str, str]]:
    """Return (field, payload name) for the fields tried alone, as `BY_KIND` says."""
    kinds = {f.name: f.kind for f in form.fields}
    step = max(1, -(-len(fields) // MAX_ALONE))  # ceiling division
    seen: dict[int, int] = {}
    found = []
    for field in fields[::step]:
        kind = kinds.get(field, "text")
        names = BY_KIND.get(kind, TEXTS)
        if names is DATES:
            found += [(field, name) for name in names]
            continue
        count = PER_KIND.get(kind, 1)
        i = seen.get(id(names), 0)
        seen[id(names)] = i + count
        found += [(field, names[(i + n) % len(names)]) for n in range(count)]
    return found


def variants(form: Form, button=None, *, data: dict | None = None) -> list[Variant]:
    """Return the hostile submissions of `form` (pressing `button`), each a change of what
    the browser sends (or of `data`: field -> values)."""
    data = form.data(button) if data is None else data
    fields = [f for f in form.typed() if not (button is not None and f == button.name)]
    found = []
    for name in AT_ONCE:
        changed = {**data, **{field: [PAYLOADS[name]] for field in fields}}
        found.append(Variant(f"all={name}", _pairs(changed), frozenset(fields)))
    for field, name in _alone(form, fields):
        changed = {**data, field: [PAYLOADS[name]]}
        found.append(Variant(f"{field}={name}", _pairs(changed), frozenset({field})))
    if fields:
        twice = {**data, **{f: [*data.get(f, []), PAYLOADS["overlong"]] for f in fields}}
        found.append(Variant("all=twice", _pairs(twice), frozenset(fields)))
        left_out = {k: v for k, v in data.items() if k not in fields}
        found.append(Variant("all=missing", _pairs(left_out), frozenset(fields)))
        bad = {**data, **{f: [BAD_BYTES] for f in fields}}
        found.append(Variant("all=bad_utf8", _pairs(bad), frozenset(fields)))
    return found


@functools.cache
def _content(name: str) -> bytes:
    return FILES[name]()


def hostile_files(field) -> list[tuple[str, object]]:
    """Return (label, upload) for each of `FILES`, named as the kind the input asks for."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    accept = field.accept
    suffix = (
        ".pdf"
        if "pdf" in accept
        else ".png"
        if "image" in accept
        else next((a for a in accept.split(",") if a.startswith(".")), ".xml")
    )
    return [(name, SimpleUploadedFile("upload" + suffix, _content(name))) for name in FILES]


def fingerprint() -> dict[str, tuple]:
    """Return each table's row count (and, on PostgreSQL, a hash of its rows)."""
    tables = [t for t in connection.introspection.table_names() if not t.startswith(BOOKKEEPING)]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        digest = "md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
    else:
        digest = "''"
    sql = " UNION ALL ".join(
        f"SELECT %s, count(*), {digest} FROM {quote(table)} t"  # noqa: S608 (our table names)
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return {table: (rows, digest) for table, rows, digest in cursor.fetchall()}


def _writes() -> int | None:
    """Return how many rows this transaction has written so far (PostgreSQL), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            " FROM pg_stat_xact_user_tables WHERE NOT (relname LIKE %s OR relname LIKE %s)",
            [f"{BOOKKEEPING[0]}%", f"{BOOKKEEPING[1]}%"],
        )
        return cursor.fetchone()[0]


@dataclass
class Answer:
    response: object
    changed: list[str]  # tables whose rows differ from the fingerprint
    followed: int | None = None  # the status of the page a redirect leads to

    @property
    def status(self) -> int:
        return self.response.status_code

    def html(self) -> str:
        if "html" not in self.response.get("Content-Type", ""):
            return ""
        return self.response.content.decode()

    def alert_text(self) -> str:
        """Return what the answer says is wrong: the page's alert, or the error messages
        queued for the page a redirect leads to."""
        html = self.html()
        start = html.find('role="alert"')
        if start >= 0:
            return html[start : html.find("</div>", start)]
        storage = getattr(self.response.wsgi_request, "_messages", None)
        queued = getattr(storage, "_queued_messages", [])
        return " ".join(str(m.message) for m in queued if m.level >= ERROR)

    def refused_by_message(self) -> bool:
        """Tell whether the answer says no: an alert on the page, or an error message
        queued for the page a redirect leads to."""
        if 'role="alert"' in self.html():
            return True
        storage = getattr(self.response.wsgi_request, "_messages", None)
        queued = getattr(storage, "_queued_messages", [])
        return any(message.level >= ERROR for message in queued)


class Probe:
    """Send requests that are each rolled back, and tell what they would have changed."""

    def __init__(self):
        self.before = fingerprint()

    def send(
        self, client, method: str, path: str, pairs: Pairs | None = None, *, files=None
    ) -> Answer:
        """Send `pairs` (and `files`: field -> uploaded file, as multipart) and roll back."""
        with transaction.atomic():
            writes = _writes()
            if files:
                data: dict[str, list] = {}
                for key, value in pairs or []:
                    data.setdefault(key, []).append(value)
                response = client.post(path, {**data, **files})
            elif method == "post":
                response = client.post(
                    path, urlencode(pairs or []), content_type="application/x-www-form-urlencoded"
                )
            else:
                response = client.get(path + ("?" + urlencode(pairs) if pairs else ""))
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            changed = []
            if writes is None or _writes() != writes:
                after = fingerprint()
                changed = sorted(
                    t for t in {*self.before, *after} if self.before.get(t) != after.get(t)
                )
            # What was accepted must show: the page the redirect leads to reads it back.
            followed = None
            location = (
                response.get("Location", "") if response.status_code in (301, 302, 303) else ""
            )
            if location.startswith("/"):
                followed = client.get(location).status_code
            transaction.set_rollback(True)
        return Answer(response, changed, followed)
