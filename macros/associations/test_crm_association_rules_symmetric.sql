{#- Data test: each rule A -> B has its reverse B -> A with consistent counts and metrics. -#}
{% test crm_association_rules_symmetric(model, item_column, min_confidence=none) %}
{% set min_confidence = (
    crm_mining.crm_checked_var('assoc_min_confidence') if min_confidence is none
    else min_confidence
) -%}
{% set antecedent = 'antecedent_' ~ item_column -%}
{% set consequent = 'consequent_' ~ item_column -%}
    {#-
        Fails with the rules whose reverse is missing although its confidence
        (pair_order_count / consequent_order_count) reaches min_confidence (default: the var
        assoc_min_confidence), or whose reverse disagrees: another pair_order_count, swapped
        item counts that differ, confidence(A->B) * count(A) != confidence(B->A) * count(B),
        or another lift or leverage (both symmetric).
    -#}
    with

    rules as (
        select * from {{ model }}
    ),

    rules_paired as (
        select
            forward_rules.{{ antecedent }},
            forward_rules.{{ consequent }},
            forward_rules.pair_order_count,
            forward_rules.consequent_order_count,
            forward_rules.confidence * forward_rules.antecedent_order_count
                as forward_pair_count,
            backward_rules.confidence * backward_rules.antecedent_order_count
                as backward_pair_count,
            forward_rules.lift,
            forward_rules.leverage,
            backward_rules.{{ antecedent }} as backward_antecedent,
            backward_rules.pair_order_count as backward_pair_order_count,
            backward_rules.antecedent_order_count as backward_antecedent_order_count,
            backward_rules.lift as backward_lift,
            backward_rules.leverage as backward_leverage
        from rules as forward_rules
        left join rules as backward_rules
            on
                forward_rules.{{ antecedent }} = backward_rules.{{ consequent }}
                and forward_rules.{{ consequent }} = backward_rules.{{ antecedent }}
    )

    select *
    from rules_paired
    where
        (
            backward_antecedent is null
            and cast(pair_order_count as {{ crm_type_double() }}) / consequent_order_count
            >= {{ min_confidence }}
        )
        or (
            backward_antecedent is not null
            and (
                backward_pair_order_count != pair_order_count
                or backward_antecedent_order_count != consequent_order_count
                or abs(forward_pair_count - backward_pair_count) > 1e-9 * pair_order_count
                or abs(forward_pair_count - pair_order_count) > 1e-9 * pair_order_count
                or abs(lift - backward_lift) > 1e-9 * lift
                or abs(leverage - backward_leverage) > 1e-12
            )
        )
{% endtest %}
