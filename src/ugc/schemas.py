"""Shared pydantic base: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """Base of every JSON body we read or write."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


def json_response(body: ApiModel, status_code: int = 200) -> Response:
    """`body` as JSON, serialised once by pydantic-core.

    Returning the model instead makes FastAPI validate it again, dump it to Python objects
    and encode those with the json module: about three times the work for a project.
    """
    return Response(
        body.model_dump_json(by_alias=True), status_code=status_code, media_type="application/json"
    )
