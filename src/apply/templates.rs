//! Scaffold templates: tera 2 files embedded from `templates/apply/<lang>/`, each language
//! listed by a `scaffolds.yaml` manifest (kind, template, output path). `--templates DIR` with the
//! same layout overrides single templates or a whole manifest.
//!
//! Output paths are rendered (they may use the context) and must stay relative and free of
//! `..`; a template that tries to write elsewhere is an error, not a skip. Template errors name
//! the file, line and column, as `brief`'s do.

use super::kind::{ChangeKind, ScaffoldLang};
use super::write::{contained, PathError};
use crate::template_error;
use include_dir::{include_dir, Dir};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/apply");

const MANIFEST: &str = "scaffolds.yaml";

#[derive(Debug, Error)]
pub enum TemplateError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: invalid manifest: {message}")]
    Manifest { path: String, message: String },
    #[error("template {location}: {message}\n{excerpt}")]
    Render {
        location: String,
        message: String,
        excerpt: String,
    },
    /// A problem of the set rather than one spot, such as an include of an unknown template.
    #[error("templates: {0}")]
    Set(String),
    #[error("template output path: {0}")]
    Path(#[from] PathError),
    #[error("no templates for {0}")]
    NoLanguage(ScaffoldLang),
}

/// One manifest entry: render `template` (relative to the language's directory) to `output`
/// (relative to the scaffold directory).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaffoldSpec {
    pub kind: ChangeKind,
    pub template: String,
    pub output: String,
}

/// All templates, ready to render.
pub struct TemplateSet {
    tera: tera::Tera,
    manifests: BTreeMap<String, Vec<ScaffoldSpec>>,
    /// Template name → the file it was read from, for error messages.
    origins: BTreeMap<String, String>,
}

/// A template's file as the user knows it, and its text.
struct Source {
    origin: String,
    text: String,
}

impl TemplateSet {
    /// Loads the embedded templates, then `override_dir`'s on top (same names win).
    pub fn load(override_dir: Option<&Path>) -> Result<TemplateSet, TemplateError> {
        let mut files: BTreeMap<String, Source> = BTreeMap::new();
        collect_embedded(&EMBEDDED, &mut files);
        if let Some(dir) = override_dir {
            collect_dir(dir, dir, &mut files)?;
        }
        let mut manifests = BTreeMap::new();
        let mut tera = tera::Tera::new();
        // Scaffolds are source code: HTML escaping would corrupt every `<` and `&`.
        tera.autoescape_on(Vec::<&str>::new());
        let mut raw = Vec::new();
        for (name, source) in &files {
            match name.strip_suffix(&format!("/{MANIFEST}")) {
                Some(lang) => {
                    let specs: Vec<ScaffoldSpec> =
                        serde_saphyr::from_str(&source.text).map_err(|e| {
                            TemplateError::Manifest {
                                path: source.origin.clone(),
                                message: e.to_string(),
                            }
                        })?;
                    for s in &specs {
                        check_relative(&s.template)?;
                    }
                    manifests.insert(lang.to_string(), specs);
                }
                None => raw.push((name.as_str(), source.text.as_str())),
            }
        }
        let mut set = TemplateSet {
            tera,
            manifests,
            origins: files
                .iter()
                .map(|(n, s)| (n.clone(), s.origin.clone()))
                .collect(),
        };
        if let Err(e) = set.tera.add_raw_templates(raw) {
            return Err(set.error(&e));
        }
        Ok(set)
    }

    pub fn specs(&self, lang: ScaffoldLang) -> Result<&[ScaffoldSpec], TemplateError> {
        self.manifests
            .get(lang.id())
            .map(Vec::as_slice)
            .ok_or(TemplateError::NoLanguage(lang))
    }

    /// Turns a tera error into one that names the template file, line and column first.
    fn error(&self, err: &tera::Error) -> TemplateError {
        match template_error::locate(err, &self.origins) {
            Some(at) => TemplateError::Render {
                location: at.location,
                message: at.message,
                excerpt: at.excerpt,
            },
            None => TemplateError::Set(template_error::set_message(err)),
        }
    }

    /// Renders one scaffold: its output path (checked) and its contents.
    pub fn render(
        &self,
        lang: ScaffoldLang,
        spec: &ScaffoldSpec,
        ctx: &tera::Context,
    ) -> Result<(String, String), TemplateError> {
        let name = format!("{}/{}", lang.id(), spec.template);
        let body = self.tera.render(&name, ctx).map_err(|e| self.error(&e))?;
        let output = tera::Tera::one_off(&spec.output, ctx, false).map_err(|e| {
            TemplateError::Set(format!(
                "output path `{}` of {name}: {}",
                spec.output,
                template_error::set_message(&e)
            ))
        })?;
        check_relative(&output)?;
        Ok((output, body))
    }
}

/// `..` and absolute paths are errors whatever the root: checked against a dummy root.
fn check_relative(path: &str) -> Result<(), PathError> {
    contained(Path::new("."), path).map(|_| ())
}

fn collect_embedded(dir: &Dir<'static>, out: &mut BTreeMap<String, Source>) {
    for file in dir.files() {
        if let Some(text) = file.contents_utf8() {
            let name = slash_path(file.path());
            let origin = format!("templates/apply/{name} (embedded)");
            out.insert(
                name,
                Source {
                    origin,
                    text: text.to_string(),
                },
            );
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn collect_dir(
    base: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, Source>,
) -> Result<(), TemplateError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| TemplateError::Io { path, source }
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io(dir))?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_dir(base, &path, out)?;
        } else {
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            let rel = path.strip_prefix(base).unwrap_or(&path);
            let origin = path.display().to_string();
            out.insert(slash_path(rel), Source { origin, text });
        }
    }
    Ok(())
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_a_webhook_scaffold() {
        let set = TemplateSet::load(None).unwrap();
        for lang in ScaffoldLang::ALL {
            let specs = set.specs(lang).unwrap();
            assert!(
                specs.iter().any(|s| s.kind == ChangeKind::Webhook),
                "{lang}"
            );
        }
    }

    #[test]
    fn override_output_with_parent_dir_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("python")).unwrap();
        std::fs::write(
            dir.path().join("python/scaffolds.yaml"),
            "- { kind: webhook, template: w.py.tera, output: ../../evil.py }\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("python/w.py.tera"), "x = 1\n").unwrap();
        let set = TemplateSet::load(Some(dir.path())).unwrap();
        let spec = &set.specs(ScaffoldLang::Python).unwrap()[0];
        let err = set
            .render(ScaffoldLang::Python, spec, &tera::Context::new())
            .unwrap_err();
        assert!(err.to_string().contains(".."), "{err}");
    }

    #[test]
    fn override_template_with_absolute_name_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("go")).unwrap();
        std::fs::write(
            dir.path().join("go/scaffolds.yaml"),
            "- { kind: webhook, template: /etc/passwd, output: x.go }\n",
        )
        .unwrap();
        assert!(TemplateSet::load(Some(dir.path())).is_err());
    }
}
