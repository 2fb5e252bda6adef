{#
    primary_key: the column identifies the model's rows: never null, and no two rows share a
    value. dbt's `unique` and `not_null` in one test and one scan (each test is a node that
    dbt compiles and runs: on a small build their per-node cost outweighs the scan). Fails
    with each duplicated value and its row count, and the null key with its row count.
#}
{% test primary_key(model, column_name) %}

select
    {{ column_name }} as key_value,
    count(*) as row_count
from {{ model }}
group by {{ column_name }}
having count(*) > 1 or {{ column_name }} is null

{% endtest %}
