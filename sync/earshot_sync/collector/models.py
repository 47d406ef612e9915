"""Pydantic models of the wire format, for the OpenAPI document only.

Requests are read and checked by hand (limits.py, batch.py) so that limits hold before anything
is parsed and a bad entry is a per-entry result, not a 422 for the batch. The entry model is
built from ``protocol.ENTRY_FIELDS`` and ``OPTIONAL_FIELDS`` so the document cannot drift from
the contract.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from earshot_sync.protocol import ENTRY_FIELDS, OPTIONAL_FIELDS, ResultStatus


def _field_type(kind: type | tuple[type, ...], nullable: bool) -> Any:
    python_type: Any = list[str] if kind is list else kind
    return python_type | None if nullable else python_type


WireEntry: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "WireEntry",
    **{name: (_field_type(kind, nullable), ...) for name, (kind, nullable) in ENTRY_FIELDS.items()},
    **{
        name: (_field_type(kind, nullable), default)
        for name, (kind, nullable, default) in OPTIONAL_FIELDS.items()
    },
)


class BatchModel(BaseModel):
    sent_at: str = Field(description="when the sender sent this batch, ISO-8601 with offset")
    entries: list[WireEntry]  # type: ignore[valid-type]


class ResultModel(BaseModel):
    id: str
    revision: int
    status: Literal[
        ResultStatus.STORED, ResultStatus.DUPLICATE, ResultStatus.CONFLICT, ResultStatus.REJECTED
    ]
    reason: str | None = Field(description="why an entry was rejected; null otherwise")


class BatchAnswer(BaseModel):
    results: list[ResultModel] = Field(description="one per entry sent, in the order sent")


class InfoModel(BaseModel):
    protocol: int
    max_entries: int
    max_bytes: int
    server_time: str


class ErrorModel(BaseModel):
    detail: str
