"""Failed sign-ins are limited per account and per address, in memory or in Redis."""

from __future__ import annotations

import pytest
import redis

from tests.support.studio import login

REDIS_URL = "redis://127.0.0.1:6379/13"  # the studio's test database: flushed here only
LIMITS = {"STUDIO_LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
          "STUDIO_LOGIN_LIMIT_PER_ADDRESS": "5 per 15 minutes"}  # fmt: skip


@pytest.fixture(params=["memory", "redis"])
def app_config(request):
    if request.param == "memory":
        return dict(LIMITS)
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    request.addfinalizer(connection.flushdb)
    request.addfinalizer(connection.close)
    return {**LIMITS, "REDIS_URL": REDIS_URL}


def test_an_account_is_locked_after_its_failures_even_with_the_right_password(client, factory):
    user = factory.user()
    assert [login(client, user.email, "wrong").status_code for _ in range(3)] == [401] * 3
    response = login(client, user.email)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many failed attempts" in page and "minute" in page
    assert client.get("/studio/").status_code == 302


def test_the_account_limit_ignores_the_case_of_the_email(client, factory):
    user = factory.user()
    for _ in range(3):
        login(client, user.email.upper(), "wrong")
    assert login(client, user.email).status_code == 429


def test_an_address_is_limited_across_accounts(client, factory):
    for n in range(5):
        assert login(client, f"guess{n}@example.com", "wrong").status_code == 401
    user = factory.user()
    assert login(client, user.email).status_code == 429


def test_successes_do_not_count(app, factory):
    user = factory.user()
    for _ in range(6):
        client = app.test_client()
        assert login(client, user.email).status_code == 302


def test_other_addresses_are_not_locked_out_by_one(app, factory):
    user = factory.user()
    attacker = app.test_client()
    for n in range(5):
        login(attacker, f"guess{n}@example.com", "wrong")
    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login(colleague, user.email).status_code == 302


@pytest.mark.parametrize("app_config", [{**LIMITS, "REDIS_URL": REDIS_URL}])
def test_counters_are_kept_in_redis_when_configured(client, app_config):
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    try:
        login(client, "someone@example.com", "wrong")
        assert connection.keys("*studio-login-account*someone@example.com*")
    finally:
        connection.flushdb()
        connection.close()
