"""The public site: pages readers and listeners open."""

from flask import Blueprint

bp = Blueprint("site", __name__)


@bp.record_once
def _register_template_helpers(state) -> None:
    from publisher.site.presenters import init_presenters

    init_presenters(state.app)


from publisher.site import media, views  # noqa: E402,F401
