"""Administrative actions behind the CLI: create accounts, grant credits."""

from __future__ import annotations

import typer

from ugc.auth import service as auth_service
from ugc.auth.repository import UserRepository
from ugc.config import Settings
from ugc.credits.models import LedgerReason
from ugc.credits.service import add_credits
from ugc.db.engine import Database
from ugc.errors import UGCError


async def create_user(settings: Settings, email: str, password: str) -> str:
    """Create an account; a line to print."""
    db = Database(settings.database_url, pool_size=1)
    try:
        async with db.session() as session:
            user = await auth_service.sign_up(
                session, email, password, signup_credits=settings.signup_credits
            )
            await session.commit()
            return f"Created {user.email} with {user.credits} credits."
    except UGCError as exc:
        typer.secho(exc.detail, err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    finally:
        await db.dispose()


async def grant_credits(settings: Settings, email: str, amount: int) -> str:
    """Grant credits to an account by email; a line to print."""
    if amount <= 0:
        typer.secho("Grant a positive number of credits.", err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    db = Database(settings.database_url, pool_size=1)
    try:
        async with db.session() as session:
            user = await UserRepository(session).by_email(auth_service.normalise_email(email))
            if user is None:
                typer.secho(f"No account has the email {email}.", err=True, fg=typer.colors.RED)
                raise typer.Exit(1)
            balance = await add_credits(session, user.id, amount, LedgerReason.GRANT)
            await session.commit()
            return f"Granted {amount} credits to {user.email}; balance {balance}."
    finally:
        await db.dispose()
