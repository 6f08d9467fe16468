//! Read-only resources: the migration guides' facts as the tool embeds them (the same data the
//! brief and plan are rendered from), so an agent cites them instead of guessing.

use crate::brief::facts;
use crate::finding::Provider;
use rmcp::model::{ErrorData, Resource, ResourceContents};
use serde_json::{json, Value};

const SCHEME: &str = "makepay-migrate://";

/// One document: its URI path (after the scheme), a title, and what it holds.
struct Doc {
    path: String,
    title: String,
    description: String,
}

/// Every resource, in a fixed order: per provider the migration map, the status table and the
/// full guide facts; then MakePay's webhook reference and its status → order-state table.
fn docs() -> Vec<Doc> {
    let mut out = Vec::new();
    for p in Provider::ALL {
        let name = p.to_string();
        out.push(Doc {
            path: format!("guides/{}/map", p.id()),
            title: format!("{name} → MakePay migration map"),
            description: format!("Each {name} surface and its MakePay replacement, row for row."),
        });
        out.push(Doc {
            path: format!("guides/{}/statuses", p.id()),
            title: format!("{name} statuses"),
            description: format!(
                "Every {name} status: the normalised order state, whether it may release goods, \
                 and how to handle it during the cutover."
            ),
        });
        out.push(Doc {
            path: format!("guides/{}/facts", p.id()),
            title: format!("{name} migration guide facts"),
            description: format!(
                "All facts of the {name} migration guide: map, inventory terms, phases with their \
                 field mappings and status rules, checklist."
            ),
        });
    }
    out.push(Doc {
        path: "makepay/webhook".into(),
        title: "MakePay webhook reference".into(),
        description: "Signature header and scheme (HMAC-SHA256 over `{timestamp}.{raw body}`), \
                      tolerance, headers, retries, events and payload fields."
            .into(),
    });
    out.push(Doc {
        path: "makepay/status-states".into(),
        title: "MakePay status → order state".into(),
        description: "MakePay payment statuses and the order state and action each maps to.".into(),
    });
    out
}

/// The resources/list entries.
pub fn list() -> Vec<Resource> {
    docs()
        .into_iter()
        .map(|d| {
            Resource::new(format!("{SCHEME}{}", d.path), d.path.replace('/', "-"))
                .with_title(d.title)
                .with_description(d.description)
                .with_mime_type("application/json")
        })
        .collect()
}

/// The JSON text of the resource at `uri`.
pub fn read(uri: &str) -> Result<ResourceContents, ErrorData> {
    let value = uri
        .strip_prefix(SCHEME)
        .and_then(document)
        .ok_or_else(|| {
            ErrorData::resource_not_found(
                format!("unknown resource {uri}; resources/list names every one"),
                None,
            )
        })??;
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    Ok(ResourceContents::text(text, uri).with_mime_type("application/json"))
}

/// The document at `path`, `None` when no resource has that path.
fn document(path: &str) -> Option<Result<Value, ErrorData>> {
    let found = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["guides", provider, part] => {
            let p = Provider::ALL.into_iter().find(|p| p.id() == *provider)?;
            guide(p, part)?
        }
        ["makepay", part] => makepay(part)?,
        _ => return None,
    };
    Some(found.map_err(|e| ErrorData::internal_error(e, None)))
}

fn guide(p: Provider, part: &str) -> Option<Result<Value, String>> {
    let value = match part {
        "statuses" => {
            let s = &crate::plan::facts::facts().statuses[&p];
            Ok(json!({ "provider": p, "note": s.note, "table": s.table }))
        }
        "map" | "facts" => facts::provider(p)
            .map_err(|e| e.to_string())
            .and_then(|f| match part {
                "map" => Ok(json!({ "provider": p, "map": f.map })),
                _ => serde_json::to_value(f).map_err(|e| e.to_string()),
            }),
        _ => return None,
    };
    Some(value)
}

fn makepay(part: &str) -> Option<Result<Value, String>> {
    let facts = match facts::makepay() {
        Ok(f) => f,
        Err(e) => return Some(Err(e.to_string())),
    };
    let value = match part {
        "webhook" => json!({ "webhook": facts.webhook, "api": facts.api }),
        "status-states" => json!({ "status_states": facts.status_states }),
        _ => return None,
    };
    Some(Ok(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_resource_reads_as_json() {
        let listed = list();
        assert_eq!(listed.len(), Provider::ALL.len() * 3 + 2);
        for r in listed {
            let ResourceContents::TextResourceContents { text, .. } = read(&r.uri).unwrap() else {
                panic!("{}: not text", r.uri);
            };
            let v: Value = serde_json::from_str(&text).unwrap();
            assert!(v.as_object().is_some_and(|o| !o.is_empty()), "{}", r.uri);
        }
    }

    #[test]
    fn the_webhook_reference_carries_the_signature_scheme() {
        let ResourceContents::TextResourceContents { text, .. } =
            read("makepay-migrate://makepay/webhook").unwrap()
        else {
            panic!("not text");
        };
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["webhook"]["signature_header"], "x-makepay-signature");
        assert_eq!(v["webhook"]["tolerance_seconds"], 300);
    }

    #[test]
    fn unknown_uris_are_not_found() {
        for uri in [
            "makepay-migrate://guides/stripe/map",
            "makepay-migrate://guides/oxapay/nope",
            "file:///etc/passwd",
        ] {
            assert!(read(uri).unwrap_err().message.contains("unknown resource"));
        }
    }
}
