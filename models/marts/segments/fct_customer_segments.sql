{#- One row per customer with a purchase order before as_of_date: segment and persona. -#}
with

customers_segmented as (
    select * from {{ ref('int_customers_segmented') }}
),

personas_named as (
    select * from {{ ref('int_segment_personas_named') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

segments_typed as (
    select
        cast(customers_segmented.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(customers_segmented.segment_id as {{ dbt.type_int() }}) as segment_id,
        cast(personas_named.persona_name as {{ dbt.type_string() }}) as persona_name,
        cast(customers_segmented.distance_to_centroid as {{ crm_type_double() }})
            as distance_to_centroid,
        cast(analysis_date.as_of_date as date) as as_of_date
    from customers_segmented
    inner join personas_named
        on customers_segmented.segment_id = personas_named.segment_id
    cross join analysis_date
)

select * from segments_typed
