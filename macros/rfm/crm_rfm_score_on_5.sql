{#- A score 1..bins rescaled to 1..5 (what the segment and value-tier maps read). -#}
{% macro crm_rfm_score_on_5(score, bins) %}
    {#-
        bins = 5: the score itself. Otherwise round-half-up(1 + 4 * (score - 1) / (bins - 1)),
        computed as 1 + floor((8 * (score - 1) + bins - 1) / (2 * (bins - 1))): 1 stays 1,
        bins becomes 5, and the scores in between spread evenly.
    -#}
    {%- if bins | int == 5 -%}
        {{ score }}
    {%- else -%}
        (1 + cast(floor(
            cast(8 * ({{ score }} - 1) + {{ bins - 1 }} as {{ crm_mining.crm_type_double() }})
            / {{ 2 * (bins - 1) }}
        ) as {{ dbt.type_int() }}))
    {%- endif -%}
{% endmacro %}
