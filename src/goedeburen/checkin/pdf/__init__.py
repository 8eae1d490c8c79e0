"""The PDFs of the day (reportlab, with the shared Unicode fonts of `common.pdf_fonts`):
tickets and ticket letters, badges, the lists, certificates of attendance."""

from . import badges, certificates, lists, tickets  # noqa: F401  (the package's modules)
