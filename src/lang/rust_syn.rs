//! The Rust backend: functions and methods from `syn` (`Type.method` inside `impl Type`).
//! `syn` drops comments, so string and comment spans come from the lexical view.

use super::view::FunctionSpan;
use crate::text::LineIndex;
use proc_macro2::LineColumn;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// Named functions of `src`, or `None` when it does not parse as a Rust file.
pub fn functions(src: &str) -> Option<Vec<FunctionSpan>> {
    let file = syn::parse_file(src).ok()?;
    let mut v = Collector {
        src,
        lines: LineIndex::new(src),
        self_ty: Vec::new(),
        out: Vec::new(),
    };
    v.visit_file(&file);
    Some(v.out)
}

struct Collector<'a> {
    src: &'a str,
    lines: LineIndex,
    self_ty: Vec<String>,
    out: Vec<FunctionSpan>,
}

impl Collector<'_> {
    fn offset(&self, at: LineColumn) -> usize {
        let range = self.lines.line_range(self.src, at.line.saturating_sub(1));
        let line = &self.src[range.clone()];
        range.start
            + line
                .char_indices()
                .nth(at.column)
                .map_or(line.len(), |(i, _)| i)
    }

    fn push(&mut self, name: String, item: proc_macro2::Span, ident: &syn::Ident) {
        let range = self.offset(item.start())..self.offset(item.end());
        let name_at = self.offset(ident.span().start());
        self.out.push(FunctionSpan {
            name,
            range,
            name_at,
        });
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.push(f.sig.ident.to_string(), f.span(), &f.sig.ident);
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let name = match &*i.self_ty {
            syn::Type::Path(p) => p
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        self.self_ty.push(name);
        syn::visit::visit_item_impl(self, i);
        self.self_ty.pop();
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let name = match self.self_ty.last() {
            Some(ty) if !ty.is_empty() => format!("{ty}.{}", f.sig.ident),
            _ => f.sig.ident.to_string(),
        };
        self.push(name, f.span(), &f.sig.ident);
        syn::visit::visit_impl_item_fn(self, f);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if f.default.is_some() {
            self.push(f.sig.ident.to_string(), f.span(), &f.sig.ident);
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impl_methods_and_free_functions() {
        let src = "struct C;\nimpl C {\n    pub async fn create_invoice(&self) -> u8 { 1 }\n}\nfn sign(x: &str) -> String { x.into() }\n";
        let fns = functions(src).unwrap();
        let names: Vec<&str> = fns.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["C.create_invoice", "sign"]);
        assert!(src[fns[1].range.clone()].starts_with("fn sign"));
        assert!(src[fns[1].range.clone()].ends_with('}'));
    }

    #[test]
    fn unparsable_is_none() {
        assert!(functions("fn (").is_none());
    }
}
