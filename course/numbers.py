"""Whole numbers from URLs and forms, bounded to what an INTEGER column holds on every database."""
import builtins
import re
from typing import Any

from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's INTEGER is 32-bit: comparing a column with anything larger raises, and SQLite
# overflows above 2^63. Every id and count the app accepts stays inside this range.
INT_MAX = 2 ** 31 - 1
_WHOLE = re.compile(r"[0-9]{1,10}")


def whole_number(text: Any, low: int = 0, high: int = INT_MAX) -> int | None:
    """The whole number `text` spells in ASCII digits if it lies in low..high, else None."""
    if not isinstance(text, str) or not _WHOLE.fullmatch(text.strip()):
        return None  # str.isdigit() accepts "²", which int() then refuses with a ValueError
    value = int(text)
    return value if low <= value <= high else None


def _up_to(top: int) -> str:
    """A regex for 1..top in ASCII digits without leading zeros (never a larger number)."""
    digits = str(top)
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same = [f"{digits[:i]}[{'1' if i == 0 else '0'}-{int(d) - 1}][0-9]{{{len(digits) - i - 1}}}"
            for i, d in enumerate(digits) if int(d) > (1 if i == 0 else 0)]
    return "(?:" + "|".join(shorter + same + [digits]) + ")"


class IdConverter(IntegerConverter):
    """`<int:...>` for database ids: 1..2^31-1 in ASCII digits; anything else is a 404."""

    # The regex, not only to_python, bounds the id: when a GET and a POST rule share a path,
    # a converter refusing the value after the regex matched would make werkzeug answer 405.
    regex = _up_to(INT_MAX)

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 1,  # noqa: A002
                 max: int | None = INT_MAX, signed: bool = False) -> None:  # noqa: A002
        """Werkzeug's converter with the database's bounds unless a rule asks for tighter ones."""
        bounded = INT_MAX if max is None else builtins.min(max, INT_MAX)
        super().__init__(map, fixed_digits, min, bounded, signed)
