"""The account lifecycle's end: deleting an account with everything it holds, and exporting it."""
