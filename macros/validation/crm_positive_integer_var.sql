{#-
    The value of an integer var that must be at least 1 (a horizon in days, a count), as an
    integer, or a compile error naming the var and the value. Checked when dbt executes
    (execute is true), not at parse or lint time, when vars may not be final: there an invalid
    value stands as 1, which nothing builds with.
-#}
{% macro crm_positive_integer_var(name) %}
    {%- set value = var(name) -%}
    {%- set is_valid = value is number and value == value | int and value >= 1 -%}
    {%- if execute is sameas true and not is_valid -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var " ~ name ~ " must be a positive integer, got '" ~ value ~ "'."
        ) }}
    {%- endif -%}
    {{ return(value | int if is_valid else 1) }}
{% endmacro %}
