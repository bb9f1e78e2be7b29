"""Application Auto Scaling (the DynamoDB subset) on the jobtable endpoint.

JSON 1.1, `X-Amz-Target: AnyScaleFrontendService.<Operation>`: scalable targets, target
tracking policies and scaling activities, stored in SQLite (`state.py`); the scaler
(`scaler.py`) is a background task that adjusts provisioned capacity through UpdateTable.
See docs/autoscaling.md.
"""
