"""Every model module, imported so that the metadata Alembic compares against is complete."""

from audit import models as _audit  # noqa: F401
from audit.models import AuditBase
from cases.accounts import models as _accounts  # noqa: F401
from cases.casework import models as _casework  # noqa: F401
from cases.meetings import models as _meetings  # noqa: F401
from cases.notifications import models as _notifications  # noqa: F401
from cases.persons import models as _persons  # noqa: F401
from cases.referrals import models as _referrals  # noqa: F401
from cases.retention import models as _retention  # noqa: F401
from cases.statistics import models as _statistics  # noqa: F401
from core import datakeys as _datakeys  # noqa: F401
from core.db import Base

target_metadata = [Base.metadata, AuditBase.metadata]
