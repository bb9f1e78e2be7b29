# The module against a local jobtable endpoint (`make run` or `jobtable up`), offline.
# The skip_* flags stop the provider from calling AWS itself; skip_requesting_account_id
# stays false because aws_dynamodb_contributor_insights needs the account id (jobtable
# answers IAM GetUser / STS GetCallerIdentity).

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
  }
}

provider "aws" {
  region     = "us-east-1"
  access_key = "jobtable"
  secret_key = "jobtable"

  skip_credentials_validation = true
  skip_requesting_account_id  = false
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 2

  endpoints {
    dynamodb   = var.endpoint
    iam        = var.endpoint
    sts        = var.endpoint
    cloudwatch = var.endpoint
  }
}

module "dynamodb" {
  source = "../../modules/dynamodb"

  project_name    = var.project_name
  environment     = var.environment
  resource_suffix = var.resource_suffix

  billing_mode                  = var.billing_mode
  enable_point_in_time_recovery = var.enable_point_in_time_recovery
  enable_user_index             = var.enable_user_index
  deletion_protection           = var.deletion_protection
  enable_contributor_insights   = var.enable_contributor_insights
  create_iam_policy             = var.create_iam_policy

  # Locally `jobtable backups run-schedule` makes the daily backups (see docs/terraform.md).
  enable_aws_backup = false
  # jobtable answers PutMetricAlarm/DescribeAlarms/DeleteAlarms and evaluates them.
  enable_alarms = var.enable_alarms

  tags = {
    Owner = "platform-team"
  }
}
