"""Storage ledger: keys recorded before they are written, for the janitor

Revision ID: concurrency_0003
Revises: feeds_0003
Create Date: 2026-12-03 07:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'concurrency_0003'
down_revision = 'security_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('storage_writes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_writes'))
    )
    with op.batch_alter_table('storage_writes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storage_writes_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('storage_writes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storage_writes_expires_at'))

    op.drop_table('storage_writes')
