{# Aggregate: the labels of ranks 1..n of a group, in rank order, as one comma-separated text. #}
{% macro crm_ranked_list(rank_column, label_column, n=3) %}
    {#-
        Portable where string_agg's ordering is not (dbt.listagg ignores the order on Spark):
        one max(case ...) per rank; missing ranks are skipped, so "A, B" when a group has two.
    -#}
    {%- for rank in range(1, n + 1) %}
        {%- set label -%}
            max(case when {{ rank_column }} = {{ rank }} then {{ label_column }} end)
        {%- endset -%}
        {{ label if loop.first else "|| coalesce(', ' || " ~ label ~ ", '')" }}
    {% endfor -%}
{% endmacro %}
