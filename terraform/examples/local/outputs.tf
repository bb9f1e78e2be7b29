output "table_name" {
  value = module.dynamodb.table_name
}

output "table_id" {
  value = module.dynamodb.table_id
}

output "table_arn" {
  value = module.dynamodb.table_arn
}

output "table_stream_arn" {
  value = module.dynamodb.table_stream_arn
}

output "global_secondary_indexes" {
  value = module.dynamodb.global_secondary_indexes
}

output "iam_policy_json" {
  value = module.dynamodb.iam_policy_json
}
