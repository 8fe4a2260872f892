"""Completion webhooks: users' endpoints, signed deliveries (Standard Webhooks), delivery log.

An event is written to `webhook_deliveries` in the same transaction as the change it
reports (an outbox), so it cannot be lost or sent for a change that rolled back; the job
system then delivers it at least once, with the same `webhook-id` on every retry.
"""
