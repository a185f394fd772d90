"""Imports every table module so that ``Base.metadata`` holds the whole schema (for Alembic)."""

from accounts import models as accounts_models
from app import audit
from app.beds import models as beds_models
from app.beds import nomenclature_models
from app.db import Base

metadata = Base.metadata

__all__ = ["accounts_models", "audit", "beds_models", "metadata", "nomenclature_models"]
