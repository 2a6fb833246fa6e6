"""``PrincipalCache``: authenticated keys trusted for ``max_age`` seconds, bounded, by digest."""

from __future__ import annotations

import pytest

from bluehelmet.domain.cooperation import Role
from bluehelmet.services.access import Principal, PrincipalCache

GHANA = Principal(user_id=1, name="ghana", role=Role.DELEGATION, iso3="GHA")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_trusted_until_max_age_then_forgotten() -> None:
    clock = Clock()
    cache = PrincipalCache(2.0, clock=clock)
    assert cache.get("key-a") is None
    cache.put("key-a", GHANA)
    clock.now += 1.9
    assert cache.get("key-a") == GHANA
    assert cache.get("key-b") is None  # another key is another entry
    clock.now += 0.1
    assert cache.get("key-a") is None


def test_max_age_zero_keeps_nothing() -> None:
    cache = PrincipalCache(0)
    cache.put("key-a", GHANA)
    assert cache.get("key-a") is None


def test_the_cache_is_bounded_and_holds_no_key() -> None:
    cache = PrincipalCache(60, size=4)
    for i in range(10):
        cache.put(f"key-{i}", GHANA)
    assert len(cache._entries) <= 4
    assert cache.get("key-9") == GHANA
    assert not any(isinstance(k, str) or b"key-" in k for k in cache._entries)
    cache.clear()
    assert cache.get("key-9") is None


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_age"):
        PrincipalCache(-1)
