{#-
    The value of `value` on the row with the smallest `ordering` of a group (an aggregate).
    DuckDB, Spark/Databricks and Snowflake have min_by; Postgres has not, and takes the first
    element of the values ordered. Callers make `ordering` unique within a group, so the value
    does not depend on the engine's choice among ties.
-#}
{% macro crm_min_by(value, ordering) %}
    {{ return(adapter.dispatch('crm_min_by', 'crm_mining')(value, ordering)) }}
{% endmacro %}

{% macro default__crm_min_by(value, ordering) %}
    {{ return('min_by(' ~ value ~ ', ' ~ ordering ~ ')') }}
{% endmacro %}

{% macro postgres__crm_min_by(value, ordering) %}
    {{ return('(array_agg(' ~ value ~ ' order by ' ~ ordering ~ '))[1]') }}
{% endmacro %}
