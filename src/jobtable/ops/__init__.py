"""Operating practices as code: migration (copy/dump/load), cost estimates, restore drills.

Everything here talks to DynamoDB through boto3 only, so it works against jobtable and AWS
alike (the auto scaler, which must act inside the server, lives in jobtable.api.autoscaling).
"""
