output "table_name" {
  description = "Name of the DynamoDB table"
  value       = aws_dynamodb_table.main.name
}

output "table_id" {
  description = "ID of the DynamoDB table"
  value       = aws_dynamodb_table.main.id
}

output "table_arn" {
  description = "ARN of the DynamoDB table"
  value       = aws_dynamodb_table.main.arn
}

output "table_stream_arn" {
  description = "ARN of the DynamoDB table stream"
  value       = aws_dynamodb_table.main.stream_arn
}

output "global_secondary_indexes" {
  description = "Global secondary indexes of the DynamoDB table"
  value       = aws_dynamodb_table.main.global_secondary_index
}

output "iam_policy_json" {
  description = "Least-privilege IAM policy (the jobs code's actions on the table and its indexes)"
  value       = local.iam_policy_json
}
