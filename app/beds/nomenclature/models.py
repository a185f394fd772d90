"""Uploaded nomenclature files: kept, validated, between the preview and the admin's confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.db import Base, UTCDateTime

PENDING, APPLIED, CANCELLED, EXPIRED = "pending", "applied", "cancelled", "expired"


class NomenclatureImport(Base):
    """One uploaded file. Confirming applies its diff only if the diff is still the one previewed."""

    __tablename__ = "nomenclature_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_by_id: Mapped[int | None] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    # The file as uploaded; emptied when the import is cancelled or expires (it never took effect).
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    # The fingerprint of the diff shown at upload; the CLI confirms against it.
    diff_sha256: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(120))
