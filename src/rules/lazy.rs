//! Rule regexes are checked when rules load and compiled when first used. A run matches only a
//! few rules against the few files that pass the prefilter, while compiling all of them up
//! front cost more than scanning a 200 MB tree.
//!
//! They match bytes with ASCII classes (`\w`, `\s`, `\b`, `(?i)`): source code identifiers,
//! keys and URLs are ASCII, and Unicode classes multiply the automata's size and build time.

use regex::bytes::{Regex, RegexBuilder};
use std::ops::Deref;
use std::sync::OnceLock;

#[derive(Debug, Clone)]
pub struct LazyRegex {
    source: String,
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    /// Checks the syntax now, so a bad pattern is a load error with its location.
    pub fn new(source: &str) -> Result<Self, Box<regex_syntax::Error>> {
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(source)
            .map_err(Box::new)?;
        Ok(LazyRegex {
            source: source.to_string(),
            compiled: OnceLock::new(),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl Deref for LazyRegex {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            // Syntax was checked at load; what is left is the compiled-size limit, which a
            // hand-written rule pattern does not reach. Fail closed: match nothing, say why.
            RegexBuilder::new(&self.source)
                .unicode(false)
                .build()
                .unwrap_or_else(|e| {
                    eprintln!(
                        "warning: rule pattern `{}` cannot be compiled: {e}",
                        self.source
                    );
                    Regex::new(r"[^\s\S]").expect("an empty class is a valid regex")
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_checked_early_compiled_late() {
        assert!(LazyRegex::new("sign((").is_err());
        let re = LazyRegex::new(r"track_?id").unwrap();
        assert!(re.compiled.get().is_none());
        assert!(re.is_match(b"trackid"));
        assert!(re.compiled.get().is_some());
        assert_eq!(re.as_str(), "track_?id");
    }
}
