//! Unified diffs of planned changes, in the `diff --git` form `git apply` accepts, optionally
//! coloured for a terminal.

use super::change::FileChange;
use crate::encoding::decode;
use anstyle::{AnsiColor, Style};
use similar::TextDiff;
use std::fmt::Write as _;

/// The unified diff of one change (exact bytes of a UTF-8 file: CRLF and BOM survive into the
/// patch). A file in another encoding is shown as the text it decodes to.
pub fn unified(change: &FileChange) -> String {
    let before = change
        .before
        .as_deref()
        .map(|b| decode(b).0)
        .unwrap_or_default();
    let after = decode(&change.after).0;
    let path = &change.path;
    let mut out = format!("diff --git a/{path} b/{path}\n");
    let old_name = if change.is_create() {
        out.push_str("new file mode 100644\n");
        "/dev/null".to_string()
    } else {
        format!("a/{path}")
    };
    let diff = TextDiff::from_lines(before.as_ref(), after.as_ref());
    let _ = write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header(&old_name, &format!("b/{path}"))
    );
    out
}

/// Colours a unified diff line by line (headers bold, removals red, additions green).
pub fn colourize(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    for line in diff.split_inclusive('\n') {
        let style = if line.starts_with("diff --git")
            || line.starts_with("--- ")
            || line.starts_with("+++ ")
            || line.starts_with("new file mode")
        {
            Style::new().bold()
        } else if line.starts_with("@@") {
            AnsiColor::Cyan.on_default()
        } else if line.starts_with('+') {
            AnsiColor::Green.on_default()
        } else if line.starts_with('-') {
            AnsiColor::Red.on_default()
        } else {
            Style::new()
        };
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let _ = write!(out, "{style}{body}{style:#}{nl}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modification_and_creation_headers() {
        let change = FileChange {
            path: "src/a.js".into(),
            before: Some(b"one\ntwo\n".to_vec()),
            after: b"one\n2\n".to_vec(),
            reasons: vec![],
        };
        let d = unified(&change);
        assert!(d.starts_with("diff --git a/src/a.js b/src/a.js\n--- a/src/a.js\n+++ b/src/a.js\n"));
        assert!(d.contains("-two\n+2\n"), "{d}");
        let created = FileChange {
            before: None,
            after: b"x\n".to_vec(),
            ..change
        };
        let d = unified(&created);
        assert!(
            d.contains("new file mode 100644\n--- /dev/null\n+++ b/src/a.js\n"),
            "{d}"
        );
        assert!(d.contains("+x\n"));
    }

    #[test]
    fn colour_wraps_added_lines() {
        let c = colourize("+added\n context\n");
        assert!(c.contains("\u{1b}["));
        assert!(c.contains("added"));
    }
}
