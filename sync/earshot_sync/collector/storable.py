"""Whether a text can be stored at all: one rule for the accounts and the reader."""


def storable(value: str) -> bool:
    """False for a NUL or a lone surrogate: nothing stored holds one (ingest refuses them), and
    PostgreSQL's driver cannot even send them, so a name or filter value with one matches
    nothing."""
    return "\x00" not in value and not any("\ud800" <= char <= "\udfff" for char in value)
