"""Deleting an account: every project and stored file, tokens, sessions, ledger, purchases.

Rows go in the caller's transaction; files go once it has committed (a rollback keeps
both). A job still running for the account notices before it stores anything, and one
that stored its result already deletes it when it finds its job gone (see jobs.runner).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.accounts.repository import AccountRepository
from ugc.auth.models import User
from ugc.auth.passwords import verify_password
from ugc.db.session import after_commit
from ugc.errors import Forbidden, InvalidInput
from ugc.projects.repository import ProjectRepository
from ugc.storage.base import Storage

log = logging.getLogger(__name__)

CONFIRMATION = "delete my account"


async def check_deletion_request(user: User, confirm: str, password: str | None) -> None:
    """The typed confirmation, and the password of a password account, or an error."""
    if confirm.strip().lower() != CONFIRMATION:
        raise InvalidInput(f"Type “{CONFIRMATION}” to confirm; nothing was deleted.")
    if user.password_hash is None:
        return  # signed in through Clerk/OIDC: there is no password to ask for
    if not password:
        raise InvalidInput("Enter your password to delete your account; nothing was deleted.")
    if not await asyncio.to_thread(verify_password, user.password_hash, password):
        raise Forbidden("That password is not right; nothing was deleted.")


async def delete_account(session: AsyncSession, user: User, storage: Storage) -> list[str]:
    """Delete an account and everything it holds; the storage keys removed after commit.

    Published ads leave the community with their projects. Sessions end with the user row:
    a session cookie names a user id, and no user has it any more.
    """
    keys = await ProjectRepository(session).delete_all_for_user(user.id)
    tokens = await AccountRepository(session).delete_tokens(user.id)
    await AccountRepository(session).delete_user(user.id)
    log.info(
        "account deleted",
        extra={"user_id": str(user.id), "files": len(keys), "tokens": tokens},
    )

    async def remove_files() -> None:
        for key in keys:
            try:
                await storage.delete(key)
            except Exception:
                # The rows are gone for good; a file left behind is logged for the operator.
                log.exception("could not delete a file of a deleted account", extra={"key": key})

    after_commit(session, remove_files)
    return keys
