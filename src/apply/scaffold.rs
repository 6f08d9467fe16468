//! Scaffolds: where they go (next to the code holding the provider integration), in which
//! language, with which template context, and the files they would create. Existing files are
//! never overwritten, which is also what makes a second run a no-op.

use super::change::FileChange;
use super::kind::{ChangeKind, ScaffoldLang};
use super::templates::{TemplateError, TemplateSet};
use super::write::contained;
use crate::finding::{Category, Finding, Provider};
use crate::lang::detect_language;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Where scaffolds land and in which language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub lang: ScaffoldLang,
    /// Directory relative to the root, `/`-separated; empty for the root itself.
    pub dir: String,
}

/// Chooses the language and directory: the file with most invoice-creation and
/// callback-verification findings (any finding when there are none), in `lang` if given.
/// `dir` overrides the directory. `None` when nothing says which language to write.
pub fn placement(
    findings: &[Finding],
    lang: Option<ScaffoldLang>,
    dir: Option<&str>,
) -> Option<Placement> {
    let in_lang = |f: &&Finding| {
        let l = ScaffoldLang::from_language(detect_language(Path::new(&f.path), b""));
        l.is_some() && (lang.is_none() || l == lang)
    };
    let core = |f: &&Finding| {
        matches!(
            f.category,
            Category::InvoiceCreation | Category::CallbackVerification
        )
    };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings.iter().filter(in_lang).filter(core) {
        *counts.entry(&f.path).or_default() += 1;
    }
    if counts.is_empty() {
        for f in findings.iter().filter(in_lang) {
            *counts.entry(&f.path).or_default() += 1;
        }
    }
    // Most findings first; ties go to the first path in sorted order.
    let best = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(p, _)| *p);
    let lang = lang.or_else(|| {
        best.and_then(|p| ScaffoldLang::from_language(detect_language(Path::new(p), b"")))
    })?;
    let dir = match dir {
        Some(d) => d.trim_end_matches('/').to_string(),
        None => best
            .and_then(|p| p.rsplit_once('/'))
            .map(|(d, _)| d.to_string())
            .unwrap_or_default(),
    };
    Some(Placement { lang, dir })
}

/// The template context: which legacy tables to include and how the repository is set up.
pub fn context(root: &Path, place: &Placement, providers: &BTreeSet<Provider>) -> tera::Context {
    let mut ctx = tera::Context::new();
    let providers: Vec<Provider> = if providers.is_empty() {
        Provider::ALL.to_vec()
    } else {
        providers.iter().copied().collect()
    };
    ctx.insert("oxapay", &providers.contains(&Provider::Oxapay));
    ctx.insert("cryptomus", &providers.contains(&Provider::Cryptomus));
    ctx.insert("legacy", providers[0].id());
    ctx.insert("legacy_name", providers[0].display_name());
    let dir = root.join(&place.dir);
    let ts = place.lang == ScaffoldLang::Typescript;
    let package = nearest_package_json(root, &dir);
    let esm = ts
        || package
            .as_deref()
            .is_some_and(|p| p.contains(r#""type": "module""#) || p.contains(r#""type":"module""#));
    ctx.insert("ts", &ts);
    ctx.insert("esm", &esm);
    ctx.insert("import_suffix", if ts || !esm { "" } else { ".js" });
    let framework = match place.lang {
        ScaffoldLang::Javascript | ScaffoldLang::Typescript => {
            let p = package.unwrap_or_default();
            ["vitest", "jest", "mocha"]
                .into_iter()
                .find(|f| p.contains(&format!("\"{f}\"")))
                .unwrap_or("node")
        }
        ScaffoldLang::Python => "unittest",
        ScaffoldLang::Php => "phpunit",
        ScaffoldLang::Go => "go test",
        ScaffoldLang::Rust => "cargo test",
    };
    ctx.insert("test_framework", framework);
    ctx.insert("go_package", &go_package(&dir));
    ctx
}

fn nearest_package_json(root: &Path, dir: &Path) -> Option<String> {
    dir.ancestors()
        .take_while(|d| d.starts_with(root))
        .find_map(|d| std::fs::read_to_string(d.join("package.json")).ok())
}

/// The package clause of the directory's Go files, so scaffolds compile beside them.
fn go_package(dir: &Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "go") && !p.to_string_lossy().ends_with("_test.go")
        })
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .find_map(|src| {
            src.lines().find_map(|l| {
                l.strip_prefix("package ")
                    .map(|name| name.trim().to_string())
            })
        })
        .unwrap_or_else(|| "makepay".to_string())
}

/// The scaffold files for `kinds`; existing targets become notes, never overwrites.
pub fn plan(
    root: &Path,
    templates: &TemplateSet,
    place: &Placement,
    ctx: &tera::Context,
    kinds: &BTreeSet<ChangeKind>,
) -> Result<(Vec<FileChange>, Vec<String>), TemplateError> {
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    for spec in templates.specs(place.lang)? {
        if !kinds.contains(&spec.kind) {
            continue;
        }
        let (output, body) = templates.render(place.lang, spec, ctx)?;
        let path = if place.dir.is_empty() {
            output
        } else {
            format!("{}/{output}", place.dir)
        };
        if contained(root, &path)?.exists() {
            notes.push(format!(
                "{path}: exists; {} scaffold not overwritten",
                spec.kind
            ));
            continue;
        }
        changes.push(FileChange {
            path,
            before: None,
            after: body.into_bytes(),
            reasons: vec![format!("{} scaffold", spec.kind)],
        });
    }
    Ok((changes, notes))
}
