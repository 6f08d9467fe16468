//! A planned change to one file: its bytes before (none for a new file) and after. Everything
//! downstream (diff, patch file, write) works from this one type.

/// One file's planned change. `path` is relative to the repository root, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    /// `None` when the file is created.
    pub before: Option<Vec<u8>>,
    pub after: Vec<u8>,
    /// Short descriptions of what changed, for the summary (e.g. `webhook scaffold`).
    pub reasons: Vec<String>,
}

impl FileChange {
    pub fn is_create(&self) -> bool {
        self.before.is_none()
    }
}
