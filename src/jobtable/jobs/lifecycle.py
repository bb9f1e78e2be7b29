"""Creating jobs and moving them through the state machine, one conditional write each."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable, Mapping

from botocore.exceptions import ClientError

from jobtable.jobs import schema as s
from jobtable.jobs import states
from jobtable.jobs.codec import number, string, to_attribute
from jobtable.jobs.errors import InvalidTransition, JobError, JobExists, JobNotFound, LeaseLost
from jobtable.jobs.ids import new_job_id
from jobtable.jobs.model import Job
from jobtable.jobs.table import JobTable, is_condition_failure
from jobtable.jobs.updates import Update

Item = dict[str, Any]  # a wire-format item
DEFAULT_TTL = timedelta(days=30)
DEFAULT_VISIBILITY_TIMEOUT = 300.0  # seconds a claimed job stays leased without a heartbeat


def _require_text(name: str, value: str | None) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value


class Lifecycle(JobTable):
    visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT

    def create_job(self, user_id: str, job_type: str, payload: Any = None, input_file: str | None = None,
                   ttl: timedelta | None = DEFAULT_TTL, *, job_id: str | None = None,
                   metadata: Mapping[str, Any] | None = None) -> Job:
        """Insert a new pending job; never overwrites (conditional on the id being new)."""
        job_id = _require_text("job_id", job_id) if job_id is not None else new_job_id()
        now = self.timestamp()
        item: dict[str, Any] = {
            s.JOB_ID: string(job_id),
            s.STATUS: string(states.PENDING),
            s.USER_ID: string(_require_text("user_id", user_id)),
            s.JOB_TYPE: string(_require_text("job_type", job_type)),
            s.CREATED_AT: string(now),
            s.UPDATED_AT: string(now),
            s.ATTEMPTS: number(0),
            s.RETRIES: number(0),
        }
        if payload is not None:
            item[s.PAYLOAD] = to_attribute(payload)
        if input_file is not None:
            item[s.INPUT_FILE] = string(_require_text("input_file", input_file))
        if metadata is not None:
            item[s.METADATA] = to_attribute(dict(metadata))
        if ttl is not None:
            item[s.TTL] = number(int(self.now() + ttl.total_seconds()))
        try:
            self.call("put_item", Item=item, ConditionExpression="attribute_not_exists(#id)",
                      ExpressionAttributeNames={"#id": s.JOB_ID})
        except ClientError as exc:
            if is_condition_failure(exc):
                raise JobExists(job_id) from None
            raise
        return Job.from_item(item)

    def get_job(self, job_id: str) -> Job:
        item = self.read_item(_require_text("job_id", job_id))
        if item is None:
            raise JobNotFound(job_id, self.table_name)
        return Job.from_item(item)

    def update_status(self, job_id: str, new_status: str, result: Any = None, error: str | None = None,
                      worker_id: str | None = None, *, output_file: str | None = None,
                      visibility_timeout: float | None = None) -> Job:
        """Move a job along the state machine, atomically.

        The write is conditional on the job existing and being in a status from which
        `new_status` is reachable (and, when `worker_id` is given for completed/failed, on
        that worker holding the job). Raises JobNotFound, InvalidTransition or LeaseLost.
        Moving to processing needs `worker_id` and leases the job for `visibility_timeout`
        seconds (default: the store's).
        """
        _require_text("job_id", job_id)
        sources = states.sources_of(new_status)
        now = self.timestamp()
        update = Update().set(s.STATUS, string(new_status)).set(s.UPDATED_AT, string(now))
        update.exists(s.JOB_ID).is_one_of(s.STATUS, [string(x) for x in sources])
        if new_status == states.PROCESSING:
            worker = _require_text("worker_id", worker_id)
            update.set(s.WORKER_ID, string(worker)).set(s.STARTED_AT, string(now))
            lease = self.visibility_timeout if visibility_timeout is None else float(visibility_timeout)
            update.set(s.LEASE_EXPIRES_AT, string(self.timestamp(lease)))
            update.add(s.ATTEMPTS, number(1))
        elif new_status == states.PENDING:  # a retry of a failed job: the last attempt's outcome goes
            update.add(s.RETRIES, number(1)).remove(s.WORKER_ID, s.LEASE_EXPIRES_AT, s.FINISHED_AT, s.ERROR,
                                                     s.RESULT)
        else:  # completed, failed, cancelled
            update.set(s.FINISHED_AT, string(now)).remove(s.LEASE_EXPIRES_AT)
            if worker_id is not None and new_status != states.CANCELLED:
                update.equals(s.WORKER_ID, string(worker_id))
        if result is not None:
            update.set(s.RESULT, to_attribute(result))
        if error is not None:
            update.set(s.ERROR, string(str(error)))
        if output_file is not None:
            update.set(s.OUTPUT_FILE, string(_require_text("output_file", output_file)))
        return self._update_or_explain(
            job_id, update, lambda old: refusal_reason(job_id, old, new_status, sources, worker_id))

    # Readable shorthands for the common moves.
    def complete(self, job_id: str, result: Any = None, *, worker_id: str | None = None,
                 output_file: str | None = None) -> Job:
        return self.update_status(job_id, states.COMPLETED, result=result, worker_id=worker_id,
                                  output_file=output_file)

    def fail(self, job_id: str, error: str, *, worker_id: str | None = None) -> Job:
        return self.update_status(job_id, states.FAILED, error=error, worker_id=worker_id)

    def cancel(self, job_id: str) -> Job:
        return self.update_status(job_id, states.CANCELLED)

    def retry(self, job_id: str) -> Job:
        return self.update_status(job_id, states.PENDING)

    def _update_or_explain(self, job_id: str, update: Update, explain: Callable[[Item], JobError]) -> Job:
        """Run a conditional UpdateItem; when the condition fails, raise JobNotFound or
        `explain(old_item)`.

        The old item comes with the refusal (ReturnValuesOnConditionCheckFailure=ALL_OLD);
        endpoints that do not send it get a consistent read instead (which then describes
        the job a moment later, which is still true).
        """
        try:
            response = self.call("update_item", Key={s.JOB_ID: string(job_id)}, ReturnValues="ALL_NEW",
                                 ReturnValuesOnConditionCheckFailure="ALL_OLD", **update.request())
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            old = exc.response.get("Item") or self.read_item(job_id)
            if old is None:
                raise JobNotFound(job_id, self.table_name) from None
            raise explain(old) from None
        return Job.from_item(response["Attributes"])


def _text(item: Item, attribute: str) -> str | None:
    return item.get(attribute, {}).get("S")


def refusal_reason(job_id: str, old: Item, new_status: str, sources: tuple[str, ...],
                   worker_id: str | None) -> JobError:
    """Why a state-machine move was refused, given the job as it was."""
    current = _text(old, s.STATUS)
    if current not in sources:
        return InvalidTransition(job_id, current, new_status)
    return LeaseLost(job_id, worker_id or "", _text(old, s.WORKER_ID), current)


def lease_lost(job_id: str, worker_id: str, old: Item) -> LeaseLost:
    return LeaseLost(job_id, worker_id, _text(old, s.WORKER_ID), _text(old, s.STATUS))
