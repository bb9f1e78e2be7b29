# The seed's variables first (names, types, defaults and descriptions as documented), then
# what a real deployment needs. jobtable.module.TableModule takes the same variables.

variable "project_name" {
  description = "Name of the project"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.project_name))
    error_message = "project_name must be non-empty and use only letters, digits, '_', '.' and '-' (it is part of the table name)."
  }
}

variable "environment" {
  description = "Environment name"
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,31}$", var.environment))
    error_message = "environment must be 1-32 lowercase letters, digits or '-' (e.g. development, staging, production)."
  }
}

variable "resource_suffix" {
  description = "Random suffix for resource naming"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.resource_suffix))
    error_message = "resource_suffix must be non-empty and use only letters, digits, '_', '.' and '-'."
  }
}

variable "table_name" {
  description = "Name of the DynamoDB table"
  type        = string
  default     = "CloudToolsJobs"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.table_name))
    error_message = "table_name must be non-empty and use only letters, digits, '_', '.' and '-'."
  }
}

variable "table_name_override" {
  description = "Exact physical table name instead of {project_name}-{environment}-{table_name}-{resource_suffix} (null: the pattern)"
  type        = string
  default     = null

  validation {
    condition     = var.table_name_override == null || can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table_name_override))
    error_message = "table_name_override must be 3-255 letters, digits, '_', '.' or '-'."
  }
}

variable "billing_mode" {
  description = "Billing mode for DynamoDB table"
  type        = string
  default     = "PAY_PER_REQUEST"

  validation {
    condition     = contains(["PAY_PER_REQUEST", "PROVISIONED"], var.billing_mode)
    error_message = "billing_mode must be PAY_PER_REQUEST or PROVISIONED."
  }
}

variable "enable_point_in_time_recovery" {
  description = "Enable point-in-time recovery for DynamoDB table"
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags to apply to resources"
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys must be 1-128 characters and values at most 256 characters."
  }
}

# --- capacity (PROVISIONED only) ----------------------------------------------------------

variable "read_capacity" {
  description = "Read capacity units of the table when billing_mode is PROVISIONED"
  type        = number
  default     = 5

  validation {
    condition     = var.read_capacity >= 1 && floor(var.read_capacity) == var.read_capacity
    error_message = "read_capacity must be a whole number of at least 1."
  }
}

variable "write_capacity" {
  description = "Write capacity units of the table when billing_mode is PROVISIONED"
  type        = number
  default     = 5

  validation {
    condition     = var.write_capacity >= 1 && floor(var.write_capacity) == var.write_capacity
    error_message = "write_capacity must be a whole number of at least 1."
  }
}

variable "gsi_read_capacity" {
  description = "Read capacity units of each global secondary index when PROVISIONED (null: same as read_capacity)"
  type        = number
  default     = null

  validation {
    condition     = var.gsi_read_capacity == null ? true : (var.gsi_read_capacity >= 1 && floor(var.gsi_read_capacity) == var.gsi_read_capacity)
    error_message = "gsi_read_capacity must be null or a whole number of at least 1."
  }
}

variable "gsi_write_capacity" {
  description = "Write capacity units of each global secondary index when PROVISIONED (null: same as write_capacity)"
  type        = number
  default     = null

  validation {
    condition     = var.gsi_write_capacity == null ? true : (var.gsi_write_capacity >= 1 && floor(var.gsi_write_capacity) == var.gsi_write_capacity)
    error_message = "gsi_write_capacity must be null or a whole number of at least 1."
  }
}

# --- table features -----------------------------------------------------------------------

variable "enable_user_index" {
  description = "Create the UserIndex GSI (userId + createdAt); StatusIndex is always created"
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Protect the table from deletion (null: enabled in production, disabled elsewhere)"
  type        = bool
  default     = null
}

variable "stream_enabled" {
  description = "Enable the DynamoDB stream of the table"
  type        = bool
  default     = true
}

variable "stream_view_type" {
  description = "What the stream records carry: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES"
  type        = string
  default     = "NEW_AND_OLD_IMAGES"

  validation {
    condition     = contains(["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"], var.stream_view_type)
    error_message = "stream_view_type must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES."
  }
}

variable "server_side_encryption" {
  description = "Encrypt the table at rest with a KMS key (the AWS managed key unless kms_key_arn is set)"
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for encryption at rest and the backup vault (null: AWS managed key)"
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:...)."
  }
}

variable "enable_contributor_insights" {
  description = "Enable CloudWatch Contributor Insights on the table"
  type        = bool
  default     = true
}

# --- backups ------------------------------------------------------------------------------

variable "backup_retention_days" {
  description = "Days each daily backup is kept (production)"
  type        = number
  default     = 30

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 3650 && floor(var.backup_retention_days) == var.backup_retention_days
    error_message = "backup_retention_days must be a whole number between 1 and 3650."
  }
}

variable "enable_aws_backup" {
  description = "In production, schedule daily backups with AWS Backup (plan, vault, selection, IAM role). Set false against a local endpoint and run `jobtable backups run-schedule` instead"
  type        = bool
  default     = true
}

variable "backup_schedule" {
  description = "AWS Backup schedule expression of the daily backup (UTC)"
  type        = string
  default     = "cron(0 3 * * ? *)"
}

# --- access and monitoring ----------------------------------------------------------------

variable "create_iam_policy" {
  description = "Create a customer managed IAM policy with the least-privilege access document (iam_policy_json)"
  type        = bool
  default     = false
}

variable "enable_alarms" {
  description = "Create CloudWatch alarms on read/write throttling and system errors"
  type        = bool
  default     = false
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires (e.g. SNS topics)"
  type        = list(string)
  default     = []
}

variable "alarm_period" {
  description = "Alarm evaluation period in seconds"
  type        = number
  default     = 300

  validation {
    condition     = contains([10, 30, 60], var.alarm_period) || (var.alarm_period >= 60 && var.alarm_period % 60 == 0)
    error_message = "alarm_period must be 10, 30 or a multiple of 60 seconds."
  }
}

# --- auto scaling (PROVISIONED only) -------------------------------------------------------

variable "autoscaling" {
  description = <<-EOT
    Target tracking auto scaling for the table and its indexes when billing_mode is PROVISIONED
    (null: off). min/max are capacity units per dimension; target_utilization is a percentage
    (20-90). Set read_capacity/write_capacity to the minimums: Terraform resets capacity to them
    on the next apply after auto scaling changed it.
  EOT
  type = object({
    min_read_capacity  = number
    max_read_capacity  = number
    min_write_capacity = number
    max_write_capacity = number
    target_utilization = optional(number, 70)
    scale_in_cooldown  = optional(number, 0)
    scale_out_cooldown = optional(number, 0)
  })
  default = null

  validation {
    condition = var.autoscaling == null ? true : (
      var.autoscaling.min_read_capacity >= 1 && var.autoscaling.max_read_capacity >= var.autoscaling.min_read_capacity &&
      var.autoscaling.min_write_capacity >= 1 && var.autoscaling.max_write_capacity >= var.autoscaling.min_write_capacity &&
      var.autoscaling.target_utilization >= 20 && var.autoscaling.target_utilization <= 90
    )
    error_message = "autoscaling needs 1 <= min <= max for reads and writes and a target_utilization of 20-90."
  }
}
