"""A tiny builder for UpdateExpression + ConditionExpression with safe placeholders.

Every attribute name goes through `#name` placeholders, so reserved words such as `status`
(the seed's bug) can never reach an expression unescaped.
"""
from __future__ import annotations

from typing import Any


class Update:
    def __init__(self) -> None:
        self._set: list[str] = []
        self._remove: list[str] = []
        self._add: list[str] = []
        self._conditions: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        placeholder = f"#{attribute}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, attribute_value: dict[str, Any]) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = attribute_value
        return placeholder

    def set(self, attribute: str, attribute_value: dict[str, Any]) -> "Update":
        self._set.append(f"{self.name(attribute)} = {self.value(attribute_value)}")
        return self

    def remove(self, *attributes: str) -> "Update":
        self._remove.extend(self.name(a) for a in attributes)
        return self

    def add(self, attribute: str, attribute_value: dict[str, Any]) -> "Update":
        self._add.append(f"{self.name(attribute)} {self.value(attribute_value)}")
        return self

    def require(self, condition: str) -> "Update":
        """AND a raw condition built from `name()`/`value()` placeholders."""
        self._conditions.append(condition)
        return self

    def exists(self, attribute: str) -> "Update":
        return self.require(f"attribute_exists({self.name(attribute)})")

    def equals(self, attribute: str, attribute_value: dict[str, Any]) -> "Update":
        return self.require(f"{self.name(attribute)} = {self.value(attribute_value)}")

    def is_one_of(self, attribute: str, attribute_values: list[dict[str, Any]]) -> "Update":
        placeholders = ", ".join(self.value(v) for v in attribute_values)
        return self.require(f"{self.name(attribute)} IN ({placeholders})")

    def request(self) -> dict[str, Any]:
        """UpdateItem parameters (without TableName/Key)."""
        clauses = []
        if self._set:
            clauses.append("SET " + ", ".join(self._set))
        if self._remove:
            clauses.append("REMOVE " + ", ".join(self._remove))
        if self._add:
            clauses.append("ADD " + ", ".join(self._add))
        params: dict[str, Any] = {"UpdateExpression": " ".join(clauses), "ExpressionAttributeNames": self.names}
        if self.values:
            params["ExpressionAttributeValues"] = self.values
        if self._conditions:
            params["ConditionExpression"] = " AND ".join(f"({c})" for c in self._conditions)
        return params
