"""Small text helpers shared by the domain and interface apps."""


def split_lines(text: str) -> list[str]:
    """Return the non-empty lines of a text field that holds one point per line."""
    return [line.strip(" •-\t") for line in text.splitlines() if line.strip(" •-\t")]
