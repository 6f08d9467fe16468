//! The provider graph's environment edge (see [`crate::graph::env`]).

use super::*;

/// The provider graph's environment edge: a key that a provider finding reads from the
/// environment (`merchantId: process.env.MERCHANT_ID` in `new CryptomusClient({...})`) is the
/// provider's wherever a dotenv file defines it (`.env.example`), though its name never says
/// so: that line is where the migration puts MakePay's keys beside the legacy ones. Only keys
/// (and names that spell the provider) count: a URL under a generic name is usually the app's
/// own (`PUBLIC_URL` in a callback URL).
pub(super) fn env_definitions(
    rules: &RuleSet,
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    env: &[Entry],
) {
    if env.is_empty() {
        return;
    }
    // Variable → (provider, category, where it is read).
    let mut read: BTreeMap<String, (Provider, Category, String, usize)> = BTreeMap::new();
    for (entry, r) in with_results(results, code) {
        let live: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info && f.category != Category::Other)
            .collect();
        if live.is_empty() {
            continue;
        }
        let Ok(src) = crate::encoding::read_to_string(&entry.path) else {
            continue;
        };
        let lines: Vec<&str> = src.lines().collect();
        for f in live {
            for n in f.line..=f.end_line.max(f.line) {
                for name in graph::env::reads(lines.get(n - 1).unwrap_or(&"")) {
                    if let Some(category) = graph::env::category_of(name, f.provider, f.category) {
                        read.entry(name.to_string()).or_insert((
                            f.provider,
                            category,
                            entry.rel.clone(),
                            n,
                        ));
                    }
                }
            }
        }
    }
    if read.is_empty() {
        return;
    }
    let mut derived: Vec<(String, Finding)> = Vec::new();
    for entry in env {
        let Some(file) = Revisited::read(entry, Language::Env) else {
            continue;
        };
        let (src, lines, builder) = (&file.src, &file.lines, file.builder());
        let known = results.get(&entry.rel);
        for (i, line) in src.lines().enumerate() {
            let Some((name, at)) = graph::env::defined(line) else {
                continue;
            };
            let Some((provider, category, path, read_at)) = read.get(name) else {
                continue;
            };
            if known.is_some_and(|r| r.findings.iter().any(|f| f.line == i + 1)) {
                continue;
            }
            let head = Head {
                rule: format!("{}-env-definition", provider.id()),
                provider: *provider,
                category: *category,
                severity: Severity::Warning,
                confidence: Confidence::Medium,
                message: format!("`{name}` is read by {provider} code ({path}:{read_at})"),
                replacement: replacement_for(rules.rules(), *provider, *category),
            };
            let start = lines.line_range(src, i).start + at;
            let mut finding = builder.make(head, &(start..start + name.len()), None);
            finding.via.push(crate::finding::Via {
                path: path.clone(),
                line: *read_at,
                what: format!("reads {name}"),
            });
            derived.push((entry.rel.clone(), finding));
        }
    }
    for (rel, finding) in derived {
        let result = results.entry(rel).or_default();
        result.findings.push(finding);
        assign_fingerprints(&mut result.findings);
    }
}
