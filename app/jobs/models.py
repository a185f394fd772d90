"""The job lock table: which worker runs which periodic job, and how each job last ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.db import Base, UTCDateTime


class JobRun(Base):
    """One row per periodic job: the lease that lets one worker at a time run it, and its last outcome."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    leased_by: Mapped[str | None] = mapped_column(String(80))
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_outcome: Mapped[str | None] = mapped_column(String(300))
    # A job's own bookmark, e.g. the local day whose overdue digest was sent.
    marker: Mapped[str | None] = mapped_column(String(40))
