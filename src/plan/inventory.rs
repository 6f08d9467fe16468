//! The inventory: findings grouped per file, then per enclosing function (or top level), then per
//! concern (category). `plan` and `brief` both render it, so it is public and serialisable.

use super::facts::facts;
use super::steps::StepId;
use crate::finding::{Category, Finding, Provider, Severity};
use crate::lang::Language;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// Every legacy touchpoint the plan covers, grouped the way a person edits them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Inventory {
    /// Sorted by path.
    pub files: Vec<FileEntry>,
}

/// One file holding provider code.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileEntry {
    /// Relative to the scanned root, `/`-separated.
    pub path: String,
    pub language: Language,
    pub providers: Vec<Provider>,
    /// Ordered by first line; top-level code is one scope with `function: null`.
    pub scopes: Vec<Scope>,
}

/// A function or method (or the file's top level) and the concerns it holds.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Scope {
    /// `Class.method` or the bare name; `null` for top-level code.
    pub function: Option<String>,
    /// In step order.
    pub concerns: Vec<Concern>,
}

/// What one scope does with the legacy provider in one category.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Concern {
    pub category: Category,
    /// The order-of-work step that handles this concern.
    pub step: StepId,
    /// The most severe finding's severity.
    pub severity: Severity,
    /// 1-based, sorted, distinct.
    pub lines: Vec<usize>,
    /// One entry per rule that matched, in line order.
    pub found: Vec<Found>,
    /// What must stay in place for the dual run, if anything.
    pub keep: Option<String>,
}

/// What one rule saw in a scope, and its MakePay replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Found {
    pub rule: String,
    pub message: String,
    pub replacement: String,
    /// Lines where this rule matched in the scope.
    pub lines: Vec<usize>,
}

impl Scope {
    pub fn first_line(&self) -> usize {
        self.concerns
            .iter()
            .filter_map(|c| c.lines.first())
            .copied()
            .min()
            .unwrap_or(0)
    }
}

impl Inventory {
    /// Groups `findings` (already sorted by path and position). `language_of` names each path's
    /// language.
    pub fn build(findings: &[&Finding], language_of: impl Fn(&str) -> Language) -> Inventory {
        let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in findings {
            by_file.entry(f.path.as_str()).or_default().push(f);
        }
        let files = by_file
            .into_iter()
            .map(|(path, fs)| file_entry(path, language_of(path), &fs))
            .collect();
        Inventory { files }
    }

    /// Every (file, scope, concern) triple, in document order.
    pub fn concerns(&self) -> impl Iterator<Item = (&FileEntry, &Scope, &Concern)> {
        self.files.iter().flat_map(|file| {
            file.scopes
                .iter()
                .flat_map(move |s| s.concerns.iter().map(move |c| (file, s, c)))
        })
    }

    pub fn providers(&self) -> Vec<Provider> {
        let mut all: Vec<Provider> = self
            .files
            .iter()
            .flat_map(|f| f.providers.iter().copied())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    pub fn has_category(&self, provider: Option<Provider>, categories: &[Category]) -> bool {
        self.concerns().any(|(file, _, c)| {
            categories.contains(&c.category) && provider.is_none_or(|p| file.providers.contains(&p))
        })
    }
}

fn file_entry(path: &str, language: Language, findings: &[&Finding]) -> FileEntry {
    let mut providers: Vec<Provider> = findings.iter().map(|f| f.provider).collect();
    providers.sort();
    providers.dedup();
    let mut by_scope: BTreeMap<Option<&str>, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_scope.entry(f.function.as_deref()).or_default().push(f);
    }
    let mut scopes: Vec<Scope> = by_scope
        .into_iter()
        .map(|(function, fs)| Scope {
            function: function.map(str::to_string),
            concerns: concerns(&fs),
        })
        .collect();
    scopes.sort_by_key(|s| (s.first_line(), s.function.clone()));
    FileEntry {
        path: path.to_string(),
        language,
        providers,
        scopes,
    }
}

fn concerns(findings: &[&Finding]) -> Vec<Concern> {
    let mut by_category: BTreeMap<Category, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_category.entry(f.category).or_default().push(f);
    }
    let mut out: Vec<Concern> = by_category
        .into_iter()
        .map(|(category, fs)| {
            let mut lines: Vec<usize> = fs.iter().map(|f| f.line).collect();
            lines.sort_unstable();
            lines.dedup();
            let mut found: Vec<Found> = Vec::new();
            for f in &fs {
                match found.iter_mut().find(|x| x.rule == f.rule) {
                    Some(x) if x.lines.last() != Some(&f.line) => x.lines.push(f.line),
                    Some(_) => {}
                    None => found.push(Found {
                        rule: f.rule.clone(),
                        message: f.message.clone(),
                        replacement: f.replacement.clone(),
                        lines: vec![f.line],
                    }),
                }
            }
            Concern {
                category,
                step: StepId::for_category(category),
                severity: fs
                    .iter()
                    .map(|f| f.severity)
                    .max()
                    .unwrap_or(Severity::Info),
                lines,
                found,
                keep: facts().keep.get(&category).cloned(),
            }
        })
        .collect();
    out.sort_by_key(|c| (c.step, c.category));
    out
}

impl Concern {
    /// Distinct messages, in line order.
    pub fn messages(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in &self.found {
            if !out.contains(&f.message.as_str()) {
                out.push(&f.message);
            }
        }
        out
    }
}
