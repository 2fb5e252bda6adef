{#- Data test: one method chosen per target, the best held-out one unless a var forces it. -#}
{% test crm_recommendation_choice_consistent(model) %}
    {#-
        Fails with the targets of fct_recommendation_evaluation that do not have exactly one
        chosen method, or whose chosen method is not forced and is neither popularity nor a
        method whose gain_z clears reco_min_gain_z, or hits fewer customers than popularity
        or than another method that clears it.
    -#}
    {%- set min_gain_z = crm_mining.crm_checked_var('reco_min_gain_z') %}
    with

    evaluation as (
        select
            *,
            method = 'popularity'
            or coalesce(gain_z > 0 and gain_z >= {{ min_gain_z }}, false) as is_eligible
        from {{ model }}
    ),

    targets_checked as (
        select
            recommendation_target,
            count(case when is_chosen then 1 end) as chosen_count,
            max(case when is_chosen and is_forced then 1 else 0 end) as is_forced,
            max(case when is_chosen and is_eligible then 1 else 0 end) as is_chosen_eligible,
            max(case when is_chosen then hit_customer_count end) as chosen_hit_count,
            max(case when is_eligible then hit_customer_count end) as best_eligible_hit_count
        from evaluation
        group by recommendation_target
    )

    select *
    from targets_checked
    where
        chosen_count != 1
        or (
            is_forced = 0
            and (is_chosen_eligible = 0 or chosen_hit_count < best_eligible_hit_count)
        )
{% endtest %}
