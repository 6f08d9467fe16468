//! A text file as `apply` edits it: the BOM and line-ending style are taken off and remembered so
//! that edits work on plain text and the file is written back byte-for-byte in its own style.

use thiserror::Error;

const BOM: &str = "\u{feff}";

#[derive(Debug, Error)]
#[error("not valid UTF-8, left untouched")]
pub struct NotUtf8;

/// The decoded contents of one file plus what is needed to write it back unchanged in style.
#[derive(Debug, Clone)]
pub struct TextFile {
    /// Text without the byte-order mark.
    pub text: String,
    bom: bool,
    crlf: bool,
}

impl TextFile {
    pub fn parse(bytes: &[u8]) -> Result<TextFile, NotUtf8> {
        let s = std::str::from_utf8(bytes).map_err(|_| NotUtf8)?;
        let (bom, text) = match s.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        // The first line ending decides: mixed files keep whatever each untouched line had.
        let crlf = text
            .find('\n')
            .is_some_and(|i| i > 0 && text.as_bytes()[i - 1] == b'\r');
        Ok(TextFile {
            text: text.to_string(),
            bom,
            crlf,
        })
    }

    /// The line terminator new lines in this file must use.
    pub fn eol(&self) -> &'static str {
        if self.crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// Full file contents for `text` (an edited version of [`Self::text`]), BOM restored.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = String::with_capacity(text.len() + BOM.len());
        if self.bom {
            out.push_str(BOM);
        }
        out.push_str(text);
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf_round_trip() {
        let raw = "\u{feff}a\r\nb\r\n".as_bytes();
        let f = TextFile::parse(raw).unwrap();
        assert_eq!(f.text, "a\r\nb\r\n");
        assert_eq!(f.eol(), "\r\n");
        assert_eq!(f.encode(&f.text), raw);
    }

    #[test]
    fn plain_lf_file_has_no_bom() {
        let f = TextFile::parse(b"x\ny").unwrap();
        assert_eq!(f.eol(), "\n");
        assert_eq!(f.encode("x\ny"), b"x\ny");
        assert!(TextFile::parse(&[0xff, 0xfe]).is_err());
    }
}
