"""feed renderings: rendered feeds shared by every app process

Revision ID: feeds_0002
Revises: 6b430547a8db
Create Date: 2026-11-27 21:49:40.115158

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'feeds_0002'
down_revision = 'site_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_renderings',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('show_id', sa.Integer(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('body_gzip', sa.LargeBinary(), nullable=False),
    sa.Column('last_modified', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], name=op.f('fk_feed_renderings_show_id_shows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_feed_renderings'))
    )
    with op.batch_alter_table('feed_renderings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_renderings_show_id'), ['show_id'], unique=False)



def downgrade():
    with op.batch_alter_table('feed_renderings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_renderings_show_id'))

    op.drop_table('feed_renderings')
