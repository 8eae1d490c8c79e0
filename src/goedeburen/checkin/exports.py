"""The day's lists as CSV or XLSX: plain bytes, the screens wrap them in a download."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from django.utils import timezone

from goedeburen.common.text import cut_whole

# Control characters an XLSX file cannot hold (openpyxl refuses them).
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value) -> object:
    # A cell starting with = + - @ (or a tab or return before one) would run as a formula
    # in a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")  # Dutch: 125,00
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    return value


def as_csv(headers: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows([[_safe(value) for value in row] for row in rows])
    # With a byte order mark, Excel reads the names' accents as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# How a spreadsheet shows typed cells: Dutch dates and euros (the cells stay real dates and
# numbers, so they sort and add up).
DATE_FORMAT = "d-m-yyyy"
DATETIME_FORMAT = "d-m-yyyy hh:mm"
MONEY_FORMAT = '"€" #,##0.00'


def _cell(worksheet, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime):
        # A spreadsheet has no time zones: the time as read in the site's zone.
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    if isinstance(value, str):
        # Text stays text: a cell typed as a string is never run as a formula, whatever
        # it starts with (=, +, -, @), so no quote needs to be added to it.
        cell = WriteOnlyCell(worksheet, value=ILLEGAL_CHARACTERS.sub("", value))
        cell.data_type = "s"
        return cell
    return WriteOnlyCell(worksheet, value=value)


# What a sheet's name may not hold (openpyxl refuses it, Excel too), and its length.
_NOT_IN_SHEET_NAME = re.compile(r"[\\*?:/\[\]]")
_SHEET_NAME_LENGTH = 31


def sheet_name(title: str) -> str:
    """Return `title` as a sheet may be named: without : / \\ ? * [ ] (a session list's
    "10:30 …" holds a colon) or quotes at its ends, at most 31 characters, never empty."""
    name = ILLEGAL_CHARACTERS.sub("", _NOT_IN_SHEET_NAME.sub(" ", title))
    name = cut_whole(" ".join(name.split()), _SHEET_NAME_LENGTH).strip(" '")
    return name or "List"


def as_xlsx(headers: list[str], rows, *, sheet: str = "List") -> bytes:
    """Return `rows` as an XLSX workbook: numbers, dates and euros as typed cells in Dutch
    formats, text as text cells (never a formula); the sheet named after `sheet`."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet_name(sheet))
    worksheet.append([_cell(worksheet, str(header)) for header in headers])
    for row in rows:
        worksheet.append([_cell(worksheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
