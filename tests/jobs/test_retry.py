"""Backoff on throttling, with a fake client (no endpoint can be told to throttle on cue)."""
import random

import pytest
from botocore.exceptions import ClientError

from jobtable.jobs import JobStore
from jobtable.jobs.migration import UnprocessedItemsError, write_batch
from jobtable.jobs.retry import Backoff, call_with_backoff


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "PutItem")


def recording_backoff(max_attempts: int = 10) -> tuple[Backoff, list[float]]:
    slept: list[float] = []
    return Backoff(base=0.05, cap=1.0, max_attempts=max_attempts, sleep=slept.append, rng=random.Random(7)), slept


class Flaky:
    def __init__(self, failures: list[str]):
        self.failures = list(failures)
        self.calls = 0

    def __call__(self, **params):
        self.calls += 1
        if self.failures:
            raise client_error(self.failures.pop(0))
        return {"ok": params}


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_throttling_is_retried_with_growing_capped_jittered_delays(code):
    backoff, slept = recording_backoff()
    method = Flaky([code] * 6)
    assert call_with_backoff(method, backoff, X=1) == {"ok": {"X": 1}}
    assert method.calls == 7 and len(slept) == 6
    for attempt, delay in enumerate(slept):
        assert 0 <= delay <= min(1.0, 0.05 * 2 ** attempt)
    assert len(set(slept)) == 6  # jitter: no two waits alike


def test_gives_up_after_max_attempts():
    backoff, slept = recording_backoff(max_attempts=3)
    with pytest.raises(ClientError, match="ThrottlingException"):
        call_with_backoff(Flaky(["ThrottlingException"] * 5), backoff)
    assert len(slept) == 2


def test_other_errors_are_not_retried():
    backoff, slept = recording_backoff()
    method = Flaky(["ConditionalCheckFailedException"])
    with pytest.raises(ClientError):
        call_with_backoff(method, backoff)
    assert method.calls == 1 and slept == []


class FakeDynamo:
    """Throttles the first two calls of every operation; for JobStore and write_batch."""

    def __init__(self, unprocessed_rounds: int = 0):
        self.calls: list[str] = []
        self.unprocessed_rounds = unprocessed_rounds
        self.written: list[dict] = []

    def _throttle(self, name):
        self.calls.append(name)
        if self.calls.count(name) <= 2:
            raise client_error("ProvisionedThroughputExceededException")

    def put_item(self, **params):
        self._throttle("put_item")
        return {}

    def batch_write_item(self, RequestItems):
        (table, requests), = RequestItems.items()
        if self.unprocessed_rounds:
            self.unprocessed_rounds -= 1
            self.written += [r["PutRequest"]["Item"] for r in requests[:1]]
            return {"UnprocessedItems": {table: requests[1:]}}
        self.written += [r["PutRequest"]["Item"] for r in requests]
        return {"UnprocessedItems": {}}


def test_job_store_calls_go_through_backoff():
    backoff, slept = recording_backoff()
    fake = FakeDynamo()
    JobStore(fake, "t", backoff=backoff).create_job("u", "convert")
    assert fake.calls == ["put_item"] * 3 and len(slept) == 2


def test_unprocessed_items_are_retried_until_written():
    backoff, slept = recording_backoff()
    fake = FakeDynamo(unprocessed_rounds=3)
    items = [{"jobId": {"S": str(n)}} for n in range(25)]
    write_batch(fake, "t", items, backoff)
    assert sorted(i["jobId"]["S"] for i in fake.written) == sorted(str(n) for n in range(25))
    assert len(slept) == 3


def test_unprocessed_items_that_never_go_through_raise():
    backoff, _ = recording_backoff(max_attempts=4)
    with pytest.raises(UnprocessedItemsError, match="unprocessed"):
        write_batch(FakeDynamo(unprocessed_rounds=100), "t", [{"jobId": {"S": str(n)}} for n in range(10)], backoff)
