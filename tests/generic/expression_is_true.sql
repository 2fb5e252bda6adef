{#
    expression_is_true: every row of the model satisfies a SQL boolean expression.
    Fails with the rows where the expression is false or null.
    Usage (model level):
        data_tests:
          - expression_is_true:
              arguments:
                expression: "support <= confidence"
#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
