//! Paging of large results: an agent's context is small, so a tool returns at most one page of
//! a list, and the document says how many there are and where the next page starts. Nothing is
//! ever cut without that note.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Items per page when the caller does not say.
pub const DEFAULT_LIMIT: usize = 200;
/// Characters of a Markdown or diff text returned in one call.
pub const MAX_TEXT: usize = 200_000;

/// Which slice of a long list to return.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
pub struct PageArgs {
    /// Index of the first item to return (default 0).
    #[serde(default)]
    pub offset: Option<usize>,
    /// Most items to return (default 200).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Keeps one page of the array at `doc[key]` and records it in `doc["page"]`: `offset`,
/// `returned`, `total`, and `next_offset` plus a note when items were left out.
pub fn page_array(doc: &mut Value, key: &str, args: PageArgs) {
    let offset = args.offset.unwrap_or(0);
    let limit = args.limit.unwrap_or(DEFAULT_LIMIT).max(1);
    let Some(items) = doc.get_mut(key).and_then(Value::as_array_mut) else {
        return;
    };
    let total = items.len();
    let kept: Vec<Value> = items.drain(..).skip(offset).take(limit).collect();
    let returned = kept.len();
    *items = kept;
    let mut page = json!({ "list": key, "offset": offset, "returned": returned, "total": total });
    let end = offset.saturating_add(returned);
    if end < total {
        page["next_offset"] = json!(end);
        page["note"] = json!(format!(
            "{returned} of {total} {key} shown; call again with offset {end} for the next page"
        ));
    }
    doc["page"] = page;
}

/// `text` whole, or its first [`MAX_TEXT`] characters (cut at a line end) followed by a note
/// giving the full length.
pub fn limit_text(text: String) -> String {
    if text.len() <= MAX_TEXT {
        return text;
    }
    let mut cut = MAX_TEXT;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = text[..cut].rfind('\n').map_or(cut, |i| i + 1);
    format!(
        "{}\n[truncated: {cut} of {} bytes shown; narrow the request (a smaller path or `only`) \
         for the rest]\n",
        &text[..cut],
        text.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(n: usize) -> Value {
        json!({ "version": 1, "findings": (0..n).collect::<Vec<_>>() })
    }

    #[test]
    fn a_short_list_is_whole_and_says_so() {
        let mut d = doc(3);
        page_array(&mut d, "findings", PageArgs::default());
        assert_eq!(d["findings"], json!([0, 1, 2]));
        assert_eq!(d["page"]["total"], 3);
        assert!(d["page"].get("next_offset").is_none());
    }

    #[test]
    fn a_long_list_is_paged_with_a_note_and_a_count() {
        let mut d = doc(5);
        let args = PageArgs {
            offset: Some(1),
            limit: Some(2),
        };
        page_array(&mut d, "findings", args);
        assert_eq!(d["findings"], json!([1, 2]));
        assert_eq!(d["page"]["next_offset"], 3);
        assert_eq!(d["page"]["total"], 5);
        assert!(d["page"]["note"]
            .as_str()
            .unwrap()
            .contains("2 of 5 findings"));
    }

    #[test]
    fn long_text_is_cut_at_a_line_with_its_length() {
        let line = "x".repeat(99) + "\n";
        let text = line.repeat(MAX_TEXT / 100 + 10);
        let total = text.len();
        let out = limit_text(text);
        assert!(out.len() < total);
        assert!(out.contains(&format!("of {total} bytes shown")));
        assert_eq!(limit_text("short\n".into()), "short\n");
    }
}
