//! A text file as `apply` edits it: decoded from its own encoding, with the BOM and line-ending
//! style taken off and remembered, so that edits work on plain text and the file is written back
//! byte-for-byte in its own encoding and style.

use crate::encoding::{self, TextEncoding, Unencodable};
use thiserror::Error;

const BOM: &str = "\u{feff}";

/// A file whose bytes its encoding would not give back (malformed UTF-16, say): writing it
/// would change bytes no edit touched.
#[derive(Debug, Error)]
#[error("not valid {0}, left untouched")]
pub struct NotFaithful(TextEncoding);

/// The decoded contents of one file plus what is needed to write it back unchanged in style.
#[derive(Debug, Clone)]
pub struct TextFile {
    /// Text without the byte-order mark.
    pub text: String,
    /// The bytes it was read from.
    original: Vec<u8>,
    /// A UTF-8 BOM (UTF-16's is the encoding's own business).
    bom: bool,
    crlf: bool,
    encoding: TextEncoding,
}

impl TextFile {
    pub fn parse(bytes: &[u8]) -> Result<TextFile, NotFaithful> {
        let (decoded, encoding) = encoding::decode(bytes);
        let (bom, text) = match decoded.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, decoded.as_ref()),
        };
        // The first line ending decides: mixed files keep whatever each untouched line had.
        let crlf = text
            .find('\n')
            .is_some_and(|i| i > 0 && text.as_bytes()[i - 1] == b'\r');
        let file = TextFile {
            text: text.to_string(),
            original: bytes.to_vec(),
            bom,
            crlf,
            encoding,
        };
        match file.encode(&file.text) {
            Ok(again) if again == bytes => Ok(file),
            _ => Err(NotFaithful(encoding)),
        }
    }

    /// The bytes the file was read from.
    pub fn original(&self) -> &[u8] {
        &self.original
    }

    /// The line terminator new lines in this file must use.
    pub fn eol(&self) -> &'static str {
        if self.crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// Full file contents for `text` (an edited version of [`Self::text`]), BOM restored, in
    /// the file's own encoding; an error when the edit brought a character it cannot hold.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, Unencodable> {
        if !self.bom {
            return encoding::encode(text, self.encoding);
        }
        encoding::encode(&format!("{BOM}{text}"), self.encoding)
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
        assert_eq!(f.encode(&f.text).unwrap(), raw);
    }

    #[test]
    fn plain_lf_file_has_no_bom() {
        let f = TextFile::parse(b"x\ny").unwrap();
        assert_eq!(f.eol(), "\n");
        assert_eq!(f.encode("x\ny").unwrap(), b"x\ny");
    }

    #[test]
    fn legacy_and_utf16_files_are_written_in_their_own_encoding() {
        let latin1 = TextFile::parse(b"# caf\xe9\r\nx = 1\r\n").unwrap();
        assert_eq!(latin1.text, "# café\r\nx = 1\r\n");
        assert_eq!(latin1.eol(), "\r\n");
        assert_eq!(
            latin1.encode("# café\r\nx = 2\r\n").unwrap(),
            b"# caf\xe9\r\nx = 2\r\n"
        );
        assert_eq!(latin1.encode("→").unwrap_err().ch, '→');
        let utf16: Vec<u8> = [0xFF, 0xFE, b'a', 0, b'\n', 0].to_vec();
        let f = TextFile::parse(&utf16).unwrap();
        assert_eq!(f.text, "a\n");
        assert_eq!(f.encode("b\n").unwrap(), [0xFF, 0xFE, b'b', 0, b'\n', 0]);
    }

    #[test]
    fn malformed_utf16_is_left_untouched() {
        // An odd trailing byte: decoding would replace it, so writing back would change it.
        let err = TextFile::parse(&[0xFF, 0xFE, b'a', 0, b'b']).unwrap_err();
        assert_eq!(err.to_string(), "not valid UTF-16LE, left untouched");
    }
}
