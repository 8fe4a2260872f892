"""Idempotency keys for requests that charge credits (Stripe's semantics).

The same key with the same request returns the first response without a second charge;
with a different request it is refused (422); while the first is still running, 409.
The key's row is claimed in its own short transaction and completed in the request's own
transaction, so the stored response commits together with the charge or not at all.
"""
