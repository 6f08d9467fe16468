//! Tests to add: the guides' test lists, filtered by what the repository contains.

use super::facts::facts;
use super::inventory::Inventory;
use crate::finding::Provider;
use schemars::JsonSchema;
use serde::Serialize;

/// A test the migration should add or update.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TestToAdd {
    pub name: String,
    /// The legacy providers it concerns; empty for MakePay-side tests.
    pub providers: Vec<Provider>,
}

/// The tests whose categories (for one of their providers) occur in `inv`, in the guides' order.
pub fn select(inv: &Inventory) -> Vec<TestToAdd> {
    facts()
        .tests
        .iter()
        .filter(|t| {
            if t.providers.is_empty() {
                inv.has_category(None, &t.when)
            } else {
                t.providers
                    .iter()
                    .any(|p| inv.has_category(Some(*p), &t.when))
            }
        })
        .map(|t| TestToAdd {
            name: t.name.clone(),
            providers: t.providers.clone(),
        })
        .collect()
}
