//! `explain`: what a rule (or a whole category) finds, why it matters, its MakePay replacement,
//! and the guide's facts for it: the migration phases that edit that category (with their
//! field mappings and status rules) and, for callback categories, MakePay's webhook scheme.

use crate::brief::facts;
use crate::finding::{Category, Provider};
use crate::rules::Rule;
use serde_json::{json, Value};

/// Categories whose replacement is MakePay's signed webhook.
const WEBHOOK_CATEGORIES: [Category; 4] = [
    Category::CallbackConfig,
    Category::CallbackVerification,
    Category::CallbackResponse,
    Category::IpAllowlist,
];

/// The explanation of `topic`: a rule id, or a category id (`callback-verification`).
pub fn explain(rules: &[Rule], topic: &str) -> anyhow::Result<Value> {
    let (matched, category): (Vec<&Rule>, Category) = match rules.iter().find(|r| r.id == topic) {
        Some(rule) => (vec![rule], rule.category),
        None => {
            let Some(category) = Category::ALL.into_iter().find(|c| c.id() == topic) else {
                anyhow::bail!(
                    "`{topic}` is neither a rule id nor a category; categories: {} (rule ids \
                         are in each finding's `rule` field)",
                    Category::ALL.map(Category::id).join(", ")
                );
            };
            (
                rules.iter().filter(|r| r.category == category).collect(),
                category,
            )
        }
    };
    let providers: Vec<Provider> = Provider::ALL
        .into_iter()
        .filter(|p| matched.iter().any(|r| r.provider == *p))
        .collect();
    let mut phases = Vec::new();
    for p in &providers {
        let guide = facts::provider(*p)?;
        for phase in guide
            .phases
            .iter()
            .filter(|ph| ph.categories.contains(&category))
        {
            phases.push(json!({ "provider": p, "phase": phase }));
        }
    }
    let mut doc = json!({
        "topic": topic,
        "category": category,
        "rules": matched.iter().map(|r| rule_json(r)).collect::<Vec<_>>(),
        "guide_phases": phases,
    });
    if WEBHOOK_CATEGORIES.contains(&category) {
        doc["makepay_webhook"] = serde_json::to_value(facts::makepay()?.webhook)?;
    }
    Ok(doc)
}

fn rule_json(r: &Rule) -> Value {
    json!({
        "id": r.id,
        "provider": r.provider,
        "category": r.category,
        "severity": r.severity,
        "confidence": r.confidence,
        "finds": r.message,
        "replacement": r.replacement,
        "languages": r.languages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> crate::rules::RuleSet {
        crate::load_rule_set(&[], None).unwrap()
    }

    #[test]
    fn a_rule_id_gives_that_rule_and_its_phases() {
        let set = rules();
        let rule = set
            .rules()
            .iter()
            .find(|r| r.category == Category::CallbackVerification)
            .unwrap();
        let doc = explain(set.rules(), &rule.id).unwrap();
        assert_eq!(doc["rules"].as_array().unwrap().len(), 1);
        assert_eq!(doc["rules"][0]["replacement"], rule.replacement.as_str());
        assert!(!doc["guide_phases"].as_array().unwrap().is_empty());
        assert_eq!(doc["makepay_webhook"]["algorithm"], "HMAC-SHA256");
    }

    #[test]
    fn a_category_gives_every_rule_of_it() {
        let set = rules();
        let doc = explain(set.rules(), "endpoint").unwrap();
        let expected = set
            .rules()
            .iter()
            .filter(|r| r.category == Category::Endpoint)
            .count();
        assert_eq!(doc["rules"].as_array().unwrap().len(), expected);
        assert!(doc.get("makepay_webhook").is_none());
    }

    #[test]
    fn an_unknown_topic_lists_the_categories() {
        let err = explain(rules().rules(), "nonsense")
            .unwrap_err()
            .to_string();
        assert!(err.contains("callback-verification"), "{err}");
    }
}
