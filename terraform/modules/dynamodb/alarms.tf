# Optional CloudWatch alarms: read throttling, write throttling, and system errors of each
# operation the jobs code uses.

locals {
  alarm_operations = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"]
  throttle_alarms = var.enable_alarms ? {
    read-throttles  = "ReadThrottleEvents"
    write-throttles = "WriteThrottleEvents"
  } : {}
}

resource "aws_cloudwatch_metric_alarm" "throttles" {
  for_each            = local.throttle_alarms
  alarm_name          = "${local.table_name}-${each.key}"
  alarm_description   = "${each.value} on ${local.table_name}"
  namespace           = "AWS/DynamoDB"
  metric_name         = each.value
  dimensions          = { TableName = aws_dynamodb_table.main.name }
  statistic           = "Sum"
  period              = var.alarm_period
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
}

# One alarm per operation: SystemErrors is published per Operation, and single-metric alarms
# work on AWS and on a local jobtable endpoint alike (jobtable has no metric math).
resource "aws_cloudwatch_metric_alarm" "system_errors" {
  for_each            = var.enable_alarms ? toset(local.alarm_operations) : toset([])
  alarm_name          = "${local.table_name}-system-errors-${each.key}"
  alarm_description   = "SystemErrors on ${local.table_name} ${each.key}"
  namespace           = "AWS/DynamoDB"
  metric_name         = "SystemErrors"
  dimensions          = { TableName = aws_dynamodb_table.main.name, Operation = each.key }
  statistic           = "Sum"
  period              = var.alarm_period
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
}
