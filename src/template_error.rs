//! Where a tera template went wrong, for `brief` and `apply` alike: their template errors start
//! with the template file, line and column, so a broken `--templates` override is found at once
//! instead of by reading the whole file.

use std::collections::BTreeMap;
use tera::{Error, ErrorKind};

/// A template error pinned to one spot of one template file.
#[derive(Debug)]
pub struct Located {
    /// `file:line:column`, the file named as the user knows it.
    pub location: String,
    pub message: String,
    /// tera's excerpt of the line, the spot underlined.
    pub excerpt: String,
}

/// Pins `err` to its spot; `origins` maps template names to the files they were read from
/// (a name not in it stands for itself). `None` for errors of the set as a whole, such as an
/// include of a template that does not exist.
pub fn locate(err: &Error, origins: &BTreeMap<String, String>) -> Option<Located> {
    let (ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r)) = err.kind() else {
        return None;
    };
    let origin = origins
        .get(r.filename())
        .map_or(r.filename(), String::as_str);
    let report = err.to_string();
    // tera's report repeats the message on its first line; keep only the excerpt.
    let excerpt = report.split_once('\n').map_or("", |(_, rest)| rest);
    Some(Located {
        location: format!(
            "{origin}:{}:{}",
            r.span().start_line,
            r.span().start_col + 1
        ),
        message: r.message().to_string(),
        excerpt: excerpt.to_string(),
    })
}

/// The message of an error [`locate`] cannot pin, without tera's `error: ` prefix.
pub fn set_message(err: &Error) -> String {
    err.to_string().trim_start_matches("error: ").to_string()
}
