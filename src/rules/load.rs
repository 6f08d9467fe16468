//! Loading rule packs: the embedded ones, then `--rules DIR` packs that add or override rules.

use super::model::{RawCase, RawPack, RawRule};
use super::LazyRegex;
use super::{Origin, Rule, TestCase};
use crate::finding::{Confidence, Provider};
use crate::lang::RegionKind;
use include_dir::{include_dir, Dir};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// A rule-pack problem, located so the author can jump to it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{file}: {message}")]
    Unlocated { file: String, message: String },
}

/// `(display name, provider implied by the directory, text)` of one pack file.
type PackFile = (String, Option<Provider>, String);

/// Where rules come from besides the embedded packs.
#[derive(Debug, Clone, Default)]
pub struct RuleSource {
    /// Directories given with `--rules`, in order; later ones override earlier ones.
    pub dirs: Vec<PathBuf>,
}

/// Loads the embedded packs, then each directory's packs; a rule with an id that already
/// exists replaces it. Every error found is returned, not just the first.
pub fn load_rules(source: &RuleSource) -> Result<Vec<Rule>, Vec<LoadError>> {
    let mut by_id: BTreeMap<String, Rule> = BTreeMap::new();
    let mut errors = Vec::new();
    merge(embedded_files(), &mut by_id, &mut errors);
    for dir in &source.dirs {
        match dir_files(dir) {
            Ok(files) => merge(files, &mut by_id, &mut errors),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(by_id.into_values().collect())
    } else {
        Err(errors)
    }
}

/// Adds one source's packs to `by_id`: ids must be unique within the source; a later source
/// replaces rules of an earlier one.
fn merge(files: Vec<PackFile>, by_id: &mut BTreeMap<String, Rule>, errors: &mut Vec<LoadError>) {
    let mut seen_here: BTreeMap<String, Origin> = BTreeMap::new();
    for parsed in parse_packs(&files) {
        match parsed {
            Ok(rules) => {
                for rule in rules {
                    if let Some(first) = seen_here.get(&rule.id) {
                        errors.push(located(
                            &rule.origin,
                            format!("duplicate rule id `{}` (first defined at {first})", rule.id),
                        ));
                        continue;
                    }
                    seen_here.insert(rule.id.clone(), rule.origin.clone());
                    by_id.insert(rule.id.clone(), rule);
                }
            }
            Err(mut errs) => errors.append(&mut errs),
        }
    }
}

/// Parses `files` on every core, results in the order of `files`. Loading is the one serial
/// step before a scan can start reading files, and its cost is YAML and regex parsing that
/// splits cleanly by pack.
fn parse_packs(files: &[PackFile]) -> Vec<Result<Vec<Rule>, Vec<LoadError>>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    let next = AtomicUsize::new(0);
    let parsed = Mutex::new(Vec::with_capacity(files.len()));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((name, provider, text)) = files.get(i) else {
                    break;
                };
                let result = parse_pack(name, *provider, text);
                parsed.lock().unwrap().push((i, result));
            });
        }
    });
    let mut parsed = parsed.into_inner().unwrap();
    parsed.sort_by_key(|(i, _)| *i);
    parsed.into_iter().map(|(_, result)| result).collect()
}

/// Every embedded pack, sorted by name.
fn embedded_files() -> Vec<PackFile> {
    let mut files = Vec::new();
    for provider_dir in EMBEDDED.dirs() {
        let provider = provider_dir
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(Provider::from_id);
        for file in provider_dir.files() {
            if is_yaml(file.path()) {
                let text = file.contents_utf8().unwrap_or_default().to_string();
                let name = format!("rules/{}", file.path().display());
                files.push((name, provider, text));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn dir_files(dir: &Path) -> Result<Vec<PackFile>, LoadError> {
    let unlocated = |message: String| LoadError::Unlocated {
        file: dir.display().to_string(),
        message,
    };
    if !dir.is_dir() {
        return Err(unlocated("rules directory does not exist".into()));
    }
    let mut files = Vec::new();
    for entry in walkdir(dir).map_err(|e| unlocated(e.to_string()))? {
        let provider = entry
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(Provider::from_id);
        let text = std::fs::read_to_string(&entry).map_err(|e| LoadError::Unlocated {
            file: entry.display().to_string(),
            message: e.to_string(),
        })?;
        files.push((entry.display().to_string(), provider, text));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// YAML files directly in `dir` and in its provider subdirectories.
fn walkdir(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            for sub in std::fs::read_dir(&path)? {
                let sub = sub?.path();
                if is_yaml(&sub) {
                    out.push(sub);
                }
            }
        } else if is_yaml(&path) {
            out.push(path);
        }
    }
    Ok(out)
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn located(origin: &Origin, message: String) -> LoadError {
    LoadError::Invalid {
        file: origin.file.clone(),
        line: origin.line,
        column: origin.column,
        message,
    }
}

/// Parses and validates one pack (`file` names it in errors; `dir_provider` is the provider its
/// directory implies).
pub fn parse_pack(
    file: &str,
    dir_provider: Option<Provider>,
    text: &str,
) -> Result<Vec<Rule>, Vec<LoadError>> {
    let pack: RawPack = serde_saphyr::from_str(text).map_err(|e| {
        let message = first_line(&e.without_snippet().to_string());
        vec![match e.location() {
            Some(loc) => LoadError::Invalid {
                file: file.to_string(),
                line: loc.line(),
                column: loc.column(),
                message,
            },
            None => LoadError::Unlocated {
                file: file.to_string(),
                message,
            },
        }]
    })?;
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for raw in pack.rules {
        match compile_rule(file, dir_provider, raw) {
            Ok(rule) => rules.push(rule),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// The parser's message without its own trailing position (we print ours first).
fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    match line.rfind(" at line ") {
        Some(i) => line[..i].to_string(),
        None => line.to_string(),
    }
}

fn origin_of<T>(file: &str, spanned: &Spanned<T>) -> Origin {
    Origin {
        file: file.to_string(),
        line: spanned.referenced.line(),
        column: spanned.referenced.column(),
    }
}

fn compile_rule(
    file: &str,
    dir_provider: Option<Provider>,
    raw: RawRule,
) -> Result<Rule, Vec<LoadError>> {
    let origin = origin_of(file, &raw.id);
    let id = raw.id.value.clone();
    let mut errors = Vec::new();
    let mut fail = |o: &Origin, msg: String| errors.push(located(o, msg));

    let valid_id = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_id {
        fail(
            &origin,
            format!("rule id `{id}` must be lowercase kebab-case (a-z, 0-9, -)"),
        );
    }
    let provider = match (raw.provider, dir_provider) {
        (Some(p), Some(d)) if p != d => {
            fail(
                &origin,
                format!(
                    "rule `{id}`: `provider: {}` contradicts its directory `{}`",
                    p.id(),
                    d.id()
                ),
            );
            p
        }
        (Some(p), _) | (None, Some(p)) => p,
        (None, None) => {
            fail(
                &origin,
                format!("rule `{id}`: missing `provider` (oxapay or cryptomus)"),
            );
            Provider::Oxapay
        }
    };

    let alternatives: Vec<&Spanned<String>> = match (&raw.pattern, raw.any.is_empty()) {
        (Some(p), true) => vec![p],
        (None, false) => raw.any.iter().collect(),
        (None, true) if raw.filename.is_some() => Vec::new(),
        (Some(_), false) => {
            fail(
                &origin,
                format!("rule `{id}`: give either `pattern` or `any`, not both"),
            );
            Vec::new()
        }
        (None, true) => {
            fail(
                &origin,
                format!("rule `{id}`: missing `pattern` (or `any`, or `filename`)"),
            );
            Vec::new()
        }
    };

    let mut compile = |key: &str, list: &[&Spanned<String>]| -> Vec<LazyRegex> {
        list.iter()
            .filter_map(|p| match LazyRegex::new(&p.value) {
                Ok(re) => Some(re),
                Err(e) => {
                    let msg = e
                        .to_string()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    fail(
                        &origin_of(file, p),
                        format!("rule `{id}`: invalid regex in `{key}`: {msg}"),
                    );
                    None
                }
            })
            .collect()
    };
    let patterns = compile(
        if raw.pattern.is_some() {
            "pattern"
        } else {
            "any"
        },
        &alternatives,
    );
    let filename = compile("filename", &raw.filename.iter().collect::<Vec<_>>()).pop();
    let all = compile("all", &raw.all.iter().collect::<Vec<_>>());
    let not = compile("not", &raw.not.iter().collect::<Vec<_>>());
    let absent = compile("absent", &raw.absent.iter().collect::<Vec<_>>());

    let mut literals = Vec::new();
    // (An alternative that did not parse is reported above; its literals cannot be known.)
    if raw.confidence == Confidence::High && patterns.len() == alternatives.len() {
        for (alt, re) in alternatives.iter().zip(&patterns) {
            match re.required() {
                Some(l) => literals.extend_from_slice(l),
                None => fail(
                    &origin_of(file, alt),
                    format!(
                        "rule `{id}`: a `high` rule is an anchor and feeds the prefilter, so every \
                         match must contain a literal of at least 3 bytes; `{}` has none",
                        alt.value
                    ),
                ),
            }
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let case = |c: RawCase| match c {
        RawCase::Code(code) => TestCase {
            lang: None,
            path: None,
            code,
        },
        RawCase::Full { lang, path, code } => TestCase { lang, path, code },
    };
    Ok(Rule {
        id,
        provider,
        category: raw.category,
        severity: raw.severity,
        confidence: raw.confidence,
        message: raw.message.trim().to_string(),
        replacement: raw.replacement.trim().to_string(),
        languages: raw.languages,
        regions: raw
            .regions
            .unwrap_or_else(|| vec![RegionKind::Code, RegionKind::String]),
        patterns,
        filename,
        all,
        not,
        absent,
        within: raw.within,
        matches: raw.tests.matches.into_iter().map(case).collect(),
        no_matches: raw.tests.no_match.into_iter().map(case).collect(),
        origin,
        literals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(text: &str) -> Vec<String> {
        parse_pack("x.yaml", Some(Provider::Oxapay), text)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const GOOD: &str = "rules:\n  - id: oxapay-host\n    category: endpoint\n    severity: error\n    confidence: high\n    message: m\n    replacement: r\n    pattern: 'api\\.oxapay\\.com'\n";

    #[test]
    fn good_pack_loads() {
        let rules = parse_pack("x.yaml", Some(Provider::Oxapay), GOOD).unwrap();
        assert_eq!(rules[0].id, "oxapay-host");
        assert_eq!(rules[0].literals, vec!["api.oxapay.com"]);
        assert_eq!(rules[0].origin.line, 2);
    }

    #[test]
    fn unknown_key_is_located() {
        let text = GOOD.replace("    message: m\n", "    mesage: m\n");
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with("x.yaml:6:5: unknown field `mesage`"),
            "{}",
            errs[0]
        );
        assert!(errs[0].contains("mesage"), "{}", errs[0]);
    }

    #[test]
    fn bad_regex_names_rule_and_position() {
        let text = GOOD.replace("'api\\.oxapay\\.com'", "'api(oxapay'");
        let errs = errors_of(&text);
        assert!(errs[0].starts_with("x.yaml:8:14:"), "{}", errs[0]);
        assert!(
            errs[0].contains("rule `oxapay-host`: invalid regex"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn anchor_without_literal_is_rejected() {
        let text = GOOD.replace("'api\\.oxapay\\.com'", "'[a-z]+'");
        assert!(errors_of(&text)[0].contains("feeds the prefilter"));
    }

    #[test]
    fn unknown_category_is_rejected() {
        let text = GOOD.replace("category: endpoint", "category: endpoints");
        let errs = errors_of(&text);
        assert!(errs[0].starts_with("x.yaml:3:"), "{}", errs[0]);
    }
}
