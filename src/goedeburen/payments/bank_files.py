"""Unpack an organiser's upload of bank statements (one file, or a ZIP archive of them), and
read each file in its format.

Pure Python, no Django. A file is CAMT.053 (`camt`) or MT940 (`mt940_statements`), told
apart by its first bytes: both give the same `camt.Statement`. Banks offer a period's
statements as a ZIP archive of such files; the archive is read in memory within limits that
a zip bomb cannot pass: at most `MAX_MEMBERS` files and `camt.MAX_BYTES` unpacked in all,
counted as the bytes come out (never trusting the sizes the archive declares). A member's
name is only shown, never used as a path: nothing is written to disk. Folders, macOS's
`__MACOSX/` copies and hidden files (`.DS_Store`, `._name`) are passed over.
"""

import io
import zipfile
import zlib

from . import camt, mt940_statements
from .camt import MAX_BYTES, CamtError

MAX_MEMBERS = 1000  # some three years of daily statements
_CHUNK = 1024 * 1024
_ARCHIVE = (b"PK\x03\x04", b"PK\x05\x06")
# What office files (xlsx, docx, ods) hold: a ZIP archive, but a spreadsheet to the user.
_OFFICE = {"[Content_Types].xml", "mimetype"}


def is_archive(data: bytes) -> bool:
    """Return whether `data` is a ZIP archive."""
    return data.startswith(_ARCHIVE)


def read_statement(data: bytes, *, account: str = "") -> camt.Statement:
    """Return the statement in the file `data`, CAMT.053 or MT940, or raise `CamtError`.

    `account` as `camt.parse_statement` takes it.
    """
    if mt940_statements.is_mt940(data):
        return mt940_statements.parse_statement(data, account=account)
    return camt.parse_statement(data, account=account)


def statement_files(data: bytes) -> list[tuple[str, bytes]]:
    """Return the files in the upload `data` as (name in the archive, content).

    A plain file is one entry with the name "". Raise `CamtError` for an archive that is
    damaged, encrypted, too big, holds too many files or none, or is an office document.
    """
    if not is_archive(data):
        return [("", data)]
    try:
        return _unpack(data)
    except CamtError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # a compression method Python does not read
        RuntimeError,  # encrypted
        EOFError,
        OSError,
        ValueError,
        zlib.error,
    ) as broken:
        raise CamtError("zip_broken") from broken


def _unpack(data: bytes) -> list[tuple[str, bytes]]:
    files = []
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise CamtError("zip_members", limit=MAX_MEMBERS)
        if _OFFICE & {member.filename for member in members}:
            raise CamtError("office")
        for member in members:
            name = member.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if member.is_dir() or member.filename.startswith("__MACOSX/"):
                continue
            if not name or name.startswith("."):
                continue
            if member.flag_bits & 0x1:
                raise CamtError("zip_broken")  # encrypted: we have no password
            chunks = []
            with archive.open(member) as unpacked:
                while chunk := unpacked.read(_CHUNK):
                    total += len(chunk)
                    if total > MAX_BYTES:
                        raise CamtError("zip_size")
                    chunks.append(chunk)
            files.append((name[:200], b"".join(chunks)))
    if not files:
        raise CamtError("zip_empty")
    return files
