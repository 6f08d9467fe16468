//! What a mention of the provider's name is, judged by what its line does rather than by the
//! word. The identifier rules report every place code names the provider; many of those lines
//! ask for no change: the repository's own namespace, a plugin's text domain, a package's own
//! name, a log message. Those would bury the lines that do touch the provider, so they are
//! dropped (names) or demoted to `info` (messages); `--mentions` brings the names back for the
//! removal step's full inventory.

use crate::finding::{Category, Finding, Mention, Provider, Severity};
use crate::lang::SyntaxView;
use crate::text::LineIndex;
use regex::Regex;
use std::collections::HashSet;
use std::ops::RangeInclusive;
use std::sync::OnceLock;

/// Whether the finding is a bare mention of the provider's name, the only kind judged here.
pub fn is_mention(f: &Finding) -> bool {
    f.category == Category::Other
        && (f.rule.ends_with("-identifier") || f.rule.ends_with("-identifier-string"))
}

/// Whether the finding is a provider host or address (`dev@oxapay.com`, `https://oxapay.com`):
/// judged only where it is a package's metadata (its authors, homepage, issue tracker).
fn is_host(f: &Finding) -> bool {
    f.rule.ends_with("-host")
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("mention patterns are valid"))
}

/// `namespace Vendor\OxaPay;`, `package com.x.cryptomus`, `module Cryptomus`, `mod oxapay;`.
pub fn declares_namespace(line: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"^\s*(?:(?:namespace|package)\s+[\w.\\]+\s*[;{]?|module\s+[\w:]+|(?:pub(?:\([\w ]+\))?\s+)?mod\s+\w+\s*[;{])\s*$",
    )
    .is_match(line)
}

/// The namespace or package a declaration line declares (`namespace Acme.Pay.Cryptomus;`,
/// `package com.x.cryptomus.util;`, `namespace Vendor\OxaPay\Helpers;`).
fn declared_namespace(line: &str) -> Option<&str> {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, r"^\s*(?:namespace|package)\s+([\w.\\]+)\s*[;{]?\s*$")
        .captures(line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// The module path an import line brings in (`using Acme.Pay.Cryptomus.Internal;`,
/// `import com.x.cryptomus.util.Money;`, `use Vendor\OxaPay\Helpers\Price;`).
fn imported_path(line: &str) -> Option<&str> {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"^\s*(?:using|import|use)\s+(?:static\s+)?([\w.\\]+?)(?:\.\*)?\s*;?\s*$",
    )
    .captures(line)
    .and_then(|c| c.get(1))
    .map(|m| m.as_str())
}

/// A translation call (`__()`, `esc_html_e()`, `gettext`, `t('...')`) or an asset or page
/// registration (`wp_enqueue_style('x-oxapay-css')`) opens before `col` on the line: the
/// mention is its text domain, key or handle.
fn in_i18n_or_asset_call(line: &str, col: usize) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let opener = re(
        &RE,
        r"(?:^|[^\w$>.:])(?:__|_e|_x|_ex|_n|_nx|esc_html__|esc_html_e|esc_html_x|esc_attr__|esc_attr_e|esc_attr_x|gettext|ngettext|dgettext|trans|trans_choice|t|\$t|i18n\.t|translate|load_plugin_textdomain|wp_(?:enqueue|register|localize|add_inline)_(?:script|style)|add_(?:sub)?menu_page|add_options_page|register_setting|add_settings_section|add_settings_field|settings_fields|do_settings_sections)\s*\(",
    );
    opener.find_iter(line).any(|m| m.end() <= col)
}

/// A literal that is an asset handle (`'gf-oxapay-custom-css'`), whatever holds it.
fn names_asset_handle(line: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r#"(?i)['"][\w-]*(?:oxapay|cryptomus)[\w-]*-(?:css|js|style|styles|script|scripts)['"]"#,
    )
    .is_match(line)
}

/// A log, exception, print or flash call opens before `col`: the mention is its message (or
/// the category of a typed logger, `ILogger<CryptomusClient>`).
fn in_message_call(line: &str, col: usize) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let opener = re(
        &RE,
        r"(?:(?:^|[^\w$])(?:log|logger|logging|console|Log|LOG|_logger|error_log|print|println|printf|fprintf|puts|echo|die|warn|warning|info|debug|notice|error|fatal|critical|flash|abort|panic|Errorf|Fatalf|Printf|Println|errors\.New|wc_add_notice|add_error|addError|message|Message|alert)\w*(?:\.\w+)*\s*\(|throw\s+new\s+[\w\\]+\s*\(|raise\s+\w+\s*\(|(?:^|[^\w])I?Logger\s*<)",
    );
    opener.find_iter(line).any(|m| m.end() <= col)
}

/// The file's name, lower-cased.
fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase()
}

/// A compose file: its services' container names, images and their own databases' credentials
/// are the deployment's names; a provider host in it is configuration and stays a finding.
fn is_compose(path: &str) -> bool {
    let file = file_name(path);
    (file.starts_with("docker-compose") || file.starts_with("compose."))
        && (file.ends_with(".yml") || file.ends_with(".yaml"))
}

/// Manifest and packaging metadata: a package's description, keywords, authors and their
/// addresses, homepage, repository, issue tracker, autoload namespace. A package's own `name`
/// stays a finding: in a provider SDK's repository it is the very package the apps depend on.
fn is_manifest_metadata(path: &str, line: &str) -> bool {
    static KEYS: OnceLock<Regex> = OnceLock::new();
    static AUTOLOAD: OnceLock<Regex> = OnceLock::new();
    let file = file_name(path);
    let manifest = matches!(
        file.as_str(),
        "package.json"
            | "composer.json"
            | "setup.py"
            | "setup.cfg"
            | "pyproject.toml"
            | "cargo.toml"
            | "bot.json"
            | "app.json"
            | "manifest.json"
            | "plugin.json"
    ) || file.ends_with(".gemspec")
        || file.ends_with(".csproj")
        || file.ends_with(".nuspec");
    manifest
        && (re(
            &KEYS,
            r#"^\s*(?:\w+\.)?["']?(?:description|keywords|homepage|repository|url|author|authors|email|author_email|maintainer_email|support|issues|bugs|source|docs|documentation|funding|git_remote|summary|title|namespace|RootNamespace|AssemblyName|Product|Title)["']?\s*[:=]|<(?:RootNamespace|AssemblyName|Product|Title|Description|PackageProjectUrl|RepositoryUrl)>"#,
        )
        .is_match(line)
            || re(&AUTOLOAD, r#"^\s*"[\w\\]+\\\\"\s*:"#).is_match(line))
}

/// The byte offset in `line` of the 1-based character `column` a finding reports.
fn byte_column(line: &str, column: usize) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}

/// The word (identifier characters) around byte `col` of `line`.
fn word_at(line: &str, col: usize) -> &str {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let col = col.min(line.len());
    let start = line[..col]
        .rfind(|c: char| !is_word(c))
        .map_or(0, |i| i + 1);
    let end = line[col..]
        .find(|c: char| !is_word(c))
        .map_or(line.len(), |i| col + i);
    &line[start..end]
}

/// `class OxaPayCurrencyHelper`, `function cryptomus_format_price(`: the mention is the name a
/// utility class (by its name) or a function of the repository's own declares on this line. (In a file whose path
/// names the provider, `src/Http/OxaPayClient.php`, such names are the client's own: the
/// caller does not ask.) Returns the lines of its
/// body: whether it is a touchpoint depends on whether provider evidence turns up there, which
/// the provider graph may add after this file's own analysis.
fn declared_namesake(
    view: &SyntaxView,
    lines: &LineIndex,
    src: &str,
    f: &Finding,
) -> Option<RangeInclusive<usize>> {
    let range = lines.line_range(src, f.line - 1);
    let line = &src[range.clone()];
    let word = word_at(line, byte_column(line, f.column));
    let on_line = |offset: usize| lines.line_of(offset) + 1 == f.line;
    let at = range.start + (line.len() - line.trim_start().len());
    // `function oxapay()`, `class Cryptomus`: the provider's own name is its client or facade.
    if Provider::ALL
        .iter()
        .any(|p| word.eq_ignore_ascii_case(p.id()))
    {
        return None;
    }
    let class = view
        .class_at(at)
        .map(|k| &view.classes()[k])
        .filter(|c| on_line(c.range.start) && c.name == word);
    let body = match class {
        // A type that extends or implements another (`class CryptomusError(Exception)`,
        // `OxaPayServiceProvider extends ServiceProvider`) plays a part in a framework or an
        // SDK's hierarchy; a helper of the app's own stands alone.
        Some(c) if inherits(&src[c.range.start..], &c.name) || !names_a_helper(&c.name) => {
            return None
        }
        Some(c) => c.range.clone(),
        None => {
            let g = view
                .functions()
                .iter()
                .find(|g| on_line(g.name_at) && g.short_name() == word)?;
            // A method of a provider-named class (`RCP_OxaPay::OxaPay_Register`) is that
            // class's: the class decides.
            let in_named_class = view.class_at(g.range.start).is_some_and(|k| {
                !super::context::named_by_text(view.classes()[k].name.as_bytes()).is_empty()
            });
            if in_named_class {
                return None;
            }
            g.range.clone()
        }
    };
    Some(lines.line_of(body.start) + 1..=lines.line_of(body.end.max(body.start + 1) - 1) + 1)
}

/// Whether a type's name says it is a utility of the app's own (`Acme_OxaPay_Price_Tools`,
/// `CryptomusCurrencyHelper`) rather than a part of the provider's API (`CryptomusResponse<T>`,
/// `OxaPayWebhookPayload`, whose generic fields no rule reports).
fn names_a_helper(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "helper", "util", "tool", "format", "convert", "price", "currency", "money", "display",
        "render", "widget", "template", "locale", "i18n", "cache", "logger",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Whether the type declaration at the start of `decl` is an interface or trait, or names a
/// base type after its name: `extends`/`implements`, a Python base list, a C#/Kotlin `:`,
/// Ruby's `<`.
fn inherits(decl: &str, name: &str) -> bool {
    let header_end = decl.find(['{', '\n']).unwrap_or(decl.len());
    let header = &decl[..header_end];
    let Some((before, raw)) = header
        .find(name)
        .map(|i| (&header[..i], &header[i + name.len()..]))
    else {
        return false;
    };
    let after = raw.trim_start();
    // An interface or trait is the contract a client implements: part of a hierarchy too.
    before.contains("interface ")
        || before.contains("trait ")
        || after.starts_with('(') && !after.starts_with("()")
        || after.starts_with(':') && !after.starts_with("::")
        || raw.starts_with(" < ") // Ruby's `class OxaPayError < StandardError`, not a generic
        || after.contains("extends ")
        || after.contains("implements ")
}

/// What one mention was judged to be, by line, column and rule (findings are rebuilt when the
/// provider graph re-analyses a file, so they are matched by position).
#[derive(Debug, Clone)]
pub struct Judged {
    line: usize,
    column: usize,
    rule: String,
    /// The identifier the mention is part of (`Acme_OxaPay_Price_Tools`).
    word: String,
    /// The namespace its line declares, if it is a namespace or package declaration.
    declares: Option<String>,
    verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq)]
enum Verdict {
    /// Code that touches the provider, unless it refers to a standalone helper.
    Code,
    Name,
    Message,
    /// A provider-named class or function: a name unless provider evidence lies in these lines.
    Namesake(RangeInclusive<usize>),
    /// An import of a module path: a name when the repository declares that namespace only in
    /// files with no provider evidence (its own helpers), else code.
    Import(String),
}

/// Judges the file's mentions by their lines, and the provider hosts that are a package's own
/// metadata (its authors' addresses, homepage, issue tracker) as names. The findings stay as they are for now: a
/// namespace line or a log message is still evidence that the file or function is the
/// provider's code for the provider graph's edges; [`settle`] applies the verdicts at the end.
pub fn judge(findings: &[Finding], view: &SyntaxView, lines: &LineIndex, src: &str) -> Vec<Judged> {
    findings
        .iter()
        .filter(|f| f.severity > Severity::Info && (is_mention(f) || is_host(f)))
        .filter_map(|f| {
            let line = &src[lines.line_range(src, f.line - 1)];
            let metadata =
                is_manifest_metadata(&f.path, line) || (is_mention(f) && is_compose(&f.path));
            if !is_mention(f) && !metadata {
                return None;
            }
            let col = byte_column(line, f.column);
            let verdict = if declares_namespace(line)
                || metadata
                || in_i18n_or_asset_call(line, col)
                || names_asset_handle(line)
            {
                Verdict::Name
            } else if let Some(body) = declared_namesake(view, lines, src, f) {
                Verdict::Namesake(body)
            } else if in_message_call(line, col) {
                Verdict::Message
            } else if let Some(path) = imported_path(line) {
                Verdict::Import(path.to_string())
            } else {
                Verdict::Code
            };
            Some(Judged {
                line: f.line,
                column: f.column,
                rule: f.rule.clone(),
                word: word_at(line, col).to_string(),
                declares: declared_namespace(line).map(str::to_string),
                verdict,
            })
        })
        .collect()
}

/// The verdict of `f`, if it is a judged mention.
fn verdict_of<'a>(judged: &'a [Judged], f: &Finding) -> Option<&'a Judged> {
    judged
        .iter()
        .find(|j| j.line == f.line && j.column == f.column && j.rule == f.rule)
}

/// Lines of the file's provider evidence: findings that are not mentions.
fn evidence_lines(findings: &[Finding], judged: &[Judged]) -> Vec<usize> {
    findings
        .iter()
        .filter(|f| {
            f.severity > Severity::Info && verdict_of(judged, f).is_none() && !is_mention(f)
        })
        .map(|f| f.line)
        .collect()
}

/// The provider-named classes and functions of the whole repository whose bodies hold no
/// provider evidence once the provider graph is done: references to them
/// (`Acme_OxaPay_Price_Tools::format(...)`) are the app's own helpers too. With them, the
/// provider-named namespaces that only such files declare (`Acme.Payments.Cryptomus.Internal`):
/// importing one brings in the app's helpers, not the provider.
pub fn standalone_helpers<'a>(
    files: impl Iterator<Item = (&'a [Finding], &'a [Judged])>,
) -> HashSet<String> {
    let mut helpers = HashSet::new();
    let mut working: HashSet<String> = HashSet::new();
    let mut quiet: HashSet<String> = HashSet::new();
    for (findings, judged) in files {
        let evidence = evidence_lines(findings, judged);
        for j in judged {
            if let Verdict::Namesake(body) = &j.verdict {
                if !evidence.iter().any(|l| body.contains(l)) {
                    helpers.insert(j.word.clone());
                }
            }
            if let Some(ns) = &j.declares {
                if evidence.is_empty() {
                    quiet.insert(ns.clone());
                } else {
                    working.insert(ns.clone());
                }
            }
        }
    }
    helpers.extend(quiet.difference(&working).cloned());
    helpers
}

/// Applies the verdicts to a file's final findings: names (and references to `helpers`) leave
/// them, returned at `info`; messages are demoted to `info`. Returns the names and the number
/// demoted.
pub fn settle(
    findings: &mut Vec<Finding>,
    judged: &[Judged],
    helpers: &HashSet<String>,
) -> (Vec<Finding>, usize) {
    let mut names = Vec::new();
    let mut demoted = 0;
    let mut kept = Vec::with_capacity(findings.len());
    for mut f in std::mem::take(findings) {
        let name = match verdict_of(judged, &f) {
            None => false,
            Some(j) => match &j.verdict {
                Verdict::Name => true,
                Verdict::Code | Verdict::Namesake(_) => helpers.contains(&j.word),
                // `using A.B.Internal;` or `import a.b.internal.Money;`: the namespace itself
                // or the one its last segment is a type of.
                Verdict::Import(path) => {
                    helpers.contains(path)
                        || path
                            .rsplit_once(['.', '\\'])
                            .is_some_and(|(ns, _)| helpers.contains(ns))
                        || helpers.contains(&j.word)
                }
                Verdict::Message => {
                    f.severity = Severity::Info;
                    f.mention = Some(Mention::Message);
                    demoted += 1;
                    false
                }
            },
        };
        if name {
            f.severity = Severity::Info;
            f.mention = Some(Mention::Name);
            names.push(f);
        } else {
            kept.push(f);
        }
    }
    *findings = kept;
    (names, demoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_module_declarations() {
        assert!(declares_namespace(
            "namespace PaleLotus.Cryptomus.Net.Internal;"
        ));
        assert!(declares_namespace("package com.example.cryptomus.data;"));
        assert!(declares_namespace("namespace Vendor\\OxaPay {"));
        assert!(declares_namespace("module Cryptomus"));
        assert!(declares_namespace("pub mod oxapay;"));
        assert!(!declares_namespace("use Vendor\\OxaPay\\Client;"));
        assert!(!declares_namespace("const oxapay = require('./oxapay');"));
    }

    #[test]
    fn declared_and_imported_namespaces() {
        assert_eq!(
            declared_namespace("namespace Acme.Payments.Cryptomus.Internal;"),
            Some("Acme.Payments.Cryptomus.Internal")
        );
        assert_eq!(declared_namespace("module Cryptomus"), None);
        assert_eq!(
            imported_path("using Acme.Payments.Cryptomus.Internal;"),
            Some("Acme.Payments.Cryptomus.Internal")
        );
        assert_eq!(
            imported_path("import ru.x.cryptomus.utils.*;"),
            Some("ru.x.cryptomus.utils")
        );
        assert_eq!(imported_path("use Vendor\\OxaPay\\Client as Pay;"), None);
        assert_eq!(imported_path("$c = new OxaPayClient();"), None);
    }

    #[test]
    fn text_domains_and_asset_handles() {
        let line = "<?php esc_html_e('Merchant key', 'oxapay-gateway'); ?>";
        assert!(in_i18n_or_asset_call(line, line.find("oxapay").unwrap()));
        let line = "__( 'Pay', 'some-oxapay-plugin' )";
        assert!(in_i18n_or_asset_call(line, line.find("oxapay").unwrap()));
        let call = "$client = new OxaPayClient(__('x', 'd'));";
        assert!(!in_i18n_or_asset_call(call, call.find("OxaPay").unwrap()));
        assert!(names_asset_handle(
            "$style_handle = 'gf-oxapay-custom-css';"
        ));
        assert!(!names_asset_handle(
            "require_once 'includes/oxapay-client.php';"
        ));
    }

    #[test]
    fn messages_are_calls_that_log_throw_or_print() {
        let line = "logger.error(\"oxapay_failed\", exc_info=True)";
        assert!(in_message_call(line, line.find("oxapay").unwrap()));
        let line = "throw new RuntimeException(\"cryptomus_unavailable\");";
        assert!(in_message_call(line, line.find("cryptomus").unwrap()));
        let line = "$oxapay->createInvoice($data);";
        assert!(!in_message_call(line, line.find("oxapay").unwrap()));
    }

    #[test]
    fn a_type_in_a_hierarchy_is_not_a_standalone_helper() {
        assert!(inherits(
            "class CryptomusError(Exception):\n    pass",
            "CryptomusError"
        ));
        assert!(inherits(
            "class OxaPayServiceProvider extends ServiceProvider {",
            "OxaPayServiceProvider"
        ));
        assert!(inherits(
            "class OxaPayError < StandardError\nend",
            "OxaPayError"
        ));
        assert!(inherits("public class OxaPayHook : IHook {", "OxaPayHook"));
        assert!(inherits(
            "interface OxaPayClientInterface {",
            "OxaPayClientInterface"
        ));
        assert!(!inherits(
            "class OxaPayCurrencyHelper {",
            "OxaPayCurrencyHelper"
        ));
        assert!(!inherits(
            "class Acme_OxaPay_Price {\n",
            "Acme_OxaPay_Price"
        ));
        assert!(!inherits("class CryptomusCache<T> {", "CryptomusCache"));
    }

    #[test]
    fn manifest_metadata_is_the_package_not_the_provider() {
        assert!(is_manifest_metadata(
            "package.json",
            "  \"homepage\": \"https://github.com/x/cryptomus-backend\","
        ));
        assert!(is_manifest_metadata(
            "composer.json",
            "      \"Cryptomus\\\\Api\\\\\": \"src/\""
        ));
        assert!(is_manifest_metadata(
            "composer.json",
            "            \"email\": \"dev@oxapay.com\""
        ));
        assert!(is_manifest_metadata(
            "x/cryptomus.gemspec",
            "  spec.homepage = 'https://github.com/x/cryptomus'"
        ));
        assert!(!is_manifest_metadata(
            "package.json",
            "    \"cryptomus-sdk\": \"^1.2.0\","
        ));
        assert!(is_compose("deploy/docker-compose.yml"));
        assert!(is_compose("compose.yaml"));
        assert!(!is_compose("src/compose.ts"));
        assert!(!is_manifest_metadata("src/pay.js", "name: 'oxapay',"));
    }
}
