{#- Quantile score 1..bins of a column over all rows (a window expression); ties score alike. -#}
{% macro crm_rfm_score(value_column, bins, higher_is_better=true) %}
    {#-
        score = 1 when the relation has one row, else
                min(bins, 1 + floor(bins * (rank - 1) / (row_count - 1)))
        where rank = rank() over (order by value, worst first): 1 + the number of rows with a
        strictly worse value. (rank - 1) / (row_count - 1) is percent_rank(), computed from
        integers so that the floor is exact. Equal values get the same rank, hence the same
        score; the worst value always scores 1, a unique best value scores bins.
        higher_is_better=false (recency_days) ranks the largest value as the worst.
    -#}
    {%- set direction = 'asc' if higher_is_better else 'desc' -%}
    case
        when count(*) over () = 1 then 1
        else least(
            {{ bins }},
            1 + cast(floor(
                cast(
                    {{ bins }} * (rank() over (order by {{ value_column }} {{ direction }}) - 1)
                    as {{ crm_mining.crm_type_double() }}
                )
                / (count(*) over () - 1)
            ) as {{ dbt.type_int() }})
        )
    end
{% endmacro %}
