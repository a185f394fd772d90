"""The officer's CSV import of licence use: the same (RUN, last use) pairs as the API, from a spreadsheet.

The file has a header line naming a RUN column ("RUN" or "RUT") and a last-use column ("last_used_at",
"Último uso" or "ultimo uso"; case and accents do not matter), separated by commas or semicolons (Excel in
Chile saves with semicolons). A last use is either ISO 8601 ("2026-10-01T12:00:00-03:00"; without an offset
it is read in the health service's time zone) or "dd-mm-yyyy HH:MM" ("01-10-2026 09:30", also with "/" and
with seconds) in the health service's time zone; a date alone means the start of that day. Parsing is pure
CPU (run it in a thread); ``preview`` reads what applying would change, writing nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.db import session_now
from app.kit.i18n import _
from app.provisioning.core.refusals import InvalidValue, Reason
from app.provisioning.licenses.collaborators import decode_text, folded, guess_delimiter, normalise_run
from app.provisioning.licenses.models import ACTIVE, License

# The apply form sends the checked text back, and a form field may hold at most 1 MB.
MAX_FILE_BYTES = 512 * 1024
MAX_LINES = 10_000
_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "run": ("RUN", "RUT"),
    "last_used_at": ("last_used_at", "Último uso", "ultimo uso", "last use"),
}
_ALIASES = {folded(alias): name for name, aliases in _COLUMNS.items() for alias in aliases}
_DAY_FIRST = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
WHEN_FORMAT = _("Write the last use as 01-10-2026 09:30 or as ISO 8601, e.g. 2026-10-01T09:30:00-03:00.")


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    reason: Reason


@dataclass(frozen=True)
class UsageFile:
    """The uses of a file in order, each refused line's reasons, and reasons that concern the whole file."""

    uses: tuple[tuple[str, datetime], ...]
    line_errors: tuple[LineError, ...] = ()
    errors: tuple[Reason, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.uses) and not self.line_errors and not self.errors


def parse_when(text: str, zone: ZoneInfo) -> datetime:
    """A last use as an aware UTC time; local times are the health service's."""
    value = text.strip()
    if not value:
        raise InvalidValue(_("Enter the last use."))
    day_first = _DAY_FIRST.fullmatch(value)
    try:
        if day_first:
            day, month, year, hour, minute, second = (int(part) if part else 0 for part in day_first.groups())
            moment = datetime(year, month, day, hour, minute, second)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidValue(WHEN_FORMAT) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _columns(header: Sequence[str]) -> tuple[dict[str, int], list[Reason]]:
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        name = _ALIASES.get(folded(title))
        if name is not None and name not in positions:
            positions[name] = index
    reasons = []
    if "run" not in positions:
        reasons.append(Reason(_("The header line has no column for the RUN; call it RUN.")))
    if "last_used_at" not in positions:
        reasons.append(Reason(_("The header line has no column for the last use; call it Último uso.")))
    return positions, reasons


def _line(line: int, cells: Sequence[str], positions: Mapping[str, int],
          zone: ZoneInfo) -> tuple[tuple[str, datetime] | None, list[LineError]]:
    run_text, when_text = (cells[positions[name]] if positions[name] < len(cells) else ""
                           for name in ("run", "last_used_at"))
    errors: list[LineError] = []
    run = when = None
    try:
        run = normalise_run(run_text)
    except InvalidValue as refused:
        errors.append(LineError(line, "run", refused.reason))
    try:
        when = parse_when(when_text, zone)
    except InvalidValue as refused:
        errors.append(LineError(line, "last_used_at", refused.reason))
    return (None if run is None or when is None else (run, when)), errors


def parse_usage_csv(text: str, zone: ZoneInfo) -> UsageFile:
    """Every line checked; line numbers as a spreadsheet shows them."""
    text = text.removeprefix("\ufeff")  # a BOM that survived decoding (pasted, or sent back by the apply form)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=guess_delimiter(text), strict=True)
    uses: list[tuple[str, datetime]] = []
    errors: list[LineError] = []
    try:
        header = next((cells for cells in reader if any(cell.strip() for cell in cells)), None)
        if header is None:
            return UsageFile((), errors=(Reason(_("The file is empty.")),))
        positions, reasons = _columns(header)
        if reasons:
            return UsageFile((), errors=tuple(reasons))
        ended = reader.line_num
        for cells in reader:
            line, ended = ended + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(uses) + len(errors) >= MAX_LINES:
                return UsageFile((), errors=(Reason(_("The file has more than {max} uses; split it."),
                                                    {"max": MAX_LINES}),))
            use, problems = _line(line, cells, positions, zone)
            errors.extend(problems)
            if use is not None:
                uses.append(use)
    except csv.Error as error:
        return UsageFile((), errors=(Reason(_("Line {line} cannot be read as CSV: {reason}."),
                                            {"line": reader.line_num, "reason": str(error)}),))
    if not uses and not errors:
        return UsageFile((), errors=(Reason(_("The file has a header line but no uses.")),))
    return UsageFile(tuple(uses), tuple(errors))


def decode(content: bytes) -> str:
    """UTF-8 (with or without Excel's BOM) or Windows-1252, as the collaborator import reads files."""
    return decode_text(content)


@dataclass(frozen=True)
class Preview:
    will_update: int
    unchanged: int
    unknown_runs: tuple[str, ...]


async def preview(session: AsyncSession, uses: Sequence[tuple[str, datetime]],
                  organisation_ids: frozenset[int]) -> Preview:
    """What ``usage.record_usage`` would do with these uses, read without writing (the same rules)."""
    latest: dict[str, datetime] = {}
    for run, used_at in uses:
        latest[run] = max(used_at, latest.get(run, used_at))
    found = {licence.run: licence for licence in (await session.execute(select(License).where(
        License.run.in_(list(latest)), License.state == ACTIVE,
        License.organisation_id.in_(organisation_ids)))).scalars()}
    now = session_now(session)
    unchanged = sum(1 for run, licence in found.items()
                    if licence.last_used_at is not None and licence.last_used_at >= min(latest[run], now))
    unknown = tuple(sorted(run for run in latest if run not in found))
    return Preview(len(found) - unchanged, unchanged, unknown)
