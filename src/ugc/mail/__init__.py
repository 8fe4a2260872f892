"""Outgoing email: one Mailer protocol; SMTP, console and file implementations (UGC_MAIL_URL)."""
