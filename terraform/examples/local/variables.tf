variable "endpoint" {
  description = "The jobtable endpoint (DynamoDB, IAM, STS and CloudWatch on one URL)"
  type        = string
  default     = "http://127.0.0.1:8000"
}

variable "project_name" {
  description = "Name of the project"
  type        = string
  default     = "cloud-tools"
}

variable "environment" {
  description = "Environment name"
  type        = string
  default     = "development"
}

variable "resource_suffix" {
  description = "Random suffix for resource naming"
  type        = string
  default     = "local"
}

variable "billing_mode" {
  description = "Billing mode for DynamoDB table"
  type        = string
  default     = "PAY_PER_REQUEST"
}

variable "enable_point_in_time_recovery" {
  description = "Enable point-in-time recovery for DynamoDB table"
  type        = bool
  default     = true
}

variable "enable_user_index" {
  description = "Create the UserIndex GSI"
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Protect the table from deletion (null: only in production)"
  type        = bool
  default     = null
}

variable "enable_contributor_insights" {
  description = "Enable Contributor Insights"
  type        = bool
  default     = true
}

variable "create_iam_policy" {
  description = "Create the least-privilege IAM policy"
  type        = bool
  default     = true
}

variable "enable_alarms" {
  description = "CloudWatch alarms on throttling and system errors (jobtable serves CloudWatch alarms)"
  type        = bool
  default     = true
}
