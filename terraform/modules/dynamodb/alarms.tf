# Optional CloudWatch alarms: read throttling, write throttling, and system errors summed
# over the operations the jobs code uses (SystemErrors is only published per Operation).

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

resource "aws_cloudwatch_metric_alarm" "system_errors" {
  count               = var.enable_alarms ? 1 : 0
  alarm_name          = "${local.table_name}-system-errors"
  alarm_description   = "SystemErrors on ${local.table_name} (all job operations)"
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags

  metric_query {
    id          = "errors"
    expression  = join(" + ", [for i, op in local.alarm_operations : "FILL(m${i}, 0)"])
    label       = "SystemErrors"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.alarm_operations
    content {
      id = "m${metric_query.key}"
      metric {
        namespace   = "AWS/DynamoDB"
        metric_name = "SystemErrors"
        dimensions  = { TableName = aws_dynamodb_table.main.name, Operation = metric_query.value }
        stat        = "Sum"
        period      = var.alarm_period
      }
    }
  }
}
