//! The text of the files that hold findings, read once: stack detection looks for framework
//! markers in it and risk detection reads whole functions, where a finding only carries a line.

use crate::finding::Finding;
use crate::lang::{build_view, detect_language, Language};
use crate::text::LineIndex;
use std::path::Path;

/// Lines either side of a top-level finding that stand in for its "function".
const TOP_LEVEL_WINDOW: usize = 12;

pub struct SourceFile {
    /// Relative to the root, `/`-separated (as in findings).
    pub path: String,
    pub language: Language,
    pub text: String,
}

impl SourceFile {
    /// Reads `rel` under `base`, decoded as the scan decoded it. A file that vanished since the
    /// scan yields an empty text: the plan still lists its findings, it just cannot look inside.
    pub fn read(base: &Path, rel: &str) -> SourceFile {
        let path = base.join(rel);
        let text = crate::encoding::read_to_string(&path).unwrap_or_default();
        let language = detect_language(&path, text.as_bytes());
        SourceFile {
            path: rel.to_string(),
            language,
            text,
        }
    }

    /// The source of the function enclosing `finding`, or a window of lines around it at top
    /// level (anonymous route handlers are top level to the scan).
    pub fn scope_of(&self, finding: &Finding) -> &str {
        let lines = LineIndex::new(&self.text);
        if finding.line == 0 || finding.line > lines.line_count() {
            return "";
        }
        let at = lines.line_range(&self.text, finding.line - 1).start;
        if finding.function.is_some() {
            let view = build_view(self.language, &self.text);
            if let Some(i) = view.function_at(at) {
                return &self.text[view.functions()[i].range.clone()];
            }
        }
        let first = finding.line.saturating_sub(TOP_LEVEL_WINDOW + 1);
        let last = (finding.line + TOP_LEVEL_WINDOW).min(lines.line_count()) - 1;
        let start = lines.line_range(&self.text, first).start;
        let end = lines.line_range(&self.text, last).end;
        &self.text[start..end]
    }
}
