//! JUnit XML: one failing test case per finding, so CI systems that read test reports (GitLab,
//! Jenkins, Azure) list each legacy call like a failed test. With no findings, one passing case
//! says the check ran.

use super::Printer;
use crate::finding::Finding;
use crate::scan::ScanOutcome;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::io::{self, Write};

pub struct JunitPrinter;

const SUITE: &str = "makepay-migrate";

impl Printer for JunitPrinter {
    fn print(&self, outcome: &ScanOutcome, out: &mut dyn Write) -> io::Result<()> {
        let failures = outcome.findings.len();
        write_document(out, SUITE, failures.max(1), failures, |w| {
            if outcome.findings.is_empty() {
                w.create_element("testcase")
                    .with_attributes([
                        ("name", "no blocking OxaPay or Cryptomus findings"),
                        ("classname", SUITE),
                    ])
                    .write_empty()?;
            }
            for f in &outcome.findings {
                write_case(w, f)?;
            }
            Ok(())
        })
    }
}

/// A JUnit document with one suite: `testsuites` > `testsuite` > what `cases` writes. Shared
/// with `webhook test`, so CI systems read both reports the same way.
pub fn write_document<W: Write>(
    out: W,
    name: &str,
    tests: usize,
    failures: usize,
    cases: impl FnOnce(&mut Writer<W>) -> io::Result<()>,
) -> io::Result<()> {
    let tests = tests.to_string();
    let failures = failures.to_string();
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("testsuites")
        .with_attributes([("name", name), ("tests", &tests), ("failures", &failures)])
        .write_inner_content(|w| {
            w.create_element("testsuite")
                .with_attributes([
                    ("name", name),
                    ("tests", tests.as_str()),
                    ("failures", failures.as_str()),
                    ("errors", "0"),
                ])
                .write_inner_content(cases)?;
            Ok(())
        })?;
    writeln!(w.get_mut())
}

fn write_case<W: Write>(w: &mut Writer<W>, f: &Finding) -> io::Result<()> {
    let name = clean(&format!("{} at {}:{}:{}", f.rule, f.path, f.line, f.column));
    let message = clean(&f.message);
    let details = clean(&format!(
        "{}:{}:{}: {} ({}, {}, {})\n  | {}\nMakePay: {}\n",
        f.path,
        f.line,
        f.column,
        f.message,
        f.provider,
        f.category,
        f.severity,
        f.snippet,
        f.replacement
    ));
    w.create_element("testcase")
        .with_attributes([("name", name.as_str()), ("classname", &clean(&f.path))])
        .write_inner_content(|w| {
            w.create_element("failure")
                .with_attributes([("message", message.as_str()), ("type", &f.rule)])
                .write_text_content(BytesText::new(&details))?;
            Ok(())
        })?;
    Ok(())
}

/// Drops characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR);
/// quick-xml escapes the rest.
pub fn clean(s: &str) -> String {
    s.chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Summary;

    #[test]
    fn escapes_markup_and_counts_failures() {
        let f = Finding {
            path: "src/<a>&\"b\".php".into(),
            snippet: "if ($a < $b && $c) { x(); }\u{1}".into(),
            message: "uses \"api\" & <host>".into(),
            replacement: "MakePay".into(),
            ..Finding::sample()
        };
        let outcome = ScanOutcome {
            root: ".".into(),
            findings: vec![f],
            summary: Summary::default(),
        };
        let mut out = Vec::new();
        JunitPrinter.print(&outcome, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(
            xml.contains(r#"<testsuite name="makepay-migrate" tests="1" failures="1" errors="0">"#)
        );
        assert!(
            xml.contains(r#"classname="src/&lt;a&gt;&amp;&quot;b&quot;.php""#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"message="uses &quot;api&quot; &amp; &lt;host&gt;""#),
            "{xml}"
        );
        assert!(
            xml.contains("if ($a &lt; $b &amp;&amp; $c) { x(); }\nMakePay"),
            "{xml}"
        );
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut cases = 0;
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Eof => break,
                Event::Start(e) if e.name() == quick_xml::name::QName("testcase") => cases += 1,
                _ => {}
            }
        }
        assert_eq!(cases, 1);
    }

    #[test]
    fn no_findings_is_one_passing_case() {
        let outcome = ScanOutcome {
            root: ".".into(),
            findings: Vec::new(),
            summary: Summary::default(),
        };
        let mut out = Vec::new();
        JunitPrinter.print(&outcome, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains(r#"tests="1" failures="0""#));
        assert!(xml.contains("<testcase name=\"no blocking OxaPay or Cryptomus findings\""));
        assert!(!xml.contains("<failure"));
    }
}
