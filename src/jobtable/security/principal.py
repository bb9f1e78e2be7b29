"""Who is calling: the identity a verified signature resolves to."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

DEFAULT_ACCOUNT_ID = "000000000000"


@dataclass(frozen=True)
class Principal:
    """An IAM user holding one access key, with every policy that applies to it resolved.

    The secret and session token never appear in repr() (and so never in logs or tracebacks).
    """

    user_name: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    account_id: str = DEFAULT_ACCOUNT_ID
    session_token: str | None = field(default=None, repr=False)
    policies: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    user_id: str = ""

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:user/{self.user_name}"
