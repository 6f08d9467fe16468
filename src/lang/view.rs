//! The syntax view: what the matcher asks of a file's structure.

use super::{lexical, rust_syn, treesitter, Language};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// What a byte of source is: code, inside a string literal, or inside a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionKind {
    Code,
    String,
    Comment,
}

/// A named function, method or closure bound to a name, with its byte extent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSpan {
    /// `Class.method`, `Type.method` or the bare name.
    pub name: String,
    pub range: Range<usize>,
    /// Where the defining identifier is, so a definition is never mistaken for a call.
    pub name_at: usize,
}

impl FunctionSpan {
    /// The last path segment: what a call site writes (`create_invoice`, not `Client.create_invoice`).
    pub fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }
}

/// A named class, struct, interface, enum or type alias with its byte extent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassSpan {
    pub name: String,
    pub range: Range<usize>,
}

/// What a type declares in its body outside its methods: a field, property, enum case or
/// constant. A request or response type of the provider is its payload, member by member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSpan {
    /// The whole declaration, annotations and attributes included.
    pub range: Range<usize>,
    /// The declared name.
    pub name: Range<usize>,
}

/// Per-byte region kinds and enclosing functions of one file.
#[derive(Debug, Clone, Default)]
pub struct SyntaxView {
    /// String and comment spans, sorted by start, non-overlapping; the gaps are code.
    spans: Vec<(Range<usize>, RegionKind)>,
    /// Sorted by start; nested functions follow their parent.
    functions: Vec<FunctionSpan>,
    /// Simple statements and the headers of compound ones, sorted by start: a finding covers
    /// the statement its token is in, so a call spread over lines is one finding.
    statements: Vec<Range<usize>>,
    /// Named classes, structs, interfaces, enums and type aliases, sorted by start: a class
    /// with provider evidence in its body is a provider type, like a function is.
    classes: Vec<ClassSpan>,
    /// Members declared directly in a class body, sorted by start.
    members: Vec<MemberSpan>,
    /// Functions' parameter lists, sorted by start.
    parameters: Vec<Range<usize>>,
}

impl SyntaxView {
    pub fn new(
        mut spans: Vec<(Range<usize>, RegionKind)>,
        mut functions: Vec<FunctionSpan>,
    ) -> Self {
        spans.sort_by_key(|(r, _)| r.start);
        functions.sort_by(|a, b| {
            a.range
                .start
                .cmp(&b.range.start)
                .then(b.range.end.cmp(&a.range.end))
        });
        SyntaxView {
            spans,
            functions,
            statements: Vec::new(),
            classes: Vec::new(),
            members: Vec::new(),
            parameters: Vec::new(),
        }
    }

    /// The same view, told where the statements are.
    pub fn with_statements(mut self, mut statements: Vec<Range<usize>>) -> Self {
        statements.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        self.statements = statements;
        self
    }

    /// The same view, told where the classes and their members are.
    pub fn with_classes(
        mut self,
        mut classes: Vec<ClassSpan>,
        mut members: Vec<MemberSpan>,
    ) -> Self {
        classes.sort_by(|a, b| {
            a.range
                .start
                .cmp(&b.range.start)
                .then(b.range.end.cmp(&a.range.end))
        });
        members.sort_by_key(|m| m.range.start);
        self.classes = classes;
        self.members = members;
        self
    }

    /// The same view, told where the parameter lists are.
    pub fn with_parameters(mut self, mut parameters: Vec<Range<usize>>) -> Self {
        parameters.sort_by_key(|r| r.start);
        self.parameters = parameters;
        self
    }

    /// Whether `offset` is in a function's parameter list: a parameter named after a provider
    /// field (`url_callback: str | None = None`) shapes a signature; the call is the change.
    pub fn in_parameters(&self, offset: usize) -> bool {
        let candidates = self.parameters.partition_point(|r| r.start <= offset);
        self.parameters[..candidates]
            .iter()
            .any(|r| r.contains(&offset))
    }

    /// Index of the innermost class holding `offset`.
    pub fn class_at(&self, offset: usize) -> Option<usize> {
        let candidates = self.classes.partition_point(|c| c.range.start <= offset);
        (0..candidates)
            .rev()
            .find(|&i| self.classes[i].range.contains(&offset))
    }

    pub fn classes(&self) -> &[ClassSpan] {
        &self.classes
    }

    pub fn members(&self) -> &[MemberSpan] {
        &self.members
    }

    /// The innermost statement (or compound statement's header) that holds `offset`.
    pub fn statement_at(&self, offset: usize) -> Option<Range<usize>> {
        let candidates = self.statements.partition_point(|s| s.start <= offset);
        self.statements[..candidates]
            .iter()
            .rev()
            .find(|s| s.contains(&offset))
            .cloned()
    }

    pub fn region_at(&self, offset: usize) -> RegionKind {
        let idx = self.spans.partition_point(|(r, _)| r.start <= offset);
        match idx.checked_sub(1).map(|i| &self.spans[i]) {
            Some((r, kind)) if r.contains(&offset) => *kind,
            _ => RegionKind::Code,
        }
    }

    /// Index of the innermost function containing `offset`. Spans nest, so among those that
    /// contain it the one starting last is innermost.
    pub fn function_at(&self, offset: usize) -> Option<usize> {
        let candidates = self.functions.partition_point(|f| f.range.start <= offset);
        (0..candidates)
            .rev()
            .find(|&i| self.functions[i].range.contains(&offset))
    }

    pub fn functions(&self) -> &[FunctionSpan] {
        &self.functions
    }
}

/// Larger files (minified bundles, generated code) get the lexical view: a syntax tree costs
/// many times the file's size in memory, and such files have no hand-written functions.
pub const MAX_PARSE_BYTES: usize = 1024 * 1024;

/// Builds the best view available for `lang`: `syn` for Rust, tree-sitter for the other
/// programming languages, and the lexical view for everything else and wherever a parse fails
/// (then functions come from whatever the parser still recovered).
pub fn build_view(lang: Language, src: &str) -> SyntaxView {
    if src.len() > MAX_PARSE_BYTES {
        return SyntaxView::new(lexical::regions(lang, src), Vec::new());
    }
    if lang == Language::Rust {
        let functions = rust_syn::functions(src).unwrap_or_default();
        return SyntaxView::new(lexical::regions(lang, src), functions);
    }
    match treesitter::parse(lang, src) {
        Some(parsed) => {
            let regions = parsed
                .regions
                .unwrap_or_else(|| lexical::regions(lang, src));
            SyntaxView::new(regions, parsed.functions)
                .with_statements(parsed.statements)
                .with_classes(parsed.classes, parsed.members)
                .with_parameters(parsed.parameters)
        }
        None => SyntaxView::new(lexical::regions(lang, src), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn innermost_function_wins() {
        let view = SyntaxView::new(
            vec![(5..9, RegionKind::String)],
            vec![
                FunctionSpan {
                    name: "outer".into(),
                    range: 0..100,
                    name_at: 3,
                },
                FunctionSpan {
                    name: "A.inner".into(),
                    range: 10..20,
                    name_at: 12,
                },
            ],
        );
        assert_eq!(view.function_at(15), Some(1));
        assert_eq!(view.function_at(50), Some(0));
        assert_eq!(view.function_at(100), None);
        assert_eq!(view.region_at(6), RegionKind::String);
        assert_eq!(view.region_at(9), RegionKind::Code);
        assert_eq!(view.functions()[1].short_name(), "inner");
    }
}
