"""The module's optional auto scaling, applied with the real AWS provider against a jobtable server."""
from __future__ import annotations

import boto3
import pytest

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

# The local example as shipped, with auto scaling switched on through a Terraform override file.
AUTOSCALING_OVERRIDE = """
module "dynamodb" {
  autoscaling = {
    min_read_capacity  = 5
    max_read_capacity  = 40
    min_write_capacity = 5
    max_write_capacity = 20
    target_utilization = 60
  }
}
"""


def test_autoscaling_targets_and_policies_apply_and_destroy(terraform, tf_server):
    if tf_server.name != "jobtable":
        pytest.skip("auto scaling is served by jobtable only")
    (terraform.workdir / "autoscaling_override.tf").write_text(AUTOSCALING_OVERRIDE)
    args = ["-input=false", "-var", f"endpoint={tf_server.url}", "-var", "resource_suffix=tfscale",
            "-var", "billing_mode=PROVISIONED", "-var", "enable_user_index=false"]
    terraform.run("init", "-input=false")
    terraform.run("apply", "-auto-approve", *args)

    aas = boto3.client("application-autoscaling", endpoint_url=tf_server.url, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    name = "cloud-tools-development-CloudToolsJobs-tfscale"
    targets = {(t["ResourceId"], t["ScalableDimension"]): (t["MinCapacity"], t["MaxCapacity"])
               for t in aas.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
               if name in t["ResourceId"]}
    assert targets == {
        (f"table/{name}", "dynamodb:table:ReadCapacityUnits"): (5, 40),
        (f"table/{name}", "dynamodb:table:WriteCapacityUnits"): (5, 20),
        (f"table/{name}/index/StatusIndex", "dynamodb:index:ReadCapacityUnits"): (5, 40),
        (f"table/{name}/index/StatusIndex", "dynamodb:index:WriteCapacityUnits"): (5, 20),
    }
    policies = [p for p in aas.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]
                if name in p["ResourceId"]]
    assert len(policies) == 4
    assert {p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] for p in policies} == {60.0}

    result = terraform.run("plan", "-detailed-exitcode", *args, check=False)
    assert result.returncode == 0, "second plan is not clean:\n" + result.stdout[-6000:]

    terraform.run("destroy", "-auto-approve", *args)
    assert not [t for t in aas.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
                if name in t["ResourceId"]]
