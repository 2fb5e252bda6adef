{#- Data test: one method chosen per target, the best held-out one unless a var forces it. -#}
{% test crm_recommendation_choice_consistent(model) %}
    {#-
        Fails with the targets of fct_recommendation_evaluation that do not have exactly one
        chosen method, or whose chosen method is not forced and hits fewer customers than
        another method of the target (popularity included: never worse than popularity).
    -#}
    with

    evaluation as (
        select * from {{ model }}
    ),

    targets_checked as (
        select
            recommendation_target,
            count(case when is_chosen then 1 end) as chosen_count,
            max(case when is_chosen and is_forced then 1 else 0 end) as is_forced,
            max(case when is_chosen then hit_customer_count end) as chosen_hit_count,
            max(hit_customer_count) as best_hit_count
        from evaluation
        group by recommendation_target
    )

    select *
    from targets_checked
    where
        chosen_count != 1
        or (is_forced = 0 and chosen_hit_count < best_hit_count)
{% endtest %}
