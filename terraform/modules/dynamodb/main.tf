# The job-tracking table of the seed (see docs/module.md and docs/terraform.md).
# jobtable.module.TableModule provisions the same thing through boto3.

locals {
  # Deterministic physical name: {project_name}-{environment}-{table_name}-{resource_suffix},
  # unless table_name_override names the table exactly.
  table_name    = coalesce(var.table_name_override, "${var.project_name}-${var.environment}-${var.table_name}-${var.resource_suffix}")
  is_production = var.environment == "production"
  provisioned   = var.billing_mode == "PROVISIONED"

  deletion_protection = var.deletion_protection == null ? local.is_production : var.deletion_protection
  gsi_read_capacity   = var.gsi_read_capacity == null ? var.read_capacity : var.gsi_read_capacity
  gsi_write_capacity  = var.gsi_write_capacity == null ? var.write_capacity : var.gsi_write_capacity

  # Both indexes sort on createdAt and project ALL attributes.
  indexes = concat(
    [{ name = "StatusIndex", hash_key = "status" }],
    var.enable_user_index ? [{ name = "UserIndex", hash_key = "userId" }] : [],
  )
  index_attributes = toset(concat(["createdAt"], [for index in local.indexes : index.hash_key]))

  # Production tables carry the backup-schedule marker: `jobtable backups run-schedule`
  # finds tables by it; on AWS the AWS Backup plan below does the scheduling.
  backup_tags = local.is_production ? {
    BackupSchedule      = "daily"
    BackupRetentionDays = tostring(var.backup_retention_days)
  } : {}
  tags = merge(
    { Project = var.project_name, Environment = var.environment, ManagedBy = "terraform" },
    var.tags,
    local.backup_tags,
  )

  iam_policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "JobTableAccess"
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan"]
      Resource = [aws_dynamodb_table.main.arn, "${aws_dynamodb_table.main.arn}/index/*"]
    }]
  })
}

resource "aws_dynamodb_table" "main" {
  name         = local.table_name
  billing_mode = var.billing_mode
  hash_key     = "jobId"

  read_capacity  = local.provisioned ? var.read_capacity : null
  write_capacity = local.provisioned ? var.write_capacity : null

  deletion_protection_enabled = local.deletion_protection
  stream_enabled              = var.stream_enabled
  stream_view_type            = var.stream_enabled ? var.stream_view_type : null

  attribute {
    name = "jobId"
    type = "S"
  }

  dynamic "attribute" {
    for_each = local.index_attributes
    content {
      name = attribute.value
      type = "S"
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.indexes
    content {
      name            = global_secondary_index.value.name
      hash_key        = global_secondary_index.value.hash_key
      range_key       = "createdAt"
      projection_type = "ALL"
      read_capacity   = local.provisioned ? local.gsi_read_capacity : null
      write_capacity  = local.provisioned ? local.gsi_write_capacity : null
    }
  }

  ttl {
    attribute_name = "ttl"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.enable_point_in_time_recovery
  }

  server_side_encryption {
    enabled     = var.server_side_encryption
    kms_key_arn = var.server_side_encryption ? var.kms_key_arn : null
  }

  tags = local.tags

  lifecycle {
    precondition {
      condition     = length(local.table_name) >= 3 && length(local.table_name) <= 255
      error_message = "The table name ${local.table_name} must be 3-255 characters long."
    }
  }
}

# The system status entry health checks read. Its TTL is one year after the plan that
# created it (plantimestamp is known at plan time); ignore_changes keeps later plans clean.
# When TTL deletes the expired item, the next apply notices it is gone and writes a fresh one.
locals {
  created = plantimestamp()
  # Unix time of `created` (days-from-civil; Terraform has no epoch function).
  y    = tonumber(formatdate("YYYY", local.created)) - (tonumber(formatdate("M", local.created)) <= 2 ? 1 : 0)
  era  = floor(local.y / 400)
  yoe  = local.y - local.era * 400
  mp   = (tonumber(formatdate("M", local.created)) + 9) % 12
  doy  = floor((153 * local.mp + 2) / 5) + tonumber(formatdate("D", local.created)) - 1
  doe  = local.yoe * 365 + floor(local.yoe / 4) - floor(local.yoe / 100) + local.doy
  days = local.era * 146097 + local.doe - 719468
  created_epoch = (local.days * 86400 + tonumber(formatdate("h", local.created)) * 3600
  + tonumber(formatdate("m", local.created)) * 60 + tonumber(formatdate("s", local.created)))
  one_year_seconds = 365 * 24 * 3600
}

resource "aws_dynamodb_table_item" "system_status" {
  table_name = aws_dynamodb_table.main.name
  hash_key   = aws_dynamodb_table.main.hash_key

  item = jsonencode({
    jobId     = { S = "system-status" }
    status    = { S = "active" }
    userId    = { S = "system" }
    createdAt = { S = formatdate("YYYY-MM-DD'T'hh:mm:ss'Z'", local.created) }
    updatedAt = { S = formatdate("YYYY-MM-DD'T'hh:mm:ss'Z'", local.created) }
    jobType   = { S = "system-status" }
    metadata = { M = {
      project     = { S = var.project_name }
      environment = { S = var.environment }
      table       = { S = var.table_name }
      managedBy   = { S = "terraform" }
    } }
    ttl = { N = tostring(local.created_epoch + local.one_year_seconds) }
  })

  lifecycle {
    ignore_changes = [item]
  }
}

resource "aws_dynamodb_contributor_insights" "main" {
  count      = var.enable_contributor_insights ? 1 : 0
  table_name = aws_dynamodb_table.main.name
}

resource "aws_iam_policy" "table_access" {
  count       = var.create_iam_policy ? 1 : 0
  name        = "${local.table_name}-access"
  description = "Least-privilege access to the ${local.table_name} job table and its indexes"
  policy      = local.iam_policy_json
  tags        = local.tags
}
