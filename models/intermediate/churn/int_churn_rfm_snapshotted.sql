{#-
    One row per snapshot and customer with a purchase order before the snapshot's cutoff: the
    RFM features as of the cutoff (the RFM area's macro crm_customer_rfm_features, once per
    snapshot, on the orders of int_orders_summarized dated strictly before the cutoff).
-#}
{%- set snapshot_names = ['training', 'scoring'] -%}

with

customer_orders as (
    select * from {{ ref('int_orders_summarized') }}
),

churn_snapshots as (
    select * from {{ ref('int_churn_snapshots_resolved') }}
),

{% for snapshot_name in snapshot_names %}
    rfm_{{ snapshot_name }} as (
        {{ crm_customer_rfm_features(
            'customer_orders',
            "(select cutoff_date from churn_snapshots where snapshot_name = '"
            ~ snapshot_name ~ "')",
            relation_grain='order'
        ) }}
    ),
{% endfor %}

rfm_snapshotted as (
    {% for snapshot_name in snapshot_names -%}
        select
            '{{ snapshot_name }}' as snapshot_name,
            *
        from rfm_{{ snapshot_name }}
        {% if not loop.last %}union all{% endif %}
    {% endfor -%}
)

select * from rfm_snapshotted
