"""Builders for attribute values in DynamoDB's wire format, shared by the expression tests."""
import base64


def S(text: str) -> dict:
    return {"S": text}


def N(text: str) -> dict:
    return {"N": text}


def B(raw: bytes) -> dict:
    return {"B": base64.b64encode(raw).decode()}


def L(*elements: dict) -> dict:
    return {"L": list(elements)}


def M(**members: dict) -> dict:
    return {"M": members}
