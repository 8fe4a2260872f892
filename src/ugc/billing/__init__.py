"""Selling credits: packs, Stripe Checkout, Stripe webhooks and the purchases they record."""
