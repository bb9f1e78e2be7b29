"""Capacity test fixtures: CloudWatch clients in each wire protocol botocore may speak."""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from botocore.loaders import Loader


@pytest.fixture(params=["json", "cbor"])
def cloudwatch(request: pytest.FixtureRequest, backend: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A boto3 CloudWatch client speaking JSON 1.0 (this botocore's choice) or smithy-rpc-v2-cbor.

    botocore uses the first protocol of the model's `protocols` list it supports; versions
    that prefer CBOR are reproduced by loading the same model with CBOR listed alone.
    """
    if request.param == "cbor":
        original = Loader.load_service_model

        def load_with_cbor_first(self: Loader, service_name: str, type_name: str, api_version: Any = None) -> Any:
            model = original(self, service_name, type_name, api_version)
            if service_name == "cloudwatch" and type_name == "service-2":
                model = copy.deepcopy(model)
                model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
                model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
            return model

        monkeypatch.setattr(Loader, "load_service_model", load_with_cbor_first)
    client = backend.client("cloudwatch")
    protocol = client.meta.service_model.resolved_protocol if hasattr(
        client.meta.service_model, "resolved_protocol") else client.meta.service_model.protocol
    assert protocol == ("smithy-rpc-v2-cbor" if request.param == "cbor" else "json")
    return client


def moment(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
