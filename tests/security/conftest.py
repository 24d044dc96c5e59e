"""The API callers of tests/api (anonymous, editor, admin), for the abuse tests here."""

from tests.api.conftest import admin, admin_token, anon, editor, editor_token  # noqa: F401
