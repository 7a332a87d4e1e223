"""The day a return says it was sent (报送日期), read from its own lines: the office judges
a return 逾期 by it. A file's modified time is no such day (copying or mailing a folder
changes it), so a return that states no date is 日期不详, never dated by its file."""

import re
from datetime import date

_SENT = re.compile(
    r"(?:报送|填报|报出)日期\s*[:：]?\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})"
)


def sent_on(lines: list[str]) -> date | None:
    """The latest labelled date on a sheet's title and sign-off lines (报送日期：2027年1月4日,
    or the label in one cell and the date in the next), None when there is none."""
    found = []
    for line in lines:
        for match in _SENT.finditer(line):
            try:
                found.append(date(*(int(g) for g in match.groups())))
            except ValueError:  # 2027年13月 is no date
                continue
    return max(found, default=None)
