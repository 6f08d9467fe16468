//! Offsets to 1-based lines and columns.

/// Line starts of one text, for turning byte offsets into positions people read.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte range of 0-based `line`, without its line terminator.
    pub fn line_range(&self, src: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(src.len(), |&next| next - 1);
        let end = if end > start && src.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }

    /// 1-based line and 1-based column counted in characters.
    pub fn position(&self, src: &str, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let col = src[self.starts[line]..offset].chars().count() + 1;
        (line + 1, col)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let src = "ab\r\nçd x\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.position(src, 0), (1, 1));
        let x = src.find('x').unwrap();
        assert_eq!(idx.position(src, x), (2, 4));
        assert_eq!(&src[idx.line_range(src, 0)], "ab");
        assert_eq!(&src[idx.line_range(src, 1)], "çd x");
    }
}
