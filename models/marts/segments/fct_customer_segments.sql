{#- One row per customer with a purchase order before as_of_date: segment and persona. -#}
with

{# Targets without Python models: every customer with features, segment null. #}
customers_segmented as (
    select * from {{ crm_python_model_relation(
        'int_customers_segmented', int_customers_segmented_columns(),
        rows_from=ref('int_segment_features_prepared'), key_columns=['customer_id']
    ) }}
),

{# Targets without Python models: no segment, no persona. #}
personas_named as (
    select * from {{ crm_python_model_relation(
        'int_segment_personas_named', int_segment_personas_named_columns()
    ) }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

segments_typed as (
    select
        {% for name, data_type in int_customers_segmented_columns().items() -%}
            cast(customers_segmented.{{ name }} as {{ data_type }}) as {{ name }},
        {% endfor -%}
        cast(personas_named.persona_name as {{ dbt.type_string() }}) as persona_name,
        cast(analysis_date.as_of_date as date) as as_of_date
    from customers_segmented
    left join personas_named
        on customers_segmented.segment_id = personas_named.segment_id
    cross join analysis_date
)

select * from segments_typed
