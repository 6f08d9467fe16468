//! Text encodings: which files are text, how their bytes become the UTF-8 the scan reads, and
//! how `apply` turns edited text back into the file's own bytes.
//!
//! Legacy PHP shops and WHMCS/WordPress plugins are often Windows-1252 or Latin-1, and some .NET
//! files are UTF-16 with a byte-order mark. Skipping them would hide their provider code from
//! scan, plan and check, so every text file is decoded; only binaries are not text.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::Serialize;
use std::borrow::Cow;
use thiserror::Error;

/// Bytes inspected for a NUL byte to call a file binary (git's heuristic).
const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// The encoding a text file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// UTF-8, with or without a BOM (a BOM stays in the decoded text as U+FEFF).
    Utf8,
    /// UTF-16 little-endian, announced by its BOM (which the decoded text leaves out).
    Utf16Le,
    /// UTF-16 big-endian, announced by its BOM (which the decoded text leaves out).
    Utf16Be,
    /// Any other text: Windows-1252, which is also what the web means by Latin-1 and
    /// ISO-8859-1. Every byte maps to one character, so decoding never fails and a file
    /// round-trips byte for byte.
    Windows1252,
}

impl TextEncoding {
    /// The name people know the encoding by, for messages.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A character the file's encoding has no bytes for.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{encoding} cannot hold {ch:?} (U+{code:04X})", code = u32::from(*.ch))]
pub struct Unencodable {
    pub encoding: TextEncoding,
    pub ch: char,
}

/// The UTF-16 encoding a leading BOM announces.
fn utf16_bom(bytes: &[u8]) -> Option<TextEncoding> {
    match bytes {
        [0xFF, 0xFE, ..] => Some(TextEncoding::Utf16Le),
        [0xFE, 0xFF, ..] => Some(TextEncoding::Utf16Be),
        _ => None,
    }
}

/// Whether `bytes` are a binary file's: a NUL byte in the first 8 KiB, unless a UTF-16 BOM says
/// the NULs are the high bytes of ASCII characters.
pub fn is_binary(bytes: &[u8]) -> bool {
    utf16_bom(bytes).is_none()
        && memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF_LEN)]).is_some()
}

/// Whether the scan must decode `bytes` before searching them: UTF-16 is the one encoding
/// whose ASCII characters are not ASCII bytes, so no provider literal matches it raw.
pub fn needs_transcoding(bytes: &[u8]) -> bool {
    utf16_bom(bytes).is_some()
}

/// The text of a file that is not binary (see [`is_binary`]), and the encoding it was in.
/// Valid UTF-8 is borrowed as it is; anything else is decoded.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, TextEncoding) {
    if let Some(encoding) = utf16_bom(bytes) {
        let codec = match encoding {
            TextEncoding::Utf16Le => UTF_16LE,
            _ => UTF_16BE,
        };
        return (codec.decode_with_bom_removal(bytes).0, encoding);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), TextEncoding::Utf8),
        Err(_) => (
            WINDOWS_1252.decode_without_bom_handling(bytes).0,
            TextEncoding::Windows1252,
        ),
    }
}

/// A whole file as text, in whatever encoding it is (see [`decode`]): for the readers after the
/// scan, which must see the text the scan matched, not skip what `read_to_string` refuses.
pub fn read_to_string(path: &std::path::Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(decode(&bytes).0.into_owned())
}

/// `text` in `encoding`; UTF-16 gets its BOM back, since [`decode`] took it off.
pub fn encode(text: &str, encoding: TextEncoding) -> Result<Vec<u8>, Unencodable> {
    let utf16 = |bom: [u8; 2], unit: fn(u16) -> [u8; 2]| {
        let mut out = Vec::with_capacity(2 + 2 * text.len());
        out.extend_from_slice(&bom);
        text.encode_utf16()
            .for_each(|u| out.extend_from_slice(&unit(u)));
        out
    };
    match encoding {
        TextEncoding::Utf8 => Ok(text.as_bytes().to_vec()),
        TextEncoding::Utf16Le => Ok(utf16([0xFF, 0xFE], u16::to_le_bytes)),
        TextEncoding::Utf16Be => Ok(utf16([0xFE, 0xFF], u16::to_be_bytes)),
        TextEncoding::Windows1252 => {
            let (bytes, _, lossy) = WINDOWS_1252.encode(text);
            if !lossy {
                return Ok(bytes.into_owned());
            }
            // encoding_rs would have written an HTML character reference: name the culprit.
            let mut buf = [0; 4];
            let ch = text
                .chars()
                .find(|c| WINDOWS_1252.encode(c.encode_utf8(&mut buf)).2)
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            Err(Unencodable { encoding, ch })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_windows_1252_byte_round_trips() {
        let all: Vec<u8> = (1..=255).collect();
        let (text, encoding) = decode(&all);
        assert_eq!(encoding, TextEncoding::Windows1252);
        assert_eq!(text.chars().count(), all.len());
        assert_eq!(encode(&text, encoding).unwrap(), all);
    }

    #[test]
    fn latin1_bytes_decode_to_their_characters() {
        let (text, encoding) = decode(b"caf\xe9 \x80 x");
        assert_eq!(encoding, TextEncoding::Windows1252);
        assert_eq!(text, "café € x");
    }

    #[test]
    fn utf16_with_bom_is_text_and_round_trips() {
        for (encoding, unit) in [
            (
                TextEncoding::Utf16Le,
                u16::to_le_bytes as fn(u16) -> [u8; 2],
            ),
            (TextEncoding::Utf16Be, u16::to_be_bytes),
        ] {
            let mut bytes = unit(0xFEFF).to_vec();
            "using é;\r\n"
                .encode_utf16()
                .for_each(|u| bytes.extend(unit(u)));
            assert!(!is_binary(&bytes));
            assert!(needs_transcoding(&bytes));
            let (text, got) = decode(&bytes);
            assert_eq!((text.as_ref(), got), ("using é;\r\n", encoding));
            assert_eq!(encode(&text, encoding).unwrap(), bytes);
        }
    }

    #[test]
    fn utf8_is_borrowed_and_nul_bytes_are_binary() {
        let (text, encoding) = decode("\u{feff}é".as_bytes());
        assert!(matches!(text, Cow::Borrowed("\u{feff}é")));
        assert_eq!(encoding, TextEncoding::Utf8);
        assert!(is_binary(b"PK\x03\x04\x00\x00"));
        assert!(!is_binary(b"plain \xe9 text"));
        assert!(!needs_transcoding(b"plain"));
    }

    #[test]
    fn characters_outside_windows_1252_are_refused_by_name() {
        let err = encode("a → b", TextEncoding::Windows1252).unwrap_err();
        assert_eq!(err.ch, '→');
        assert_eq!(err.to_string(), "Windows-1252 cannot hold '→' (U+2192)");
        assert_eq!(
            encode("€ é", TextEncoding::Windows1252).unwrap(),
            b"\x80 \xe9"
        );
    }
}
