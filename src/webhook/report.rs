//! `webhook test` results in three formats: a table for people, JSON for scripts and JUnit XML
//! for CI test tabs. The check command's output travels with the table in each.

use super::suite::{Expect, Got, Outcome};
use crate::report::{write_junit, xml_text as clean};
use anstyle::{AnsiColor, Style};
use clap::ValueEnum;
use quick_xml::events::BytesText;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SuiteFormat {
    Human,
    Json,
    Junit,
}

/// The `--check-cmd` run after the suite.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOutput {
    pub command: String,
    /// `None` when it was killed by a signal.
    pub exit_code: Option<i32>,
    pub output: String,
}

impl CheckOutput {
    pub fn passed(&self) -> bool {
        self.exit_code == Some(0)
    }
}

/// A finished run.
pub struct SuiteReport<'a> {
    pub url: &'a str,
    pub outcomes: &'a [Outcome],
    pub check: Option<&'a CheckOutput>,
}

impl SuiteReport<'_> {
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| !o.passed()).count()
    }

    /// The gate: every case graded as it should be, and the check command (if any) passed.
    pub fn passed(&self) -> bool {
        self.failed() == 0 && self.check.is_none_or(CheckOutput::passed)
    }

    pub fn write(&self, format: SuiteFormat, out: &mut dyn Write) -> io::Result<()> {
        match format {
            SuiteFormat::Human => self.write_human(out),
            SuiteFormat::Json => self.write_json(out),
            SuiteFormat::Junit => self.write_junit(out),
        }
    }

    fn write_human(&self, out: &mut dyn Write) -> io::Result<()> {
        let pass = Style::new().fg_color(Some(AnsiColor::Green.into()));
        let fail = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
        let width = self.outcomes.iter().map(|o| o.id.len()).max().unwrap_or(8);
        writeln!(
            out,
            "{:<width$}  {:<8}  {:<6}  {:<7}  checks",
            "scenario", "expected", "got", "verdict"
        )?;
        for o in self.outcomes {
            let (style, verdict) = match o.failure() {
                None => (pass, "pass"),
                Some(_) => (fail, "FAIL"),
            };
            let why = o.failure().map(|w| format!("  <- {w}")).unwrap_or_default();
            writeln!(
                out,
                "{:<width$}  {:<8}  {:<6}  {style}{verdict:<7}{style:#}  {}{why}",
                o.id,
                expected(o.expect),
                got(&o.got),
                o.title
            )?;
        }
        for o in self.outcomes {
            if let Got::Error(e) = &o.got {
                writeln!(out, "{}: {e}", o.id)?;
            }
        }
        let failed = self.failed();
        writeln!(
            out,
            "\n{} scenarios against {}: {} passed, {failed} failed",
            self.outcomes.len(),
            self.url,
            self.outcomes.len() - failed
        )?;
        if let Some(check) = self.check {
            let code = check
                .exit_code
                .map_or("killed by a signal".to_string(), |c| format!("exit {c}"));
            writeln!(out, "\ncheck-cmd `{}` ({code}):", check.command)?;
            for line in check.output.lines() {
                writeln!(out, "  | {line}")?;
            }
        }
        Ok(())
    }

    fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        #[derive(Serialize)]
        struct Case<'a> {
            id: &'a str,
            title: &'a str,
            scheme: &'a str,
            expected: Expect,
            status: Option<u16>,
            error: Option<&'a str>,
            passed: bool,
            failure: Option<&'a str>,
        }
        let cases: Vec<Case> = self
            .outcomes
            .iter()
            .map(|o| Case {
                id: o.id,
                title: o.title,
                scheme: o.scheme,
                expected: o.expect,
                status: match o.got {
                    Got::Status(s) => Some(s),
                    Got::Error(_) => None,
                },
                error: match &o.got {
                    Got::Error(e) => Some(e),
                    Got::Status(_) => None,
                },
                passed: o.passed(),
                failure: o.failure(),
            })
            .collect();
        let doc = serde_json::json!({
            "version": 1,
            "url": self.url,
            "passed": self.passed(),
            "summary": {
                "scenarios": self.outcomes.len(),
                "passed": self.outcomes.len() - self.failed(),
                "failed": self.failed(),
            },
            "scenarios": cases,
            "check": self.check,
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }

    fn write_junit(&self, out: &mut dyn Write) -> io::Result<()> {
        let check_failed = self.check.is_some_and(|c| !c.passed());
        write_junit(
            out,
            "makepay-migrate webhook test",
            self.outcomes.len() + usize::from(self.check.is_some()),
            self.failed() + usize::from(check_failed),
            |w| {
                for o in self.outcomes {
                    let name = format!("{}: {}", o.id, o.title);
                    let case = w
                        .create_element("testcase")
                        .with_attributes([("name", name.as_str()), ("classname", o.scheme)]);
                    match o.failure() {
                        None => {
                            case.write_empty()?;
                        }
                        Some(why) => {
                            let detail =
                                format!("expected {}, got {}", expected(o.expect), got(&o.got));
                            case.write_inner_content(|w| {
                                w.create_element("failure")
                                    .with_attributes([("message", why)])
                                    .write_text_content(BytesText::new(&clean(&detail)))?;
                                Ok(())
                            })?;
                        }
                    }
                }
                if let Some(check) = self.check {
                    let name = format!("check-cmd: {}", check.command);
                    let case = w
                        .create_element("testcase")
                        .with_attributes([("name", clean(&name).as_str()), ("classname", "check")]);
                    let output = clean(&check.output);
                    case.write_inner_content(|w| {
                        if !check.passed() {
                            w.create_element("failure")
                                .with_attributes([("message", "check command failed")])
                                .write_text_content(BytesText::new(&output))?;
                        }
                        w.create_element("system-out")
                            .write_text_content(BytesText::new(&output))?;
                        Ok(())
                    })?;
                }
                Ok(())
            },
        )
    }
}

fn expected(e: Expect) -> &'static str {
    match e {
        Expect::Accept => "2xx",
        Expect::Reject => "reject",
    }
}

fn got(g: &Got) -> String {
    match g {
        Got::Status(s) => s.to_string(),
        Got::Error(_) => "error".to_string(),
    }
}
