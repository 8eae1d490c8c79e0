"""The forms of a page as a browser without JavaScript reads and submits them.

`page_forms(html)` returns each `<form>` with its fields; `Form.data()` is what a browser
would send on pressing its first (or a given) button, untouched. Tests replace values of
it with what a person could type or a tool could send instead.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Input types whose value a person types; the others a browser fills itself.
TYPED = {
    "text",
    "email",
    "number",
    "date",
    "time",
    "datetime-local",
    "url",
    "tel",
    "search",
    "password",
    "textarea",
    "month",
    "week",
}


@dataclass
class Field:
    name: str
    kind: str  # an input type, "textarea", "select" or "select-multiple"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)  # a select's option values
    selected: list[str] = field(default_factory=list)
    disabled: bool = False
    accept: str = ""  # a file input's hint of the kinds of file it takes


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[Field] = field(default_factory=list)

    def buttons(self) -> list[Field]:
        """Return the named submit buttons, in page order."""
        return [f for f in self.fields if f.kind == "submit" and f.name]

    def data(self, button: Field | None = None) -> dict[str, list[str]]:
        """Return what a browser sends on pressing `button` (else the first named one)."""
        data: dict[str, list[str]] = {}
        buttons = self.buttons()
        pressed = button or (buttons[0] if buttons else None)
        for f in self.fields:
            if f.disabled or not f.name:
                continue
            if f.kind == "submit":
                values = [f.value] if f is pressed else []
            elif f.kind in ("checkbox", "radio"):
                values = [f.value or "on"] if f.checked else []
            elif f.kind == "select":
                values = (f.selected or f.options)[:1]
            elif f.kind == "select-multiple":
                values = list(f.selected)
            elif f.kind in ("file", "reset", "button", "image"):
                values = []
            else:
                values = [f.value]
            if values:
                data.setdefault(f.name, []).extend(values)
        # A radio group with nothing checked sends nothing, as in a browser.
        return data

    def typed(self) -> list[str]:
        """Return the names of the fields a person fills in (text, numbers, dates, choices)."""
        names = []
        for f in self.fields:
            if f.disabled or not f.name or f.name in names:
                continue
            if (
                f.kind in TYPED
                or f.kind in ("select", "select-multiple", "radio", "checkbox")
                or f.kind == "hidden"
                and f.name != "csrfmiddlewaretoken"
            ):
                names.append(f.name)
        return names

    def files(self) -> list[Field]:
        """Return the file inputs."""
        return [f for f in self.fields if f.kind == "file" and f.name and not f.disabled]


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: list | None = None  # [value or None, selected, text]
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=a.get("action", ""),
                method=a.get("method", "get").lower(),
                enctype=a.get("enctype", ""),
            )
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        disabled = "disabled" in a
        if tag == "input":
            kind = a.get("type", "text").lower()
            self._form.fields.append(
                Field(
                    a.get("name", ""),
                    kind,
                    a.get("value", ""),
                    checked="checked" in a,
                    disabled=disabled,
                    accept=a.get("accept", ""),
                )
            )
        elif tag == "button":
            kind = a.get("type", "submit").lower()
            if kind == "submit":
                self._form.fields.append(
                    Field(a.get("name", ""), "submit", a.get("value", ""), disabled=disabled)
                )
        elif tag == "select":
            kind = "select-multiple" if "multiple" in a else "select"
            self._select = Field(a.get("name", ""), kind, disabled=disabled)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea":
            self._textarea = Field(a.get("name", ""), "textarea", disabled=disabled)
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        elif self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None

    def _close_option(self):
        if self._option is None or self._select is None:
            return
        value, selected, text = self._option
        value = text.strip() if value is None else value
        self._select.options.append(value)
        if selected:
            self._select.selected.append(value)
        self._option = None


def page_forms(html: str) -> list[Form]:
    """Return the forms of an HTML page."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms
