"""Imports every table module so that ``Base.metadata`` holds the whole schema (for Alembic)."""

from accounts import models as accounts_models
from app.beds import models as beds_models
from app.beds.alerts import models as alert_models
from app.beds.dispatch import models as dispatch_models
from app.beds.nomenclature import models as nomenclature_models
from app.jobs import models as job_models
from app.kit import audit
from app.kit.db import Base
from app.notifications import models as notification_models
from app.notifications import outbox
from app.provisioning.core import models as provisioning_models
from app.provisioning.licenses import models as license_models
from app.provisioning.orders import models as order_tables
from app.provisioning.roles import models as role_models

metadata = Base.metadata

__all__ = ["accounts_models", "alert_models", "audit", "beds_models", "dispatch_models", "job_models", "license_models",
           "metadata", "nomenclature_models", "notification_models", "order_tables", "outbox",
           "provisioning_models", "role_models"]
