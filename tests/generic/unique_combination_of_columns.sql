{#
    unique_combination_of_columns: no two rows share the same values of the listed columns
    (a composite primary key). Fails with each duplicated combination and its row count.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as row_count
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
