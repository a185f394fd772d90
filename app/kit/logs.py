"""Log set-up for the server: one handler on the root logger, plain text or JSON lines (for a log collector).

What is logged is chosen where it is logged (app/kit/request_log.py, the scheduler): route templates, ids and
figures, never a query string, a header, a form field or a personal number. This module only shapes lines.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["text", "json"]
# Figures a caller attaches with ``extra={FIELDS: {...}}``: JSON lines carry them as keys of their own.
FIELDS = "bedboard_fields"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_MARK = "bedboard_handler"


class JsonLines(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the attached fields, and the
    traceback if any (as one string, so that the line stays one line)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            line.update({key: value for key, value in fields.items() if key not in line})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def formatter(log_format: LogFormat) -> logging.Formatter:
    return JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: LogFormat, level: int = logging.INFO) -> None:
    """Idempotent: the server's main process and each worker call it; a second call replaces our handler.
    uvicorn's own loggers propagate to it (``bedboard serve`` passes ``log_config=None``), so they share
    the format."""
    root = logging.getLogger()
    for handler in [handler for handler in root.handlers if getattr(handler, _MARK, False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _MARK, True)
    handler.setFormatter(formatter(log_format))
    root.addHandler(handler)
    root.setLevel(level)
