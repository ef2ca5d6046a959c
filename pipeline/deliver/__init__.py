"""Delivering: built briefs -> e-mail messages, queued in an outbox and sent over SMTP."""
