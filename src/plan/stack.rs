//! Stack detection: which ecosystems hold the provider code (from manifests, falling back to the
//! files' languages), their package manager and frameworks, and the MakePay SDK install line.
//!
//! Only stacks that own a file with findings are reported: a Laravel app's `package.json` for
//! front-end assets must not suggest `npm install` for PHP payment code.

use super::facts::{facts, Ecosystem};
use super::source::SourceFile;
use crate::lang::Language;
use crate::walk::{self, WalkOptions};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

/// One ecosystem rooted at one directory.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Stack {
    /// `node`, `deno`, `php`, `python`, `go`, `rust`, `jvm`, `dotnet`, `ruby` or `swift`.
    pub ecosystem: String,
    /// Human name of the ecosystem.
    pub name: String,
    /// Directory of the manifests, relative to the root (`""` for the root itself).
    pub directory: String,
    /// Manifest paths relative to the root; empty when none was found.
    pub manifests: Vec<String>,
    pub package_manager: Option<String>,
    pub frameworks: Vec<String>,
    pub test_runner: Option<String>,
    /// Languages of this stack's files with findings.
    pub languages: Vec<Language>,
    /// MakePay SDK install line; `null` where the guides list no SDK (call the API directly).
    pub sdk_install: Option<String>,
    /// Files with findings that belong to this stack.
    pub files_with_findings: usize,
}

impl Stack {
    /// "Node.js (Express, npm)", with the directory when it is not the root.
    pub fn label(&self) -> String {
        let mut parts: Vec<&str> = self.frameworks.iter().map(String::as_str).collect();
        if let Some(pm) = &self.package_manager {
            parts.push(pm);
        }
        let place = if self.directory.is_empty() {
            String::new()
        } else {
            format!(" in `{}/`", self.directory)
        };
        if parts.is_empty() {
            format!("{}{place}", self.name)
        } else {
            format!("{}{place} ({})", self.name, parts.join(", "))
        }
    }
}

/// A manifest found by the walk.
struct Manifest {
    rel: String,
    dir: String,
    ecosystem: &'static Ecosystem,
    text: String,
}

/// Directories whose manifests belong to dependencies, not to the project.
const VENDORED: [&str; 5] = ["node_modules", "vendor", ".venv", "venv", "site-packages"];

/// Detects the stacks owning `files` under `root`.
pub fn detect(root: &Path, walk_opts: &WalkOptions, files: &[&SourceFile]) -> Vec<Stack> {
    let manifests = find_manifests(root, walk_opts);
    // (directory, ecosystem id) -> files it owns
    let mut owned: BTreeMap<(String, &'static str), Vec<&SourceFile>> = BTreeMap::new();
    for &file in files {
        if let Some(key) = owner(file, &manifests) {
            owned.entry(key).or_default().push(file);
        }
    }
    owned
        .into_iter()
        .map(|((dir, eco_id), owned_files)| {
            let eco = facts().ecosystem(eco_id).expect("owner returns known ids");
            let here: Vec<&Manifest> = manifests
                .iter()
                .filter(|m| m.dir == dir && m.ecosystem.id == eco_id)
                .collect();
            stack(root, eco, dir, &here, &owned_files)
        })
        .collect()
}

/// The (manifest directory, ecosystem) that owns `file`: its own when it is a manifest, else the
/// deepest manifest above it whose
/// ecosystem serves the file's language; without one, the root and the ecosystem its language
/// (and source markers) suggest.
fn owner(file: &SourceFile, manifests: &[Manifest]) -> Option<(String, &'static str)> {
    if let Some(m) = manifests.iter().find(|m| m.rel == file.path) {
        return Some((m.dir.clone(), m.ecosystem.id.as_str()));
    }
    let serving: Vec<&'static Ecosystem> = facts()
        .ecosystems
        .iter()
        .filter(|e| e.serves(file.language, &file.path))
        .collect();
    if serving.is_empty() {
        return None;
    }
    let best = manifests
        .iter()
        .filter(|m| serving.iter().any(|e| e.id == m.ecosystem.id))
        .filter(|m| m.dir.is_empty() || file.path.starts_with(&format!("{}/", m.dir)))
        .max_by_key(|m| m.dir.len());
    if let Some(m) = best {
        return Some((m.dir.clone(), m.ecosystem.id.as_str()));
    }
    let hinted = facts()
        .ecosystem_hints
        .iter()
        .filter(|h| h.marker.is_match(&file.text))
        .find_map(|h| serving.iter().find(|e| e.id == h.ecosystem));
    let eco = hinted.copied().unwrap_or(serving[0]);
    Some((String::new(), eco.id.as_str()))
}

fn stack(
    root: &Path,
    eco: &'static Ecosystem,
    dir: String,
    manifests: &[&Manifest],
    files: &[&SourceFile],
) -> Stack {
    let text: String = manifests.iter().map(|m| m.text.as_str()).collect();
    let pm = eco
        .package_managers
        .iter()
        .find(|pm| {
            pm.when_present
                .iter()
                .any(|f| root.join(&dir).join(f).is_file())
        })
        .or(eco.package_managers.first());
    let mut frameworks: Vec<String> = eco
        .frameworks
        .iter()
        .filter(|f| f.marker.is_match(&text))
        .map(|f| f.name.clone())
        .collect();
    for sf in facts()
        .source_frameworks
        .iter()
        .filter(|s| s.ecosystem == eco.id)
    {
        if !frameworks.contains(&sf.name) && files.iter().any(|f| sf.marker.is_match(&f.text)) {
            frameworks.push(sf.name.clone());
        }
    }
    if frameworks.is_empty() {
        frameworks.extend(eco.default_framework.clone());
    }
    let test_runner = eco
        .test_runners
        .iter()
        .find(|t| t.marker.is_match(&text))
        .map(|t| t.name.clone())
        .or_else(|| eco.default_test_runner.clone());
    let mut languages: Vec<Language> = files.iter().map(|f| f.language).collect();
    languages.sort();
    languages.dedup();
    Stack {
        ecosystem: eco.id.clone(),
        name: eco.name.clone(),
        directory: dir,
        manifests: manifests.iter().map(|m| m.rel.clone()).collect(),
        package_manager: pm.map(|p| p.id.clone()),
        frameworks,
        test_runner,
        languages,
        sdk_install: pm.and_then(|p| p.install.clone()),
        files_with_findings: files.len(),
    }
}

/// Every project manifest under `root`, sorted by path.
fn find_manifests(root: &Path, opts: &WalkOptions) -> Vec<Manifest> {
    let found: Mutex<Vec<Manifest>> = Mutex::new(Vec::new());
    let visit = |entry: walk::Entry| {
        let mut parts: Vec<&str> = entry.rel.split('/').collect();
        let name = parts.pop().unwrap_or_default();
        if parts.iter().any(|p| VENDORED.contains(p)) {
            return;
        }
        let Some(eco) = facts().ecosystems.iter().find(|e| e.is_manifest(name)) else {
            return;
        };
        let Ok(text) = crate::encoding::read_to_string(&entry.path) else {
            return;
        };
        found.lock().unwrap().push(Manifest {
            dir: parts.join("/"),
            rel: entry.rel,
            ecosystem: eco,
            text,
        });
    };
    // A manifest that cannot be listed or read only makes detection coarser; the scan already
    // reported unreadable paths.
    let ignore_errors = |_: String| {};
    let roots = [root.to_path_buf()];
    if walk::walk(&roots, root, opts, &visit, &ignore_errors).is_err() {
        return Vec::new();
    }
    let mut all = found.into_inner().unwrap();
    all.sort_by(|a, b| a.rel.cmp(&b.rel));
    all
}
