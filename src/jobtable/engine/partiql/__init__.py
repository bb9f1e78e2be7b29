"""PartiQL for DynamoDB: parsing (`syntax`), literals, translation to expressions, plans
and execution of ExecuteStatement, BatchExecuteStatement and ExecuteTransaction."""
