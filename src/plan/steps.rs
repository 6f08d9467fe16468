//! The order of work: which steps this repository needs, in the order they are safe to do, each
//! naming its files. A step appears only when the inventory holds one of its categories (the
//! provider flag and removal steps appear whenever anything was found).

use super::facts::{facts, StatusRow};
use super::inventory::Inventory;
use super::stack::Stack;
use crate::finding::{Category, Provider};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// The steps, in the order of work. The derive order is the order the plan prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StepId {
    /// Dual-run switch: new orders on MakePay, open legacy payments on the old provider.
    ProviderFlag,
    /// SDK install and MakeCrypto credentials.
    SdkAndCredentials,
    /// Invoice creation becomes payment-link creation.
    PaymentLinks,
    /// paymentLink.uid beside the legacy ID.
    ProviderIds,
    /// Buyer redirects and white-label artifacts.
    Redirects,
    /// MakePay webhook verification and routing callbacks by provider.
    Webhooks,
    /// Legacy statuses mapped to normalised order states.
    Statuses,
    /// Polling and lookups become webhook reconciliation.
    Reconciliation,
    /// Static-address top-ups and payouts stay on the legacy provider.
    LegacyFlows,
    /// Removal of legacy code once nothing is open.
    Removal,
}

impl StepId {
    /// The step that handles a category's concerns.
    pub fn for_category(c: Category) -> StepId {
        match c {
            Category::Endpoint | Category::Credentials | Category::RequestSigning => {
                StepId::SdkAndCredentials
            }
            Category::InvoiceCreation => StepId::PaymentLinks,
            Category::ProviderIdStorage => StepId::ProviderIds,
            Category::CheckoutRedirect | Category::WhiteLabel => StepId::Redirects,
            Category::CallbackConfig
            | Category::CallbackVerification
            | Category::CallbackResponse
            | Category::IpAllowlist => StepId::Webhooks,
            Category::StatusHandling => StepId::Statuses,
            Category::PaymentLookup => StepId::Reconciliation,
            Category::StaticAddress | Category::Payout => StepId::LegacyFlows,
            Category::Dependency | Category::Other => StepId::Removal,
        }
    }
}

/// One step of the order of work.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Step {
    /// 1-based position in this plan.
    pub number: usize,
    pub id: StepId,
    pub title: String,
    /// What to do, one instruction per entry.
    pub actions: Vec<String>,
    /// Distinct MakePay replacements of the rules behind this step's concerns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replacements: Vec<Replacement>,
    /// Where the work is; sorted by path.
    pub files: Vec<StepFile>,
    /// Legacy status tables (status step only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status_tables: Vec<StatusTable>,
}

/// A rule replacement and the messages of the findings it answers.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Replacement {
    /// Rule messages joined with "; ".
    pub found: String,
    pub replacement: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StepFile {
    pub path: String,
    /// Functions this step touches, in file order; `null` stands for top-level code.
    pub functions: Vec<Option<String>>,
    pub lines: Vec<usize>,
}

/// A provider's legacy statuses and what the repository already handles.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StatusTable {
    pub provider: Provider,
    pub note: String,
    pub rows: Vec<StatusRow>,
    /// Table statuses the status-handling code names (from the finding snippets).
    pub handled: Vec<String>,
    /// Table statuses it never names: each needs an explicit branch.
    pub unhandled: Vec<String>,
}

/// Builds the steps that apply to `inv`.
pub fn build(inv: &Inventory, stacks: &[Stack], snippets: &[(Provider, &str)]) -> Vec<Step> {
    if inv.files.is_empty() {
        return Vec::new();
    }
    let providers = inv.providers();
    let mut steps: Vec<Step> = Vec::new();
    let ids = [
        StepId::ProviderFlag,
        StepId::SdkAndCredentials,
        StepId::PaymentLinks,
        StepId::ProviderIds,
        StepId::Redirects,
        StepId::Webhooks,
        StepId::Statuses,
        StepId::Reconciliation,
        StepId::LegacyFlows,
        StepId::Removal,
    ];
    for id in ids {
        let files = files_for(inv, id, stacks);
        if files.is_empty() {
            continue;
        }
        let ctx = StepContext {
            inv,
            providers: &providers,
            stacks,
        };
        steps.push(Step {
            number: steps.len() + 1,
            id,
            title: title(id).to_string(),
            actions: ctx.actions(id),
            replacements: if matches!(id, StepId::ProviderFlag | StepId::Removal) {
                Vec::new()
            } else {
                replacements(inv, id)
            },
            files,
            status_tables: if id == StepId::Statuses {
                status_tables(inv, snippets)
            } else {
                Vec::new()
            },
        });
    }
    steps
}

fn title(id: StepId) -> &'static str {
    match id {
        StepId::ProviderFlag => "Add a provider flag for the dual run",
        StepId::SdkAndCredentials => "Install the MakePay SDK and configure MakeCrypto credentials",
        StepId::PaymentLinks => "Create MakePay payment links where invoices are created",
        StepId::ProviderIds => "Store paymentLink.uid beside the legacy provider ID",
        StepId::Redirects => "Send buyers to paymentLink.publicUrl",
        StepId::Webhooks => "Verify MakePay webhooks and route callbacks by provider",
        StepId::Statuses => "Normalise legacy statuses explicitly",
        StepId::Reconciliation => "Reconcile new orders from webhooks, not polling",
        StepId::LegacyFlows => "Keep static-address top-ups and payouts on the legacy provider",
        StepId::Removal => "Remove the legacy provider once nothing is open",
    }
}

/// The files of a step: its categories' concerns, plus for the flag step the places that create
/// invoices (where the flag branches) and the settings files, and for removal every file.
fn files_for(inv: &Inventory, id: StepId, stacks: &[Stack]) -> Vec<StepFile> {
    let mut by_path: BTreeMap<&str, StepFile> = BTreeMap::new();
    for (file, scope, concern) in inv.concerns() {
        let wanted = match id {
            // The flag branches where invoices are created and lives beside the settings.
            StepId::ProviderFlag => {
                concern.category == Category::InvoiceCreation
                    || (concern.category == Category::Credentials && scope.function.is_none())
            }
            StepId::Removal => true,
            _ => concern.step == id,
        };
        if !wanted {
            continue;
        }
        let entry = by_path
            .entry(file.path.as_str())
            .or_insert_with(|| StepFile {
                path: file.path.clone(),
                functions: Vec::new(),
                lines: Vec::new(),
            });
        if !entry.functions.contains(&scope.function) {
            entry.functions.push(scope.function.clone());
        }
        entry.lines.extend(&concern.lines);
    }
    let mut files: Vec<StepFile> = by_path.into_values().collect();
    if id == StepId::SdkAndCredentials && !files.is_empty() {
        for manifest in stacks.iter().flat_map(|s| &s.manifests) {
            if !files.iter().any(|f| &f.path == manifest) {
                files.push(StepFile {
                    path: manifest.clone(),
                    functions: Vec::new(),
                    lines: Vec::new(),
                });
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    for f in &mut files {
        if id == StepId::Removal {
            // Everything goes; the inventory has the lines.
            f.lines.clear();
        }
        f.lines.sort_unstable();
        f.lines.dedup();
    }
    files
}

/// Rule-id suffix of call sites of the repository's own provider wrappers: they borrow the
/// wrapper's replacement, which the wrapper's own findings already state.
const WRAPPER_CALL_SUFFIX: &str = "-wrapper-call";

/// The step's distinct replacements, in document order, each with the messages it answers.
fn replacements(inv: &Inventory, id: StepId) -> Vec<Replacement> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (_, _, c) in inv.concerns().filter(|(_, _, c)| c.step == id) {
        for f in c
            .found
            .iter()
            .filter(|f| !f.rule.ends_with(WRAPPER_CALL_SUFFIX))
        {
            match out.iter_mut().find(|(rep, _)| *rep == f.replacement) {
                Some((_, msgs)) if !msgs.contains(&f.message) => msgs.push(f.message.clone()),
                Some(_) => {}
                None => out.push((f.replacement.clone(), vec![f.message.clone()])),
            }
        }
    }
    out.into_iter()
        .map(|(replacement, found)| Replacement {
            found: found.join("; "),
            replacement,
        })
        .collect()
}

/// The status tables of the providers whose status handling was found, with the statuses the
/// code already names.
fn status_tables(inv: &Inventory, snippets: &[(Provider, &str)]) -> Vec<StatusTable> {
    inv.providers()
        .into_iter()
        .filter(|p| inv.has_category(Some(*p), &[Category::StatusHandling]))
        .map(|p| {
            let facts = &facts().statuses[&p];
            let (handled, unhandled): (Vec<&StatusRow>, Vec<&StatusRow>) =
                facts.table.iter().partition(|row| {
                    snippets
                        .iter()
                        .any(|(sp, s)| *sp == p && names(s, &row.status))
                });
            StatusTable {
                provider: p,
                note: facts.note.clone(),
                rows: facts.table.clone(),
                handled: handled.iter().map(|r| r.status.clone()).collect(),
                unhandled: unhandled.iter().map(|r| r.status.clone()).collect(),
            }
        })
        .collect()
}

/// Whether `snippet` names `status` as a quoted string, a constant (`Status::PAID`) or a member
/// (`Status.PAID`), case-insensitively; `paid` is not named by `paid_over` or `markPaid`.
fn names(snippet: &str, status: &str) -> bool {
    let lower = snippet.to_ascii_lowercase();
    lower.match_indices(status).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + status.len()..].chars().next();
        matches!(before, Some('\'' | '"' | '`' | ':' | '.'))
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

struct StepContext<'a> {
    inv: &'a Inventory,
    providers: &'a [Provider],
    stacks: &'a [Stack],
}

impl StepContext<'_> {
    fn has(&self, categories: &[Category]) -> bool {
        self.inv.has_category(None, categories)
    }

    /// "OxaPay", or "OxaPay and Cryptomus" (`conjunction` "or" where either is meant).
    fn legacy_names(&self, conjunction: &str) -> String {
        let names: Vec<&str> = self.providers.iter().map(|p| p.display_name()).collect();
        names.join(&format!(" {conjunction} "))
    }

    fn actions(&self, id: StepId) -> Vec<String> {
        let f = facts();
        let legacy = self.legacy_names("and");
        let mut out: Vec<String> = Vec::new();
        match id {
            StepId::ProviderFlag => {
                out.push(format!(
                    "Add a setting (for example `PAYMENT_PROVIDER=makepay|{}`) read where invoices are created: new orders use MakePay; orders that already hold an ID from {} keep reconciling there.",
                    self.providers[0].id(),
                    self.legacy_names("or")
                ));
                let fields: Vec<String> = self
                    .providers
                    .iter()
                    .map(|p| format!("{} {}", p.display_name(), f.provider(*p).log_fields))
                    .collect();
                out.push(format!(
                    "Log provider, order ID, payment UID, delivery ID and the normalised status on every payment event, plus the legacy fields ({}).",
                    fields.join("; ")
                ));
            }
            StepId::SdkAndCredentials => {
                for s in self.stacks {
                    match &s.sdk_install {
                        Some(cmd) => out.push(format!("{}: `{cmd}`", s.label())),
                        None => out.push(format!(
                            "{}: no MakePay SDK in the guides; call {} from a small adapter.",
                            s.label(),
                            f.direct_api
                        )),
                    }
                }
                out.push(
                    "Keep the MakeCrypto API key ID and secret and the MakePay webhook secret in the secret manager, one set per environment; never in the browser or in committed files."
                        .to_string(),
                );
                out.push(format!(
                    "Leave the {legacy} credentials in place until the removal step: open legacy payments still need them."
                ));
            }
            StepId::PaymentLinks => {
                out.push(format!(
                    "Behind the flag, create exactly one MakePay payment link per new order with the SDK's create-payment-link helper (or {}).",
                    f.direct_api
                ));
                out.push(
                    "Send merchantOrderId, payload.amount and payload.currency (payload.asset only when the business must force the buyer's asset), clientEmail, label/description and internal metadata."
                        .to_string(),
                );
            }
            StepId::ProviderIds => {
                let ids: Vec<String> = self
                    .providers
                    .iter()
                    .map(|p| format!("{} `{}`", p.display_name(), f.provider(*p).legacy_id))
                    .collect();
                out.push(format!(
                    "Add columns for paymentLink.uid and paymentLink.publicUrl; keep the {} {} nullable for historical orders.",
                    ids.join(" and "),
                    if ids.len() == 1 { "column" } else { "columns" }
                ));
                out.push(
                    "Look orders up by the ID of the provider that created them; never write one provider's ID into the other's column."
                        .to_string(),
                );
            }
            StepId::Redirects => {
                out.push(
                    "Redirect buyers to paymentLink.publicUrl (hosted checkout); handle the return on your own success and failure pages."
                        .to_string(),
                );
                if self.has(&[Category::WhiteLabel]) {
                    out.push(
                        "Replace rendered addresses, QR codes and network selectors with hosted checkout, the embedded checkout route or the modal script; never store pay_amount, address, qr_code, rate or tx_hash as a MakePay order's URL."
                            .to_string(),
                    );
                }
            }
            StepId::Webhooks => {
                out.push(
                    "Add a MakePay webhook route that reads the exact raw body before any JSON parsing, parses `x-makepay-signature` (`t=...,v1=...`), rejects timestamps more than 300 s away, and compares HMAC-SHA256 of `{t}.{raw body}` with the webhook secret timing-safely; it fails closed on a missing, stale or invalid signature."
                        .to_string(),
                );
                out.push(
                    "Treat `makepay.payment.status_changed` as the reconciliation event; make updates idempotent by `x-makepay-delivery-id` and paymentLink.uid, and never regress a completed order."
                        .to_string(),
                );
                for p in self.providers {
                    let pf = f.provider(*p);
                    out.push(format!(
                        "Keep the legacy {} route working until the removal step, verified the way the provider requires: {}; idempotent by {}.",
                        p.display_name(),
                        pf.legacy_verification,
                        pf.idempotency
                    ));
                }
            }
            StepId::Statuses => {
                out.push(
                    "Map each legacy status to a normalised order state in one place, with an explicit branch per status below; unknown statuses stay pending."
                        .to_string(),
                );
            }
            StepId::Reconciliation => {
                out.push(
                    "Reconcile MakePay orders from webhooks; replay missed deliveries from the MakeCrypto webhook request log (`GET /api/partner/v1/makepay/webhook-requests`)."
                        .to_string(),
                );
                out.push(format!(
                    "Keep the {legacy} lookups only for orders that hold a legacy ID, until the removal step."
                ));
            }
            StepId::LegacyFlows => {
                if self.has(&[Category::StaticAddress]) {
                    out.push(
                        "Keep reusable top-up addresses on the legacy provider behind the flag until every old deposit and callback is reconciled; design a MakePay-native top-up flow separately. One-off order checkout moves to payment links."
                            .to_string(),
                    );
                }
                if self.has(&[Category::Payout]) {
                    out.push(
                        "Keep payout and refund handling (and its own API key and callback verification) on the legacy provider, separate from MakePay checkout."
                            .to_string(),
                    );
                }
            }
            StepId::Removal => {
                for p in self.providers {
                    let pf = f.provider(*p);
                    let what: Vec<&str> = pf
                        .remove
                        .iter()
                        .filter(|r| self.inv.has_category(Some(*p), &r.when))
                        .map(|r| r.what.as_str())
                        .collect();
                    let what = if what.is_empty() {
                        format!("the remaining {} code", p.display_name())
                    } else {
                        format!("{} {}", p.display_name(), join_and(&what))
                    };
                    out.push(format!(
                        "Only when {}: remove {what}, then the provider's package and imports.",
                        pf.keep_until
                    ));
                }
                out.push("Then remove the provider flag.".to_string());
            }
        }
        out
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_a_step() {
        for c in Category::ALL {
            let _ = StepId::for_category(c);
        }
        assert_eq!(
            StepId::for_category(Category::CallbackVerification),
            StepId::Webhooks
        );
        assert!(StepId::ProviderFlag < StepId::PaymentLinks);
        assert!(StepId::Statuses < StepId::Removal);
    }

    #[test]
    fn status_names_are_matched_as_literals_or_constants() {
        assert!(names("if (status === 'paid') {", "paid"));
        assert!(names("case \"PAID\":", "paid"));
        assert!(names("OxaPayStatus::PAID =>", "paid"));
        assert!(!names("if (status === 'paid_over') {", "paid"));
        assert!(!names("order.markPaid();", "paid"));
    }
}
