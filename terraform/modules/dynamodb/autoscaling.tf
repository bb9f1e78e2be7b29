# Target tracking auto scaling (Application Auto Scaling) for a PROVISIONED table and its
# indexes; jobtable serves the same API (docs/autoscaling.md).

locals {
  autoscaling_on = local.provisioned && var.autoscaling != null
  # One scalable target per resource and dimension: the table and each index, reads and writes.
  scaled = local.autoscaling_on ? merge(
    {
      "table-read"  = { resource = "table/${local.table_name}", dimension = "dynamodb:table:ReadCapacityUnits", read = true }
      "table-write" = { resource = "table/${local.table_name}", dimension = "dynamodb:table:WriteCapacityUnits", read = false }
    },
    merge([for index in local.indexes : {
      "${index.name}-read"  = { resource = "table/${local.table_name}/index/${index.name}", dimension = "dynamodb:index:ReadCapacityUnits", read = true }
      "${index.name}-write" = { resource = "table/${local.table_name}/index/${index.name}", dimension = "dynamodb:index:WriteCapacityUnits", read = false }
    }]...),
  ) : {}
}

resource "aws_appautoscaling_target" "capacity" {
  for_each = local.scaled

  service_namespace  = "dynamodb"
  resource_id        = each.value.resource
  scalable_dimension = each.value.dimension
  min_capacity       = each.value.read ? var.autoscaling.min_read_capacity : var.autoscaling.min_write_capacity
  max_capacity       = each.value.read ? var.autoscaling.max_read_capacity : var.autoscaling.max_write_capacity

  depends_on = [aws_dynamodb_table.main]
}

resource "aws_appautoscaling_policy" "capacity" {
  for_each = local.scaled

  name               = "${local.table_name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.capacity[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.capacity[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.capacity[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling.target_utilization
    scale_in_cooldown  = var.autoscaling.scale_in_cooldown
    scale_out_cooldown = var.autoscaling.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = each.value.read ? "DynamoDBReadCapacityUtilization" : "DynamoDBWriteCapacityUtilization"
    }
  }
}
