//! Where webhook secrets come from: an environment variable or a file. Never a flag value, so a
//! secret does not end up in shell history, `ps` output or a CI log of the command line.

use std::fmt;
use std::path::PathBuf;

/// Why a secret could not be loaded; each is a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("environment variable {0} is not set: export the secret in it, or read it from a file (--secret-file / --legacy-secret-file)")]
    Unset(String),
    #[error("environment variable {0} is set but empty")]
    EmptyVar(String),
    #[error("environment variable {0} is not valid UTF-8")]
    NotUnicode(String),
    #[error("cannot read secret file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("secret file {0} is empty")]
    EmptyFile(PathBuf),
}

/// A signing key held only in memory. `Debug` shows its length, never its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// A different key of the same kind, for deliveries that must fail verification.
    pub fn wrong(&self) -> Secret {
        let mut bytes = self.0.clone();
        bytes.extend_from_slice(b"-not-the-real-secret");
        Secret(bytes)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.as_bytes().to_vec())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// Where to read one secret from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Env(String),
    /// The file's content, less one trailing newline (editors add one).
    File(PathBuf),
}

impl SecretSource {
    /// The source two flags name (`--*-secret-env`, `--*-secret-file`); clap keeps them apart.
    /// `None` when neither was given, so each caller picks its own default or error.
    pub fn from_flags(env: Option<&str>, file: Option<&PathBuf>) -> Option<Self> {
        match (env, file) {
            (_, Some(path)) => Some(SecretSource::File(path.clone())),
            (Some(var), None) => Some(SecretSource::Env(var.to_string())),
            (None, None) => None,
        }
    }

    pub fn load(&self) -> Result<Secret, SecretError> {
        match self {
            SecretSource::Env(var) => match std::env::var(var) {
                Ok(v) if v.is_empty() => Err(SecretError::EmptyVar(var.clone())),
                Ok(v) => Ok(Secret(v.into_bytes())),
                Err(std::env::VarError::NotPresent) => Err(SecretError::Unset(var.clone())),
                Err(std::env::VarError::NotUnicode(_)) => Err(SecretError::NotUnicode(var.clone())),
            },
            SecretSource::File(path) => {
                let mut bytes = std::fs::read(path).map_err(|source| SecretError::Read {
                    path: path.clone(),
                    source,
                })?;
                if bytes.ends_with(b"\n") {
                    bytes.pop();
                    if bytes.ends_with(b"\r") {
                        bytes.pop();
                    }
                }
                if bytes.is_empty() {
                    return Err(SecretError::EmptyFile(path.clone()));
                }
                Ok(Secret(bytes))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_secret_loses_one_trailing_newline_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        std::fs::write(&path, "whsec_abc \r\n").unwrap();
        let s = SecretSource::File(path).load().unwrap();
        assert_eq!(s.bytes(), b"whsec_abc ");
    }

    #[test]
    fn empty_file_and_missing_variable_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            SecretSource::File(path).load(),
            Err(SecretError::EmptyFile(_))
        ));
        assert!(matches!(
            SecretSource::Env("MAKEPAY_MIGRATE_TEST_SURELY_UNSET".into()).load(),
            Err(SecretError::Unset(_))
        ));
    }

    #[test]
    fn debug_never_shows_the_key() {
        assert_eq!(
            format!("{:?}", Secret::from("whsec_abc")),
            "Secret(9 bytes)"
        );
    }
}
