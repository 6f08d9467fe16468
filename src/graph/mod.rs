//! The provider graph: the repository-level phase between per-file matching and the findings.
//!
//! Real integrations name the provider in a few files (the client with the base URL, the
//! signing helper) and reach it from many that never do: the request and response types the
//! client imports, the tests and services that import the client, the other files of a Go
//! package. Per-file matching cannot see those; the graph links them along real edges (imports
//! resolved to repository files, Go packages) from the files that anchor a provider, so their
//! provider terms count, and every finding made that way says which edge it came through
//! ([`Via`]).
//!
//! It costs nothing where there is no provider code: with no anchored file there is nothing to
//! link, and nothing is read again. Otherwise each code file is read once more, and only files
//! that mention an anchored file's module name have their imports parsed.

pub mod clients;
pub mod imports;
pub mod requests;
pub mod routes;
pub mod symbols;

use crate::finding::{Provider, Via};
use crate::lang::Language;
use crate::walk::Entry;
use aho_corasick::AhoCorasickBuilder;
use imports::{FileIndex, Import};
use std::collections::BTreeMap;

/// A file whose own lines anchor providers: where the graph starts.
#[derive(Debug, Clone)]
pub struct Anchor {
    pub providers: Vec<Provider>,
    /// 1-based line of its first anchor, for provenance.
    pub line: usize,
}

/// What the graph lends a file it links: the providers, and the edge that brought them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub providers: Vec<Provider>,
    pub via: Via,
}

/// Links the code files in `files` to the `anchors` they import or are imported by (one hop),
/// and Go files to their package's anchored files. Anchored files themselves are not linked.
pub fn link(
    anchors: &BTreeMap<String, Anchor>,
    files: &[(Entry, Language)],
    threads: usize,
) -> BTreeMap<String, Link> {
    let mut links: BTreeMap<String, Link> = BTreeMap::new();
    if anchors.is_empty() {
        return links;
    }
    let index = FileIndex::new(files.iter().map(|(e, _)| e.rel.clone()));
    let mut add = |target: &str, anchor: &str, what: String| {
        if anchors.contains_key(target) {
            return;
        }
        let a = &anchors[anchor];
        let entry = links.entry(target.to_string()).or_insert_with(|| Link {
            providers: Vec::new(),
            via: Via {
                path: anchor.to_string(),
                line: a.line,
                what,
            },
        });
        for p in &a.providers {
            if !entry.providers.contains(p) {
                entry.providers.push(*p);
            }
        }
    };

    // Files the anchored files import, and the other files of an anchored Go package.
    let anchored: Vec<&(Entry, Language)> = files
        .iter()
        .filter(|(e, _)| anchors.contains_key(&e.rel))
        .collect();
    let outgoing = crate::par::map(&anchored, threads, |(entry, lang)| {
        let src = std::fs::read_to_string(&entry.path).ok()?;
        let mut targets: Vec<(String, usize)> = resolved(&index, &entry.rel, *lang, &src);
        if lang.family() == Language::Go {
            targets.extend(index.package_mates(&entry.rel).into_iter().map(|m| (m, 0)));
        }
        Some((entry.rel.clone(), targets))
    });
    for (anchor, targets) in sorted(outgoing) {
        for (target, line) in targets {
            let what = if line == 0 {
                format!("in the same Go package as {anchor}, which names the provider")
            } else {
                format!("imported by {anchor} (line {line}), which names the provider")
            };
            add(&target, &anchor, what);
        }
    }

    // Files that import an anchored file: only those that mention an anchored module's name
    // have their imports parsed.
    let names = module_names(anchors.keys());
    if !names.is_empty() {
        let finder = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&names)
            .expect("module names form a valid automaton");
        let incoming = crate::par::map(files, threads, |(entry, lang)| {
            if anchors.contains_key(&entry.rel) {
                return None;
            }
            let bytes = std::fs::read(&entry.path).ok()?;
            if !finder.is_match(&bytes) {
                return None;
            }
            let src = String::from_utf8_lossy(&bytes);
            let hits: Vec<(String, usize)> = resolved(&index, &entry.rel, *lang, &src)
                .into_iter()
                .filter(|(t, _)| anchors.contains_key(t))
                .collect();
            (!hits.is_empty()).then(|| (entry.rel.clone(), hits))
        });
        for (importer, hits) in sorted(incoming) {
            for (anchor, line) in &hits {
                let what = format!("imports {anchor} (line {line}), which names the provider");
                add(&importer, anchor, what);
            }
        }
    }
    links
}

/// The repository files `src` imports, each with the 1-based line of its import.
pub fn resolved(index: &FileIndex, rel: &str, lang: Language, src: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = imports::imports(lang, src)
        .iter()
        .flat_map(|i: &Import| {
            index
                .resolve(rel, lang, i)
                .into_iter()
                .filter(|t| t != rel)
                .map(move |t| (t, i.line + 1))
        })
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// The names an import of these files would spell: file stems, and the directory of an
/// `index`/`__init__`/`mod` file or a Go file (imported by its package directory).
fn module_names<'a>(paths: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut names: Vec<String> = paths
        .flat_map(|p| {
            let (dir, file) = p.rsplit_once('/').unwrap_or(("", p));
            let stem = file.split('.').next().unwrap_or(file);
            let dir_name = dir.rsplit('/').next().unwrap_or(dir);
            let by_dir = matches!(stem, "index" | "__init__" | "mod") || file.ends_with(".go");
            [
                (!by_dir).then(|| stem.to_string()),
                by_dir.then(|| dir_name.to_string()),
            ]
        })
        .flatten()
        .filter(|n| n.len() >= 2)
        .collect();
    names.sort();
    names.dedup();
    names
}

fn sorted<T>(mut v: Vec<(String, T)>) -> Vec<(String, T)> {
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}
