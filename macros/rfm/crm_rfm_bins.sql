{#- The var rfm_bins as an integer, checked to lie in 2..9 (one digit per score in rfm_cell). -#}
{% macro crm_rfm_bins() %}
    {%- set bins = var('rfm_bins') -%}
    {%- if bins is not number or bins != bins | int or bins < 2 or bins > 9 -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var rfm_bins must be an integer from 2 to 9, got '" ~ bins ~ "'."
        ) }}
    {%- endif -%}
    {{ return(bins | int) }}
{% endmacro %}
