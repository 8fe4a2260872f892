"""Shared pydantic base: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """Base of every JSON body we read or write."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)
