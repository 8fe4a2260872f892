"""Credit packs and Stripe settings from the environment."""

from __future__ import annotations

import json

import pytest

from ugc.billing.money import format_money, format_unit_price
from ugc.config import SettingsError, load_settings


def test_packs_from_json_in_the_environment(monkeypatch):
    packs = [{"id": "tiny", "name": "Tiny", "credits": 5, "price": 199, "currency": "eur"}]
    monkeypatch.setenv("UGC_CREDIT_PACKS", json.dumps(packs))
    settings = load_settings()
    assert [p.id for p in settings.credit_packs] == ["tiny"]
    assert settings.credit_pack("tiny").price == 199  # type: ignore[union-attr]
    assert settings.credit_pack("creator") is None
    assert not settings.payments_enabled


@pytest.mark.parametrize(
    "packs",
    [
        [{"id": "a", "name": "A", "credits": 0, "price": 100}],
        [{"id": "a", "name": "A", "credits": 5, "price": 100, "currency": "US$"}],
        [{"id": "a", "name": "A", "credits": 5, "price": 1}] * 2,
    ],
)
def test_a_bad_pack_names_the_variable(monkeypatch, packs):
    monkeypatch.setenv("UGC_CREDIT_PACKS", json.dumps(packs))
    with pytest.raises(SettingsError, match="UGC_CREDIT_PACKS"):
        load_settings()


def test_default_packs_are_the_plans_page_three():
    settings = load_settings(stripe_secret_key="sk_test_x")
    assert [(p.name, p.credits, p.price) for p in settings.credit_packs] == [
        ("Starter", 25, 1000),
        ("Creator", 80, 2900),
        ("Studio", 300, 9900),
    ]
    assert settings.payments_enabled


def test_prices_read_as_buyers_read_them():
    assert format_money(2900, "usd") == "$29"
    assert format_money(999, "eur") == "€9.99"
    assert format_money(1200, "jpy") == "¥1,200"
    assert format_money(1250, "chf") == "12.50 CHF"
    assert format_unit_price(2900, "usd", 80) == "$0.36"
