"""audit_log: the kind of data each change is to, indexed with its time

A version of the data per kind (`bot/services/data_version.py`) lets a cache that
shows no roster contact (App Home's figures, the kept mentors of `/mentor match`) keep
them through a morning of first contacts. Rows written before this revision are of the
kind "program", the kind every cache follows.

Revision ID: 0021_audit_kind
Revises: 0020_report_indexes
Create Date: 2026-12-07 01:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_audit_kind"
down_revision: str | Sequence[str] | None = "0020_report_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(16), server_default="program", nullable=False)
        )
        batch_op.create_index("ix_audit_log_kind_created_at", ["kind", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_index("ix_audit_log_kind_created_at")
        batch_op.drop_column("kind")
