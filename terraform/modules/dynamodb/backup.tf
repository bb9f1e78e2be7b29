# Daily backups in production. On AWS: an AWS Backup plan (vault, daily rule with the
# retention as lifecycle, selection of the table, service role). Against a local endpoint
# set enable_aws_backup = false and run `jobtable backups run-schedule` from cron: it makes
# `{table-name}-backup-YYYY-MM-DD` once a day and deletes those past the retention.

locals {
  aws_backup = var.enable_aws_backup && local.is_production
  # AWS Backup names are at most 50 characters; long table names are shortened with a hash.
  backup_base = length(local.table_name) <= 41 ? local.table_name : "${substr(local.table_name, 0, 32)}-${substr(md5(local.table_name), 0, 8)}"
}

data "aws_partition" "current" {}

resource "aws_backup_vault" "main" {
  count       = local.aws_backup ? 1 : 0
  name        = "${local.backup_base}-vault"
  kms_key_arn = var.kms_key_arn
  tags        = local.tags
}

resource "aws_backup_plan" "daily" {
  count = local.aws_backup ? 1 : 0
  name  = "${local.backup_base}-daily"

  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.main[0].name
    schedule          = var.backup_schedule

    lifecycle {
      delete_after = var.backup_retention_days
    }

    recovery_point_tags = local.tags
  }

  tags = local.tags
}

resource "aws_iam_role" "backup" {
  count = local.aws_backup ? 1 : 0
  name  = "${local.backup_base}-backup"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "backup.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "backup" {
  count      = local.aws_backup ? 1 : 0
  role       = aws_iam_role.backup[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_backup_selection" "table" {
  count        = local.aws_backup ? 1 : 0
  name         = "${local.backup_base}-table"
  plan_id      = aws_backup_plan.daily[0].id
  iam_role_arn = aws_iam_role.backup[0].arn
  resources    = [aws_dynamodb_table.main.arn]
}
