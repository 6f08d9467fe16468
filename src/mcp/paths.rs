//! Path confinement: every path a tool receives must lie inside the roots the client allows
//! (MCP `roots/list`), or inside the directory the server was started in when the client
//! declares none. An agent asking for `/home/user` gets an error it can act on, not a scan of
//! the user's home.

use rmcp::model::ErrorData;
use rmcp::service::{Peer, RoleServer};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A client that declares roots but never answers `roots/list` must not hang a tool call.
const ROOTS_TIMEOUT: Duration = Duration::from_secs(10);

/// The directories tools may read and write.
#[derive(Debug, Clone)]
pub struct Roots {
    dirs: Vec<PathBuf>,
}

impl Roots {
    /// The start directory alone, canonicalised so that `..` and symlinks cannot step out.
    pub fn start_dir() -> anyhow::Result<Roots> {
        let cwd = std::env::current_dir()?.canonicalize()?;
        Ok(Roots { dirs: vec![cwd] })
    }

    /// The client's roots when it declares the capability and lists at least one local
    /// directory; otherwise `self` (the start directory).
    // Roots are deprecated by SEP-2577 in the newest protocol revision, but they are what
    // today's clients (Claude Code, VS Code, Cursor) send to say which folders are open.
    #[allow(deprecated)]
    pub async fn for_client(&self, peer: &Peer<RoleServer>) -> Result<Roots, ErrorData> {
        let declares = peer
            .peer_info()
            .is_some_and(|info| info.capabilities.roots.is_some());
        if !declares {
            return Ok(self.clone());
        }
        let listed = tokio::time::timeout(ROOTS_TIMEOUT, peer.list_roots())
            .await
            .map_err(|_| {
                ErrorData::internal_error(
                    "the client declared roots but did not answer roots/list within 10 s",
                    None,
                )
            })?
            .map_err(|e| ErrorData::internal_error(format!("roots/list failed: {e}"), None))?;
        let dirs: Vec<PathBuf> = listed
            .roots
            .iter()
            .filter_map(|r| file_uri_path(&r.uri))
            .filter_map(|p| p.canonicalize().ok())
            .collect();
        if dirs.is_empty() {
            return Ok(self.clone());
        }
        Ok(Roots { dirs })
    }

    /// Resolves `requested` (relative to the first root, or absolute) to an existing canonical
    /// path inside one of the roots.
    pub fn resolve(&self, requested: impl AsRef<Path>) -> Result<PathBuf, ErrorData> {
        let requested = requested.as_ref();
        let canonical = self.dirs[0].join(requested).canonicalize().map_err(|e| {
            ErrorData::invalid_params(
                format!(
                    "{}: {e}; give a path that exists, absolute or relative to {}",
                    requested.display(),
                    self.dirs[0].display()
                ),
                None,
            )
        })?;
        if self.dirs.iter().any(|root| canonical.starts_with(root)) {
            return Ok(canonical);
        }
        Err(ErrorData::invalid_params(
            format!(
                "{} is outside the allowed roots ({}); pass a path inside one of them, or add \
                 the directory as a root in the client (or start the server in it)",
                requested.display(),
                self.list()
            ),
            None,
        ))
    }

    fn list(&self) -> String {
        let shown: Vec<String> = self.dirs.iter().map(|d| d.display().to_string()).collect();
        shown.join(", ")
    }
}

/// The local path of a `file://` URI (percent-escapes decoded); `None` for other schemes.
fn file_uri_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://localhost/x` and `file:///x` both name `/x`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    Some(Path::new(&percent_decode(rest)?).to_path_buf())
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(dir: &Path) -> Roots {
        Roots {
            dirs: vec![dir.canonicalize().unwrap()],
        }
    }

    #[test]
    fn relative_and_absolute_paths_inside_resolve() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("src")).unwrap();
        let r = roots(tmp.path());
        let inside = tmp.path().join("src").canonicalize().unwrap();
        assert_eq!(r.resolve("src").unwrap(), inside);
        assert_eq!(r.resolve(&inside).unwrap(), inside);
        assert_eq!(r.resolve(".").unwrap(), tmp.path().canonicalize().unwrap());
    }

    #[test]
    fn paths_outside_are_refused_with_the_roots_named() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("repo")).unwrap();
        let r = roots(&tmp.path().join("repo"));
        for outside in ["..", "/"] {
            let err = r.resolve(outside).unwrap_err();
            assert!(err.message.contains("outside the allowed roots"), "{err:?}");
        }
        let missing = r.resolve("nope").unwrap_err();
        assert!(missing.message.contains("give a path that exists"));
    }

    #[test]
    fn file_uris_are_decoded() {
        assert_eq!(
            file_uri_path("file:///tmp/my%20repo"),
            Some(PathBuf::from("/tmp/my repo"))
        );
        assert_eq!(
            file_uri_path("file://localhost/x"),
            Some(PathBuf::from("/x"))
        );
        assert_eq!(file_uri_path("https://example.com"), None);
    }
}
