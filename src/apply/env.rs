//! `.env.example`-style files: where a template already lists OXAPAY_/CRYPTOMUS_ variables, the
//! MakePay ones are added right after them, without values (secrets never go in templates).

use super::edit::Edit;
use super::textfile::TextFile;
use crate::text::LineIndex;
use regex::Regex;
use std::path::Path;
use std::sync::LazyLock;

/// The variables the scaffolds read, in the order they are added.
pub const MAKEPAY_VARS: [&str; 3] = [
    "MAKEPAY_KEY_ID",
    "MAKEPAY_KEY_SECRET",
    "MAKEPAY_WEBHOOK_SECRET",
];

static LEGACY_VAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:export\s+)?(?:OXAPAY|CRYPTOMUS)[A-Z0-9_]*\s*=").expect("valid regex")
});

/// Whether a file name is an environment template (`.env.example`, `.env.sample`,
/// `example.env`, `.env.dist`...), not a real `.env` with secrets.
pub fn is_env_template(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    (n.starts_with(".env") || n.ends_with(".env"))
        && ["example", "sample", "dist", "template", "defaults"]
            .iter()
            .any(|w| n.contains(w))
}

/// Environment templates under `root`, relative and `/`-separated, sorted. Hidden files are
/// included (that is where they live); ignore files are honoured.
pub fn env_templates(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = ignore::WalkBuilder::new(root)
        .hidden(false)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_str().is_some_and(is_env_template))
        .filter_map(|e| {
            let rel = e.path().strip_prefix(root).ok()?;
            Some(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            )
        })
        .collect();
    out.sort();
    out
}

/// The insertion of the missing MAKEPAY_* lines after the last legacy-provider line, if any.
pub fn env_edit(file: &TextFile) -> Option<Edit> {
    let text = &file.text;
    let index = LineIndex::new(text);
    let last_legacy = (0..index.line_count())
        .rev()
        .find(|&l| LEGACY_VAR.is_match(&text[index.line_range(text, l)]))?;
    let missing: Vec<&str> = MAKEPAY_VARS
        .iter()
        .copied()
        .filter(|v| {
            let re = Regex::new(&format!(r"(?m)^\s*(?:export\s+)?{v}\s*=")).expect("valid regex");
            !re.is_match(text)
        })
        .collect();
    if missing.is_empty() {
        return None;
    }
    // Inserted before the legacy line's terminator, so a file without a final newline keeps
    // having none.
    let at = index.line_range(text, last_legacy).end;
    let eol = file.eol();
    let lines: String = missing.iter().map(|v| format!("{eol}{v}=")).collect();
    Some(Edit::insert(at, lines, "env"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::edit::apply_edits;

    fn run(src: &str) -> String {
        let f = TextFile::parse(src.as_bytes()).unwrap();
        match env_edit(&f) {
            Some(e) => apply_edits(&f.text, vec![e]).text,
            None => f.text,
        }
    }

    #[test]
    fn adds_missing_lines_after_legacy_block_once() {
        let once = run("APP=1\nOXAPAY_MERCHANT_API_KEY=\nDB=x\n");
        assert_eq!(
            once,
            "APP=1\nOXAPAY_MERCHANT_API_KEY=\nMAKEPAY_KEY_ID=\nMAKEPAY_KEY_SECRET=\nMAKEPAY_WEBHOOK_SECRET=\nDB=x\n"
        );
        assert_eq!(run(&once), once);
    }

    #[test]
    fn keeps_crlf_and_missing_final_newline() {
        assert_eq!(
            run("CRYPTOMUS_KEY=\r\nMAKEPAY_KEY_ID=abc"),
            "CRYPTOMUS_KEY=\r\nMAKEPAY_KEY_SECRET=\r\nMAKEPAY_WEBHOOK_SECRET=\r\nMAKEPAY_KEY_ID=abc"
        );
        assert_eq!(run("OTHER=1\n"), "OTHER=1\n");
    }

    #[test]
    fn recognises_templates_not_real_env_files() {
        assert!(is_env_template(".env.example"));
        assert!(is_env_template("example.env"));
        assert!(is_env_template(".env.sample"));
        assert!(!is_env_template(".env"));
        assert!(!is_env_template(".env.local"));
    }
}
