{#-
    The value of a numeric var that must lie between `minimum` and `maximum` (none: no upper
    bound), or a compile error naming the var and the value: a threshold, a shrinkage, a
    number of standard errors. Checked when dbt executes, as crm_integer_var.
-#}
{% macro crm_number_var(name, minimum=0, maximum=none) %}
    {%- set value = var(name) -%}
    {%- set is_valid = value is number and value is not boolean and value >= minimum
        and (maximum is none or value <= maximum) -%}
    {%- if execute is sameas true and not is_valid -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var " ~ name ~ " must be a number of " ~ minimum ~ " or more"
            ~ ("" if maximum is none else " and " ~ maximum ~ " or less")
            ~ ", got '" ~ value ~ "'."
        ) }}
    {%- endif -%}
    {{ return(value if is_valid else minimum) }}
{% endmacro %}
