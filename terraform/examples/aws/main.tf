# The same module against AWS DynamoDB: plain provider settings, credentials from the
# usual AWS chain (environment, profile, instance role). Production gets deletion
# protection, the daily AWS Backup plan and (here) alarms and the IAM policy.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5, < 4.0"
    }
  }
}

provider "aws" {
  region = var.region
}

resource "random_id" "suffix" {
  byte_length = 4
}

module "dynamodb" {
  source = "../../modules/dynamodb"

  project_name    = "cloud-tools"
  environment     = var.environment
  resource_suffix = random_id.suffix.hex

  billing_mode                  = "PAY_PER_REQUEST"
  enable_point_in_time_recovery = true
  backup_retention_days         = 30
  create_iam_policy             = true
  enable_alarms                 = true
  alarm_actions                 = var.alarm_actions

  tags = {
    Owner      = "platform-team"
    CostCenter = "engineering"
    DataClass  = "operational"
  }
}

variable "region" {
  description = "AWS region"
  type        = string
  default     = "us-east-1"
}

variable "environment" {
  description = "Environment name"
  type        = string
  default     = "production"
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified by the alarms"
  type        = list(string)
  default     = []
}

output "table_name" {
  value = module.dynamodb.table_name
}

output "table_arn" {
  value = module.dynamodb.table_arn
}

output "table_stream_arn" {
  value = module.dynamodb.table_stream_arn
}

output "iam_policy_json" {
  value = module.dynamodb.iam_policy_json
}
