"""The client hash: daily salt, network cut, no raw address; ProxyFix behind proxies."""

from __future__ import annotations

from datetime import date

import pytest

from publisher import create_app
from publisher.analytics.clients import client_hash, daily_salt, network_of
from tests.support.app import test_config

DAY = date(2024, 5, 31)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("198.51.100.23", "198.51.100.23"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::ffff", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.23", "198.51.100.23"),  # an IPv4 client on a dual stack
        ("not-an-ip", "not-an-ip"),
        (None, ""),
    ],
)
def test_network_of(address, network):
    assert network_of(address) == network


def test_hash_is_stable_within_a_day_and_changes_with_the_day():
    first = client_hash("secret", DAY, "198.51.100.23", "AntennaPod/3")
    assert first == client_hash("secret", DAY, "198.51.100.23", "AntennaPod/3")
    assert first != client_hash("secret", date(2024, 6, 1), "198.51.100.23", "AntennaPod/3")
    assert first != client_hash("secret", DAY, "198.51.100.24", "AntennaPod/3")
    assert first != client_hash("secret", DAY, "198.51.100.23", "Overcast/3")
    assert first != client_hash("another secret", DAY, "198.51.100.23", "AntennaPod/3")
    assert len(first) == 64 and "198" not in first


def test_salt_is_secret_derived_per_day():
    assert daily_salt("secret", DAY) != daily_salt("secret", date(2024, 6, 1))
    assert daily_salt("secret", DAY) != daily_salt("other", DAY)
    assert len(daily_salt("secret", DAY)) == 32


def _remote_addr_app(database_url, tmp_path, **config):
    app = create_app(test_config(database_url, tmp_path, **config))

    @app.get("/_addr")
    def addr():
        from flask import request

        return request.remote_addr or ""

    return app


def test_without_proxy_fix_forwarded_headers_are_ignored(migrated_database, tmp_path):
    app = _remote_addr_app(migrated_database, tmp_path)
    response = app.test_client().get(
        "/_addr",
        headers={"X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.text == "10.0.0.1"


def test_with_proxy_fix_the_forwarded_client_is_used(migrated_database, tmp_path):
    app = _remote_addr_app(migrated_database, tmp_path, PROXY_FIX_X_FOR=1)
    response = app.test_client().get(
        "/_addr",
        headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    # One trusted proxy: the last address it appended is the client; the rest is forgeable.
    assert response.text == "203.0.113.9"
