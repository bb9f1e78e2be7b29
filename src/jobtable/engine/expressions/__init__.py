"""DynamoDB's expression languages: conditions/filters, updates, projections, key conditions.

Text is parsed with lark (LALR) into trees cached by text (`grammar`), validated
(`functions`, `context` for names, values and reserved words) and compiled into closures
(`conditions`, `updates`, `projection`, `key_conditions`) that work on items in wire format.

    ctx = ExpressionContext(request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues"))
    condition = compile_condition(text, ctx)          # or kind="FilterExpression"
    update = compile_update(update_text, ctx)
    ctx.check_all_used()                              # after every expression of the request
    if condition.evaluate(old_item): new_item = update.apply(old_item or key)
"""
from .conditions import Condition, compile_condition
from .context import ExpressionContext
from .key_conditions import KeyCondition, compile_key_condition
from .legacy import (
    LegacyUpdate,
    condition_from_expected,
    condition_from_filter,
    key_condition_from_key_conditions,
    projection_from_attributes_to_get,
    update_from_attribute_updates,
)
from .projection import Projection, compile_projection, project
from .updates import Update, compile_update

__all__ = [
    "Condition",
    "ExpressionContext",
    "KeyCondition",
    "LegacyUpdate",
    "Projection",
    "Update",
    "compile_condition",
    "compile_key_condition",
    "compile_projection",
    "compile_update",
    "condition_from_expected",
    "condition_from_filter",
    "key_condition_from_key_conditions",
    "project",
    "projection_from_attributes_to_get",
    "update_from_attribute_updates",
]
