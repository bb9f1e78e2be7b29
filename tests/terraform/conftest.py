"""Terraform fixtures: the binary, the offline provider mirror, a server to apply against."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "module"))
from endpoint_servers import (  # noqa: E402
    TERRAFORM_OPERATIONS, RunningServer, jobtable_server_available, missing_operations, query_services_missing,
    start_server,
)

REPO = Path(__file__).resolve().parents[2]
MIRROR_CANDIDATES = [os.environ.get("JOBTABLE_TF_MIRROR", ""), "/opt/tf-plugins", "/usr/share/terraform/plugins",
                     str(Path.home() / ".terraform.d/plugins")]
CLI_CONFIG = """provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
  direct {{
    exclude = ["registry.terraform.io/*/*"]
  }}
}}
disable_checkpoint = true
"""


def provider_mirror() -> str | None:
    """A filesystem mirror holding hashicorp/aws (terraform-local.md: /opt/tf-plugins)."""
    for candidate in MIRROR_CANDIDATES:
        if candidate and (Path(candidate) / "registry.terraform.io/hashicorp/aws").is_dir():
            return candidate
    return None


@dataclass
class Terraform:
    """Runs terraform in a copy of the repo's terraform/ tree, offline."""

    workdir: Path
    env: dict[str, str]
    log: list[str] = field(default_factory=list)

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        result = subprocess.run(["terraform", *args, "-no-color"], cwd=self.workdir, env=self.env, text=True,
                                capture_output=True, timeout=timeout)
        self.log.append(f"$ terraform {' '.join(args)} -> {result.returncode}\n{result.stdout[-4000:]}\n"
                        f"{result.stderr[-4000:]}")
        if check and result.returncode != 0:
            raise AssertionError(f"terraform {args[0]} failed ({result.returncode}):\n{result.stdout[-6000:]}\n"
                                 f"{result.stderr[-6000:]}")
        return result


@pytest.fixture(scope="module")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not installed (the Terraform cycle needs the terraform binary)")
    mirror = provider_mirror()
    if mirror is None:
        pytest.skip("no local provider mirror with hashicorp/aws (set JOBTABLE_TF_MIRROR); init must be offline")
    config = tmp_path_factory.mktemp("tfcli") / "terraform.tfrc"
    config.write_text(CLI_CONFIG.format(mirror=mirror))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(TF_CLI_CONFIG_FILE=str(config), TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
    return env


@pytest.fixture(scope="module")
def tf_server() -> Iterator[RunningServer]:
    backend = os.environ.get("JOBTABLE_TF_BACKEND", "jobtable")  # "moto" while developing the module
    if backend == "jobtable" and not jobtable_server_available():
        pytest.skip("the jobtable server is not available on this branch")
    server = start_server(backend)
    if backend == "jobtable":
        import boto3

        client = boto3.client("dynamodb", endpoint_url=server.url, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
        missing = missing_operations(client, TERRAFORM_OPERATIONS) + query_services_missing(server.url)
        if missing:
            server.stop()
            pytest.skip(f"the jobtable server does not serve {', '.join(missing)} yet (the provider calls them)")
    yield server
    server.stop()


@pytest.fixture
def terraform(tmp_path: Path, terraform_env: dict[str, str]) -> Terraform:
    shutil.copytree(REPO / "terraform", tmp_path / "terraform",
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
    return Terraform(tmp_path / "terraform" / "examples" / "local", terraform_env)
