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
pub mod env;
pub mod imports;
pub mod requests;
pub mod responses;
pub mod routes;
pub mod symbols;
pub mod types;

use crate::finding::{Provider, Via};
use crate::lang::Language;
use crate::walk::Entry;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
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
        let src = crate::encoding::read_to_string(&entry.path).ok()?;
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
                format!("imported by {anchor} (its line {line}), which names the provider")
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
            let src = crate::encoding::decode(&bytes).0;
            let hits: Vec<(String, usize)> = resolved(&index, &entry.rel, *lang, &src)
                .into_iter()
                .filter(|(t, _)| anchors.contains_key(t))
                .collect();
            (!hits.is_empty()).then(|| (entry.rel.clone(), hits))
        });
        for (importer, hits) in sorted(incoming) {
            for (anchor, line) in &hits {
                let what = format!(
                    "imports {anchor} (on this file's line {line}), which names the provider"
                );
                add(&importer, anchor, what);
            }
        }
    }
    links
}

/// How many bytes of a file's head [`nearby`] reads its imports from: imports come first.
const IMPORT_HEAD: u64 = 8 * 1024;

fn read_head(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(IMPORT_HEAD)
        .read_to_end(&mut buf)
        .ok()?;
    Some(crate::encoding::decode(&buf).0.into_owned())
}

/// The files the graph's edges may reach from `hit` (the files with provider findings): the
/// hit files, the files they import and that import them, two hops deep, and the other files of
/// their Go packages. Imports are
/// read from each file's head (they come first), so a tree where provider code sits in a few
/// files is not read again whole for the graph, and one without provider code not at all.
pub fn nearby(code: &[(Entry, Language)], hit: &[&str], threads: usize) -> Vec<(Entry, Language)> {
    let index = FileIndex::new(code.iter().map(|(e, _)| e.rel.clone()));
    let mut near: std::collections::BTreeSet<String> = hit.iter().map(|h| h.to_string()).collect();
    // Only a head that spells a hit file's module name can import it: the import patterns run
    // on those heads alone.
    let names = module_names(hit.iter().map(|h| h.to_string()).collect::<Vec<_>>().iter());
    let finder = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(&names)
        .expect("module names form a valid automaton");
    let imports_of = |(entry, lang): &(Entry, Language), names: Option<&AhoCorasick>| {
        let Some(head) = read_head(&entry.path) else {
            return Vec::new();
        };
        if names.is_some_and(|n| !n.is_match(&head)) {
            return Vec::new();
        }
        imports::imports(*lang, &head)
            .iter()
            .flat_map(|i| index.resolve(&entry.rel, *lang, i))
            .collect::<Vec<String>>()
    };
    let mut edges: Vec<(String, Vec<String>)> = crate::par::map(code, threads, |file| {
        let own = near.contains(&file.0.rel);
        Some((
            file.0.rel.clone(),
            imports_of(file, (!own).then_some(&finder)),
        ))
    });
    edges.sort();
    for round in 0..2 {
        let before = near.clone();
        if round == 1 {
            // The second hop: the files the first reached are read whole, and the others again
            // where their heads spell one of those files' module names.
            let reached: Vec<String> = before
                .iter()
                .filter(|r| !hit.contains(&r.as_str()))
                .cloned()
                .collect();
            let names = module_names(reached.iter());
            let finder = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(&names)
                .expect("module names form a valid automaton");
            let by_rel: std::collections::HashMap<&str, &(Entry, Language)> =
                code.iter().map(|f| (f.0.rel.as_str(), f)).collect();
            let redo = crate::par::map(&edges, threads, |(rel, targets)| {
                if !targets.is_empty() || hit.contains(&rel.as_str()) || names.is_empty() {
                    return None;
                }
                let file = *by_rel.get(rel.as_str())?;
                let whole = before.contains(rel);
                let found = imports_of(file, (!whole).then_some(&finder));
                (!found.is_empty()).then(|| (rel.clone(), found))
            });
            for (rel, found) in redo {
                if let Ok(i) = edges.binary_search_by(|(r, _)| r.cmp(&rel)) {
                    edges[i].1 = found;
                }
            }
        }
        for (rel, targets) in &edges {
            if before.contains(rel) {
                near.extend(targets.iter().cloned());
            } else if targets.iter().any(|t| before.contains(t)) {
                near.insert(rel.clone());
            }
        }
        let go: Vec<String> = near
            .iter()
            .filter(|p| p.ends_with(".go"))
            .flat_map(|p| index.package_mates(p))
            .collect();
        near.extend(go);
    }
    code.iter()
        .filter(|(e, _)| near.contains(&e.rel))
        .cloned()
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A tree of code files, as the walk would hand them over.
    fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<(Entry, Language)>) {
        let dir = tempfile::tempdir().unwrap();
        let mut code = Vec::new();
        for (rel, text) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            let lang = crate::lang::detect_language(Path::new(rel), text.as_bytes());
            code.push((
                Entry {
                    path,
                    rel: rel.to_string(),
                },
                lang,
            ));
        }
        (dir, code)
    }

    #[test]
    fn links_follow_imports_both_ways_and_go_packages() {
        let (_dir, code) = tree(&[
            (
                "src/client.js",
                "const BASE = 'https://api.oxapay.com';\nconst t = require('./types');\n",
            ),
            ("src/types.js", "module.exports = {};\n"),
            ("src/job.js", "const { lookup } = require('./client');\n"),
            ("src/other.js", "const x = require('./unrelated');\n"),
            (
                "pkg/cryptomus.go",
                "package pay\nconst API = \"https://api.cryptomus.com\"\n",
            ),
            ("pkg/payment.go", "package pay\n"),
        ]);
        let anchors: BTreeMap<String, Anchor> = [
            ("src/client.js", Provider::Oxapay),
            ("pkg/cryptomus.go", Provider::Cryptomus),
        ]
        .into_iter()
        .map(|(p, provider)| {
            (
                p.to_string(),
                Anchor {
                    providers: vec![provider],
                    line: 1,
                },
            )
        })
        .collect();
        let links = link(&anchors, &code, 2);
        let linked: Vec<&str> = links.keys().map(String::as_str).collect();
        assert_eq!(linked, vec!["pkg/payment.go", "src/job.js", "src/types.js"]);
        assert_eq!(links["src/job.js"].providers, vec![Provider::Oxapay]);
        assert!(links["src/job.js"]
            .via
            .what
            .starts_with("imports src/client.js"));
        assert!(links["src/types.js"]
            .via
            .what
            .starts_with("imported by src/client.js"));
    }

    #[test]
    fn nearby_is_two_import_hops_from_the_hit_files() {
        let (_dir, code) = tree(&[
            ("src/config.js", "const BASE = 'https://api.oxapay.com';\n"),
            ("src/gateway.js", "const { BASE } = require('./config');\n"),
            ("src/job.js", "const { lookup } = require('./gateway');\n"),
            ("src/far.js", "const j = require('./job');\n"),
            ("src/alone.js", "console.log('hi');\n"),
        ]);
        let near = nearby(&code, &["src/config.js"], 2);
        let rels: Vec<&str> = near.iter().map(|(e, _)| e.rel.as_str()).collect();
        assert_eq!(rels, vec!["src/config.js", "src/gateway.js", "src/job.js"]);
    }
}
