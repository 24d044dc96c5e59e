"""schemathesis against the live app: no 5xx, and every answer matches the document.

The document comes from the test's own app, built in a fixture when the test runs (not
when the module is collected); each of its operations then gets the tests
``@schema.parametrize()`` would build (examples, coverage and fuzzing phases), run
against that app over a database seeded with a show, episodes and an article.
schemathesis' lazy ``from_fixture`` loader does the same but does not run under pytest 9,
so the test calls the loader's builder, ``get_all_tests``, itself.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.result import Err
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import positive_data_acceptance

from publisher.api.spec import openapi_document


@pytest.fixture
def seeded(factory) -> None:
    show = factory.show(slug="demo")
    episode = factory.episode(show=show)
    factory.episode(show=show, public=False)
    factory.article(episodes=[episode], tags=["news"])


@pytest.fixture
def api_schema(app, seeded):
    """The app's OpenAPI document, with requests sent to the app itself (WSGI)."""
    with app.app_context():
        document = openapi_document(app)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    # Invalid data may also be refused for its size: a JSON body over MAX_JSON_KB is a 413
    # before it is read (issue 12), and schemathesis generates such bodies.
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    return schema


def _call(case, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # A schema-valid body may still name an episode id that does not exist, or schedule
        # without a time: those 422s are right, so "valid data must be accepted" is off.
        excluded_checks=[positive_data_acceptance],
    )


def test_api_honours_its_document(api_schema, admin_token):
    tests = get_all_tests(
        schema=api_schema,
        test_func=_call,
        settings=settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck)),
        given_kwargs=None,
    )
    labels = []
    for result in tests:
        if isinstance(result, Err):
            raise result.err()  # the document has an operation schemathesis cannot use
        operation, run = result.ok()
        labels.append(operation.label)
        try:
            run(token=admin_token)
        except BaseException as exc:
            exc.add_note(f"operation: {operation.label}")
            raise
    assert len(labels) >= 20, labels
