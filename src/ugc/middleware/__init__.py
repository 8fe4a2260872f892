"""ASGI middleware at the server's edge: body limits, authentication first, security headers."""
