use anyhow::Context;
use clap::Parser;
use makepay_migrate::brief;
use makepay_migrate::check;
use makepay_migrate::cli::{Cli, Command, ConfigCommand, RulesCommand, ScanArgs};
use makepay_migrate::finding::Severity;
use makepay_migrate::load_rule_set;
use makepay_migrate::report::{printer, PrintContext};
use makepay_migrate::rules::selftest;
use makepay_migrate::scan::{scan, ScanOptions};
use makepay_migrate::walk::WalkOptions;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Brief(args) => brief::run(&args),
        Command::Check(args) => Ok(check::run(args)),
        Command::Init { path } => {
            for written in check::init::init(&path)? {
                match written {
                    check::init::Written::Created(p) => println!("created {}", p.display()),
                    check::init::Written::KeptExisting(p) => {
                        println!("kept existing {}", p.display())
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(ConfigCommand::Schema) => {
            println!("{:#}", check::config::schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Webhook(command) => makepay_migrate::webhook::run(command),
        Command::Plan(args) => makepay_migrate::plan::command::run(args),
        Command::Apply(args) => makepay_migrate::apply::run::run(args),
        Command::Mcp(args) => makepay_migrate::mcp::run(&args),
        Command::Rules(RulesCommand::List { rule_args }) => {
            let set = load_rule_set(&rule_args.rules, rule_args.provider)?;
            let mut out = anstream::stdout().lock();
            for r in set.rules() {
                writeln!(
                    out,
                    "{:<48} {:<10} {:<22} {:<7} {}",
                    r.id,
                    r.provider.id(),
                    r.category,
                    r.confidence,
                    r.severity
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules(RulesCommand::Test { rule_args }) => {
            let set = load_rule_set(&rule_args.rules, rule_args.provider)?;
            let report = selftest::run(set.rules());
            let mut out = anstream::stdout().lock();
            for f in &report.failures {
                writeln!(out, "FAIL {f}")?;
            }
            writeln!(
                out,
                "{} rules, {} cases: {} failure{}",
                report.rules,
                report.cases,
                report.failures.len(),
                if report.failures.len() == 1 { "" } else { "s" }
            )?;
            Ok(if report.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Rules(RulesCommand::Literals { rule_args }) => {
            let set = load_rule_set(&rule_args.rules, rule_args.provider)?;
            let mut out = std::io::stdout().lock();
            for l in set.literals() {
                writeln!(out, "{l}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    anstream::ColorChoice::write_global(args.color.choice());
    let rules = load_rule_set(&args.rule_args.rules, args.rule_args.provider)?;
    let opts = ScanOptions {
        paths: args.paths,
        walk: WalkOptions {
            include: args.filter.include,
            exclude: args.filter.exclude,
            hidden: args.hidden,
            no_ignore: args.no_ignore,
            max_filesize: args.max_filesize,
            threads: args.threads,
        },
        min_confidence: args.min_confidence,
        progress: !args.quiet,
        mentions: args.mentions,
    };
    let outcome = scan(&rules, &opts)?;
    let mut out = anstream::stdout().lock();
    let ctx = PrintContext {
        quiet: args.quiet,
        rules: rules.rules(),
        step_summary: PrintContext::step_summary_from_env(),
    };
    printer(args.format, &ctx)
        .print(&outcome, &mut out)
        .context("writing results")?;
    out.flush()?;
    if !args.quiet {
        for w in &outcome.summary.warnings {
            eprintln!("warning: {w}");
        }
    }
    let actionable = outcome.findings.iter().any(|f| f.severity > Severity::Info);
    // Hundreds of compiled regexes and their caches take a while to free one by one, and the
    // process ends right after this: leave that to the OS.
    std::mem::forget(rules);
    Ok(if actionable {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
