"""Prices in minor units (cents), shown the way buyers read them."""

from __future__ import annotations

# Currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL = frozenset(
    {
        *("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"),
        *("pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"),
    }
)
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$"}


def major_units(amount: int, currency: str) -> float:
    """The amount in the currency's main unit (2900 usd -> 29.0)."""
    return float(amount) if currency.lower() in ZERO_DECIMAL else amount / 100


def format_money(amount: int, currency: str) -> str:
    """'$29', '$9.99', '€12.50', '¥1200', '12.00 CHF'."""
    value = major_units(amount, currency)
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    symbol = SYMBOLS.get(currency.lower())
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"


def format_unit_price(amount: int, currency: str, credits: int) -> str:
    """The price of one credit, to the cent: '$0.36'."""
    value = major_units(amount, currency) / credits
    symbol = SYMBOLS.get(currency.lower())
    text = f"{value:,.2f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"
