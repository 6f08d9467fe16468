//! The tera templates a brief is rendered with: the embedded set, then the user's overrides.
//!
//! Every template is registered under its file name so `{% include "map.md" %}` finds an
//! override from `--templates DIR` as readily as the embedded file; `--template FILE` is
//! registered under its own path and becomes the entry point.

use super::BriefError;
use crate::template_error;
use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tera::Tera;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/brief");

/// The embedded entry template.
const ENTRY: &str = "brief.md";

/// User-supplied templates, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct TemplateOverrides {
    /// `--template FILE`: replaces the entry template; it may include the section templates.
    pub entry: Option<PathBuf>,
    /// `--templates DIR`: each file replaces the embedded template of the same name, or adds one.
    pub dir: Option<PathBuf>,
}

/// A loaded template set, and where each template came from for error messages.
pub struct Templates {
    tera: Tera,
    entry: String,
    origins: BTreeMap<String, String>,
}

impl Templates {
    pub fn load(overrides: &TemplateOverrides) -> Result<Templates, BriefError> {
        let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
        for file in EMBEDDED.files() {
            let name = file.path().to_string_lossy().into_owned();
            let text = file.contents_utf8().unwrap_or_default().to_string();
            sources.insert(
                name.clone(),
                (format!("templates/brief/{name} (embedded)"), text),
            );
        }
        if let Some(dir) = &overrides.dir {
            for path in dir_files(dir)? {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text = read(&path)?;
                sources.insert(name, (path.display().to_string(), text));
            }
        }
        let entry = match &overrides.entry {
            Some(path) => {
                let name = path.display().to_string();
                sources.insert(name.clone(), (name.clone(), read(path)?));
                name
            }
            None => ENTRY.to_string(),
        };
        let origins: BTreeMap<String, String> = sources
            .iter()
            .map(|(name, (origin, _))| (name.clone(), origin.clone()))
            .collect();
        let mut tera = Tera::new();
        // Briefs are Markdown: escaping HTML would corrupt `<unix timestamp>` and `->`.
        tera.autoescape_on(Vec::<&str>::new());
        let mut templates = Templates {
            tera,
            entry,
            origins,
        };
        let raw: Vec<(&String, &String)> = sources
            .iter()
            .map(|(name, (_, text))| (name, text))
            .collect();
        if let Err(e) = templates.tera.add_raw_templates(raw) {
            return Err(templates.error(e));
        }
        Ok(templates)
    }

    /// Renders the entry template.
    pub fn render(&self, context: &tera::Context) -> Result<String, BriefError> {
        self.tera
            .render(&self.entry, context)
            .map_err(|e| self.error(e))
    }

    /// Turns a tera error into one that names the template file, line and column first.
    fn error(&self, err: tera::Error) -> BriefError {
        match template_error::locate(&err, &self.origins) {
            Some(at) => BriefError::Template {
                location: at.location,
                message: at.message,
                excerpt: at.excerpt,
            },
            None => BriefError::TemplateSet(template_error::set_message(&err)),
        }
    }
}

fn read(path: &Path) -> Result<String, BriefError> {
    std::fs::read_to_string(path).map_err(|source| BriefError::ReadTemplate {
        path: path.to_path_buf(),
        source,
    })
}

/// Regular files directly inside `dir`, sorted so a load is deterministic.
fn dir_files(dir: &Path) -> Result<Vec<PathBuf>, BriefError> {
    let entries = std::fs::read_dir(dir).map_err(|source| BriefError::ReadTemplate {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| BriefError::ReadTemplate {
            path: dir.to_path_buf(),
            source,
        })?;
        if entry.path().is_file() {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}
