{#-
    The value of an integer var that must be at least 1 (a horizon in days, a count), or a
    compile error naming the var and the value. Checked when dbt executes (execute is true),
    not at parse or lint time, when vars may not be final.
-#}
{% macro crm_positive_integer_var(name) %}
    {%- set value = var(name) -%}
    {%- if execute is sameas true
        and (value is not number or value != value | int or value < 1)
    -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var " ~ name ~ " must be a positive integer, got '" ~ value ~ "'."
        ) }}
    {%- endif -%}
    {{ return(value | int if value is number else value) }}
{% endmacro %}
