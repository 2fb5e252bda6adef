{# Aggregate: the mean of an expression as a double, identical whatever the summing order. #}
{% macro crm_exact_avg(expression) -%}
    {#-
        The values are cast to dbt.type_numeric() (6 decimals) and averaged as exact decimals:
        a sum of doubles depends on the order in which parallel threads add them (the last bits
        differ between two builds), a sum of decimals does not. Documented precision: the
        values are rounded to 6 decimals before averaging.
    -#}
    cast(
        avg(cast({{ expression }} as {{ dbt.type_numeric() }}))
        as {{ crm_mining.crm_type_double() }}
    )
{%- endmacro %}
