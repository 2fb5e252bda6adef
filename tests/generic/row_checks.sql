{#
    row_checks: every row-level rule of a model in one test, read in one scan. The rules of a
    model (not null, ranges, accepted values, invariants) used to be one test node each: on a
    large table that is one scan per rule, and on any table one dbt node per rule. Fails with
    one row per broken rule: its name and how many rows break it.
    Arguments (all optional):
        not_null: [column, ...]
        ranges: {column: {min_value: x, max_value: y, inclusive: true}}   nulls pass
        accepted_values: {column: [value, ...]}                            nulls pass
        expressions: [SQL boolean expression, ...] (each named by its text), or
                     {name: SQL boolean expression}                         null fails
        table_expressions: the same, about the whole table (row counts compared with another
                     model's): evaluated once, not once per row, so that they also fail on an
                     empty table, where a per-row rule has nothing to check  null fails
        where: a filter on the rows checked (row rules only)
#}
{% test row_checks(
    model, not_null=[], ranges={}, accepted_values={}, expressions={}, table_expressions={},
    where=none
) %}
{%- set rules = [] -%}
{%- for column in not_null -%}
    {%- do rules.append((column ~ ' is not null', column ~ ' is null')) -%}
{%- endfor -%}
{%- for column, bounds in ranges.items() -%}
    {%- set inclusive = bounds.get('inclusive', true) -%}
    {%- set parts = [] -%}
    {%- if bounds.get('min_value') is not none -%}
        {%- do parts.append(column ~ (' < ' if inclusive else ' <= ') ~ bounds['min_value']) -%}
    {%- endif -%}
    {%- if bounds.get('max_value') is not none -%}
        {%- do parts.append(column ~ (' > ' if inclusive else ' >= ') ~ bounds['max_value']) -%}
    {%- endif -%}
    {%- set name = column ~ ' in ' ~ ('[' if inclusive else '(')
        ~ bounds.get('min_value', '-inf') ~ ', ' ~ bounds.get('max_value', 'inf')
        ~ (']' if inclusive else ')') -%}
    {%- do rules.append((name, parts | join(' or '))) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append(value if value is number else crm_text_literal(value | string)) -%}
    {%- endfor -%}
    {%- do rules.append((
        column ~ ' in accepted values',
        column ~ ' not in (' ~ quoted | join(', ') ~ ')'
    )) -%}
{%- endfor -%}
{%- set named = expressions.items() if expressions is mapping
    else zip(expressions, expressions) -%}
{%- for name, expression in named -%}
    {%- do rules.append((name | trim, 'not coalesce(' ~ expression ~ ', false)')) -%}
{%- endfor -%}
{%- set table_rules = [] -%}
{%- set table_named = table_expressions.items() if table_expressions is mapping
    else zip(table_expressions, table_expressions) -%}
{%- for name, expression in table_named -%}
    {%- do table_rules.append((name | trim, 'not coalesce(' ~ expression ~ ', false)')) -%}
{%- endfor -%}

with

{% if rules -%}
rules_counted as (
    select
        {%- for rule in rules %}
        count(case when {{ rule[1] }} then 1 end) as failures_{{ loop.index }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
),
{%- endif %}

{% if table_rules -%}
table_rules_checked as (
    select
        {%- for rule in table_rules %}
        case when {{ rule[1] }} then 1 else 0 end as failures_{{ loop.index }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from (select 1 as one_row) as one_row
),
{%- endif %}

rules_failed as (
    {%- for rule in rules %}
    select
        {{ crm_text_literal(rule[0] | replace('\\', '/')) }} as rule_name,
        failures_{{ loop.index }} as failing_rows
    from rules_counted
    {{ 'union all' if not loop.last or table_rules }}
    {%- endfor %}
    {%- for rule in table_rules %}
    select
        {{ crm_text_literal(rule[0] | replace('\\', '/')) }} as rule_name,
        failures_{{ loop.index }} as failing_rows
    from table_rules_checked
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from rules_failed
where failing_rows > 0

{% endtest %}
