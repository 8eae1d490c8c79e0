"""Small text helpers shared by the domain and interface apps."""


def split_lines(text: str) -> list[str]:
    """Return the non-empty lines of a text field that holds one point per line."""
    return [line.strip(" •-\t") for line in text.splitlines() if line.strip(" •-\t")]


def natural_key(text: str) -> tuple:
    """Return a sort key that puts "Huiskamer 2" before "Huiskamer 10" (numbers as numbers)."""
    import re

    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text or "")
        if part
    )
