"""Security: random daily salts, forgettable download details, UA cap flag, token expiry

Revision ID: security_0003
Revises: delivery_0002
Create Date: 2026-12-03 07:21:37.492030

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'security_0003'
down_revision = 'feeds_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('daily_salts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_daily_salts'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('downloads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('device', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('os', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('is_filtered', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.alter_column('client_hash',
               existing_type=sa.VARCHAR(length=64),
               nullable=True)
        batch_op.alter_column('user_agent',
               existing_type=sa.VARCHAR(length=500),
               nullable=True)
        batch_op.create_index('ix_downloads_episode_id_day_network_hash', ['episode_id', 'day', 'network_hash'], unique=False)



def downgrade():
    # Forgotten details cannot come back: fill them with empty strings to require them again.
    op.execute("UPDATE downloads SET client_hash = '' WHERE client_hash IS NULL")
    op.execute("UPDATE downloads SET user_agent = '' WHERE user_agent IS NULL")
    with op.batch_alter_table('downloads', schema=None) as batch_op:
        batch_op.drop_index('ix_downloads_episode_id_day_network_hash')
        batch_op.alter_column('user_agent',
               existing_type=sa.VARCHAR(length=500),
               nullable=False)
        batch_op.alter_column('client_hash',
               existing_type=sa.VARCHAR(length=64),
               nullable=False)
        batch_op.drop_column('is_filtered')
        batch_op.drop_column('os')
        batch_op.drop_column('device')
        batch_op.drop_column('network_hash')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    op.drop_table('daily_salts')
