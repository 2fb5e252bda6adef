{#-
    The value of an integer var that must be at least `minimum` (1: a horizon in days, a count;
    0: a number of features that may be none), as an integer, or a compile error naming the
    var and the value. Checked when dbt executes (execute is true), not at parse or lint time,
    when vars may not be final: there an invalid value stands as the minimum, which nothing
    builds with.
-#}
{% macro crm_integer_var(name, minimum=1) %}
    {%- set value = var(name) -%}
    {%- set is_valid = value is number and value == value | int and value >= minimum -%}
    {%- if execute is sameas true and not is_valid -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var " ~ name ~ " must be "
            ~ ("a positive integer" if minimum == 1 else "an integer of " ~ minimum ~ " or more")
            ~ ", got '" ~ value ~ "'."
        ) }}
    {%- endif -%}
    {{ return(value | int if is_valid else minimum) }}
{% endmacro %}
