"""Alembic migrations of the mlops-jupyter schema.

``REVISIONS`` lists every revision in order; ``HEAD_REVISION`` is the newest. They
are kept here (a test checks them against the scripts) so that opening an up-to-date
database never has to import Alembic.
"""

REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0010")
HEAD_REVISION = REVISIONS[-1]
