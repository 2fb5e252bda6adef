{#
    True when the whole text of expression matches the regular expression pattern (no anchors:
    the macro anchors it). Patterns stay within what every engine's syntax shares: classes
    such as [0-9], quantifiers ?, +, *, {m,n}, groups and alternation; no backslashes.
#}
{% macro crm_matches_pattern(expression, pattern) %}
    {{ return(adapter.dispatch('crm_matches_pattern', 'crm_mining')(expression, pattern)) }}
{% endmacro %}

{% macro default__crm_matches_pattern(expression, pattern) %}
    {#- Snowflake and ANSI regexp_like; Snowflake anchors implicitly, the anchors do no harm. -#}
    regexp_like({{ expression }}, {{ crm_mining.crm_sql_string('^(' ~ pattern ~ ')$') }})
{%- endmacro %}

{% macro duckdb__crm_matches_pattern(expression, pattern) %}
    regexp_full_match({{ expression }}, {{ crm_mining.crm_sql_string(pattern) }})
{%- endmacro %}

{% macro spark__crm_matches_pattern(expression, pattern) %}
    ({{ expression }} rlike {{ crm_mining.crm_sql_string('^(' ~ pattern ~ ')$') }})
{%- endmacro %}

{% macro postgres__crm_matches_pattern(expression, pattern) %}
    ({{ expression }} ~ {{ crm_mining.crm_sql_string('^(' ~ pattern ~ ')$') }})
{%- endmacro %}
