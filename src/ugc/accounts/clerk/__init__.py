"""Clerk's user webhooks (Svix-signed): keep accounts in step with the Clerk instance."""
