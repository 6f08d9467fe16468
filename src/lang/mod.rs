//! Languages: detection from a path (and shebang), and the syntax view that tells code from
//! strings and comments and names the function enclosing each offset.
//!
//! Which backend serves a language (tree-sitter, `syn`, or the lexical fallback) is hidden
//! behind [`view::build_view`]; everything downstream only sees a [`view::SyntaxView`].

mod detect;
pub mod lexical;
mod rust_syn;
mod treesitter;
pub mod view;

pub use detect::detect_language;
pub use view::{build_view, FunctionSpan, RegionKind, SyntaxView};

use serde::{Deserialize, Serialize};
use std::fmt;

/// A file format the scanner knows how to read.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Php,
    Javascript,
    Typescript,
    Python,
    Go,
    Java,
    Kotlin,
    Csharp,
    Ruby,
    Rust,
    Env,
    Json,
    Yaml,
    Toml,
    Xml,
    Properties,
    Gradle,
    Requirements,
    Gemfile,
    Gomod,
    Html,
    Markdown,
    /// Dependency lockfiles: only `dependency` rules run, so integrity hashes never match.
    Lockfile,
    /// Any other text file: only `high` (anchor) rules run.
    Text,
}

impl Language {
    pub const ALL: [Language; 24] = [
        Language::Php,
        Language::Javascript,
        Language::Typescript,
        Language::Python,
        Language::Go,
        Language::Java,
        Language::Kotlin,
        Language::Csharp,
        Language::Ruby,
        Language::Rust,
        Language::Env,
        Language::Json,
        Language::Yaml,
        Language::Toml,
        Language::Xml,
        Language::Properties,
        Language::Gradle,
        Language::Requirements,
        Language::Gemfile,
        Language::Gomod,
        Language::Html,
        Language::Markdown,
        Language::Lockfile,
        Language::Text,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Language::Php => "php",
            Language::Javascript => "javascript",
            Language::Typescript => "typescript",
            Language::Python => "python",
            Language::Go => "go",
            Language::Java => "java",
            Language::Kotlin => "kotlin",
            Language::Csharp => "csharp",
            Language::Ruby => "ruby",
            Language::Rust => "rust",
            Language::Env => "env",
            Language::Json => "json",
            Language::Yaml => "yaml",
            Language::Toml => "toml",
            Language::Xml => "xml",
            Language::Properties => "properties",
            Language::Gradle => "gradle",
            Language::Requirements => "requirements",
            Language::Gemfile => "gemfile",
            Language::Gomod => "gomod",
            Language::Html => "html",
            Language::Markdown => "markdown",
            Language::Lockfile => "lockfile",
            Language::Text => "text",
        }
    }

    /// Programming languages have functions; the rest are configuration, manifests and docs.
    pub fn is_code(self) -> bool {
        matches!(
            self,
            Language::Php
                | Language::Javascript
                | Language::Typescript
                | Language::Python
                | Language::Go
                | Language::Java
                | Language::Kotlin
                | Language::Csharp
                | Language::Ruby
                | Language::Rust
        )
    }

    /// Documentation formats, where every provider mention is informational.
    pub fn is_docs(self) -> bool {
        matches!(self, Language::Markdown)
    }

    /// Languages whose source can call each other's functions directly; used to limit the
    /// wrapper call-site pass to files that could import the wrapper.
    pub fn family(self) -> Language {
        match self {
            Language::Typescript => Language::Javascript,
            Language::Kotlin => Language::Java,
            other => other,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
