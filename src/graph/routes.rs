//! Webhook handlers reached by route: the callback URL the app sends the provider names a path
//! (`callback_url: `${APP_URL}/webhooks/payments``), and the route the framework registers for
//! that path is the provider's webhook handler, whether or not its file names the provider. Its
//! status checks, signature check (or lack of one) and reply are touchpoints.

use crate::lang::{RegionKind, SyntaxView};
use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// Where the provider's callbacks arrive, as the app wrote it in the callback URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A path, without leading or trailing slashes: `webhooks/payments`.
    Path(String),
    /// A WooCommerce API hook (`?wc-api=WC_Gateway_X` → `woocommerce_api_wc_gateway_x`).
    Hook(String),
    /// A bot command a provider call names as the handler of one of its events
    /// (`onCallback: "/onCallbackPayment"`, `onSuccess: "/onCreatePayment"` in Bots.Business):
    /// the provider's webhook when the event is its callback, else the handler of its response.
    Command { name: String, webhook: bool },
}

impl Target {
    pub fn literal(&self) -> &str {
        match self {
            Target::Path(p) | Target::Hook(p) => p,
            Target::Command { name, .. } => name,
        }
    }

    /// Whether the provider calls it (a webhook, which must verify what it receives), rather
    /// than the app handing it the provider's response.
    pub fn is_webhook(&self) -> bool {
        match self {
            Target::Path(_) | Target::Hook(_) => true,
            Target::Command { webhook, .. } => *webhook,
        }
    }
}

fn is_webhook_word(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["callback", "webhook", "ipn", "notif", "wc-api"]
        .iter()
        .any(|w| lower.contains(w))
}

fn is_buyer_word(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["return", "success", "cancel", "redirect", "fail", "thank"]
        .iter()
        .any(|w| lower.contains(w))
}

/// The key a string literal starting at `at` is the value of (`callback_url: '...'`,
/// `'url_callback' => '...'`), if the line gives it one.
fn key_before(line: &str, at: usize) -> Option<&str> {
    let before = line[..at].trim_end();
    let before = before
        .strip_suffix("=>")
        .or_else(|| before.strip_suffix(':'))
        .or_else(|| before.strip_suffix('='))?
        .trim_end()
        .trim_end_matches(['\'', '"']);
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .map_or(0, |i| i + 1);
    (start < before.len()).then(|| &before[start..])
}

/// The bot commands a provider call's line names for its events: `on…` slots holding a
/// `"/command"` string, perhaps with the command's parameters after it (`"/onTransfer 10 TRX"`).
pub fn commands(line: &str) -> Vec<Target> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r#"\b(on[A-Z_]\w*)\s*[:=]\s*['"`]/(\w{3,})(?:\s[^'"`\n]*)?['"`]"#)
            .expect("valid")
    });
    re.captures_iter(line)
        .map(|c| Target::Command {
            name: c[2].to_string(),
            webhook: is_webhook_word(&c[1]),
        })
        .collect()
}

fn string_literal() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"['"`]([^'"`\n]*)['"`]"#).expect("valid"))
}

/// The callback targets a callback-config line names. Only webhook URLs lead to handlers: a
/// return or success URL leads to the buyer's page.
/// A literal that is the value of a key is judged by its key (`onCallback: '/x', onSuccess:
/// '/y'` names one webhook), any other by its whole line.
pub fn targets(line: &str) -> Vec<Target> {
    let mut out = Vec::new();
    let line_is_webhook = is_webhook_word(line) && !is_buyer_word(line);
    for caps in string_literal().captures_iter(line) {
        let webhook = match key_before(line, caps.get(0).map_or(0, |m| m.start())) {
            Some(key) => is_webhook_word(key) && !is_buyer_word(key),
            None => line_is_webhook,
        };
        if !webhook {
            continue;
        }
        let text = &caps[1];
        if let Some(hook) = text
            .split(['?', '&'])
            .find_map(|q| q.strip_prefix("wc-api="))
        {
            out.push(Target::Hook(format!(
                "woocommerce_api_{}",
                hook.to_ascii_lowercase()
            )));
            continue;
        }
        let lower = text.to_ascii_lowercase();
        if lower.contains("oxapay.com") || lower.contains("cryptomus.com") {
            continue;
        }
        // After a scheme and host, or a template prefix (`${APP_URL}`), keep the path.
        let rest = match text.find("://") {
            Some(i) => text[i + 3..].find('/').map_or("", |j| &text[i + 3 + j..]),
            None => text.rsplit_once('}').map_or(text, |(_, r)| r),
        };
        let path = rest
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_matches('/');
        let useful = text.contains('/') && path.len() >= 3;
        let word = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c))
        };
        if useful && word(path) && path.split('/').any(|seg| seg.len() >= 3) {
            out.push(Target::Path(path.to_string()));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A route registration for a target, and the handler it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Where the path or hook literal is.
    pub at: usize,
    /// An inline handler's body (a closure or block after the path).
    pub body: Option<Range<usize>>,
    /// Functions the registration names (`[WebhookController::class, 'handle']` → `handle`,
    /// `views.cryptomus_webhook` → `cryptomus_webhook`), or the decorated function's name.
    pub names: Vec<Named>,
}

/// A handler named by a registration, with the class or controller it belongs to when the
/// registration says (`to: "oxapay_webhooks#create"` is `create` of `OxapayWebhooksController`,
/// not every `create` in the app).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub qualifier: Option<String>,
    pub name: String,
}

impl Named {
    /// Whether the function `qualified` (`Class.method`) in the file at `path` is this handler.
    pub fn is(&self, qualified: &str, path: &str) -> bool {
        let short = qualified.rsplit('.').next().unwrap_or(qualified);
        if short != self.name {
            return false;
        }
        let Some(q) = &self.qualifier else {
            return true;
        };
        let fold = |s: &str| s.to_ascii_lowercase().replace(['_', '-'], "");
        let q = fold(q);
        let class = qualified.rsplit_once('.').map_or("", |(c, _)| c);
        fold(class).contains(&q) || fold(path).contains(&q)
    }
}

fn named_handler() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?:(\w+)::class\s*,\s*['"](\w+)['"]|['"](?:[\w\\/]*[\\/])?(\w+)[@#](\w+)['"]|\$this\s*,\s*['"](\w+)['"]|,\s*(?:[\w$]+[.:>-]+)*(\w+)\s*[,)])"#,
        )
        .expect("valid")
    })
}

/// Registrations of `target` in `src`: string literals equal to the target (slashes aside) in
/// a call, decorator or annotation.
pub fn registrations(src: &str, view: &SyntaxView, target: &Target) -> Vec<Registration> {
    let lit = target.literal();
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    for (at, _) in src.match_indices(lit) {
        if view.region_at(at) != RegionKind::String {
            continue;
        }
        // The literal is the whole string, give or take its slashes.
        let open = src[..at].trim_end_matches('/');
        let close = src[at + lit.len()..].trim_start_matches('/');
        let quote = open.as_bytes().last().copied();
        if !matches!(quote, Some(b'\'' | b'"' | b'`')) || close.as_bytes().first().copied() != quote
        {
            continue;
        }
        let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[at..].find('\n').map_or(src.len(), |i| at + i);
        let line = &src[line_start..line_end];
        // A registration formatted over lines (`router.post(\n  '/hooks/x',\n  handler)`) opens
        // its call on the line before.
        let before = match line[..at - line_start].trim_start() {
            "'" | "\"" | "`" => src[..line_start]
                .trim_end()
                .rsplit('\n')
                .next()
                .unwrap_or(""),
            b => b,
        };
        let before = before.trim_start();
        let decorated =
            before.starts_with('@') || before.starts_with("#[") || before.starts_with('[');
        if !decorated
            && !before.contains('(')
            && !before.starts_with("post ")
            && !before.starts_with("match ")
        {
            continue;
        }
        // Just past the closing quote (`close` is a suffix of `src`).
        let after_at = src.len() - close.len() + 1;
        let mut names = Vec::new();
        let mut body = None;
        if decorated {
            if let Some(f) = view.functions().iter().find(|f| f.name_at > line_end) {
                names.push(Named {
                    qualifier: f.name.rsplit_once('.').map(|(c, _)| c.to_string()),
                    name: f.short_name().to_string(),
                });
            }
        } else {
            // The arguments after the path, to the end of the call's statement.
            let end = view
                .statement_at(at)
                .map_or(line_end, |st| st.end.max(line_end))
                .min(src.len());
            let rest = &src[after_at.min(end)..end];
            names.extend(named_in(rest));
            body = inline_body(src, view, after_at.min(bytes.len()));
            if body.is_some() {
                names.clear();
            }
        }
        out.push(Registration { at, body, names });
    }
    out
}

/// The handler a registration's arguments name, if any.
fn named_in(rest: &str) -> Option<Named> {
    let c = named_handler().captures(rest)?;
    let text = |i: usize| c.get(i).map(|m| m.as_str().to_string());
    let (qualifier, name) = if let Some(m) = text(2) {
        (text(1), m)
    } else if let Some(m) = text(4) {
        (text(3), m)
    } else {
        (None, text(5).or_else(|| text(6))?)
    };
    Some(Named { qualifier, name })
}

/// The body of a closure that follows `from` on its statement: from its `{` (or `do`) to the
/// matching close, counting only braces in code.
fn inline_body(src: &str, view: &SyntaxView, from: usize) -> Option<Range<usize>> {
    // To where the statement's block opens (a statement is cut there), or the line's end.
    let line_end = src[from..].find('\n').map_or(src.len(), |i| from + i);
    let stmt_end = view
        .statement_at(from.saturating_sub(1))
        .map_or(line_end, |st| (st.end + 1).max(line_end))
        .min(src.len());
    let head = &src[from..stmt_end];
    if !(head.contains("=>")
        || head.contains("function")
        || head.contains("func(")
        || head.contains(" do")
        || head.contains("->"))
    {
        return None;
    }
    // The body opens after the arrow or the parameter list, not at an options object before
    // them (`express.raw({ type: 'application/json' }), (req, res) => {`).
    let opener = ["=>", "->", "function", "func("]
        .iter()
        .filter_map(|k| head.find(k).map(|i| i + k.len()))
        .min();
    let open = match opener {
        Some(i) => from + i + head[i..].find('{')?,
        None => from + head.find(" do")? + 1,
    };
    let mut depth = 0usize;
    for (i, b) in src.bytes().enumerate().skip(open) {
        if view.region_at(i) != RegionKind::Code {
            continue;
        }
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(open..i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The command a Bots.Business command file declares in its `/*CMD ... CMD*/` header
/// (`command: /onPaid`, or without the slash), with the offset of its `command:` line and the offset where the
/// command's code starts, after the header.
pub fn declared_command(src: &str) -> Option<(&str, usize, usize)> {
    let header = src.trim_start().strip_prefix("/*CMD")?;
    let header_at = src.len() - header.len();
    let end = header.find("CMD*/")?;
    header[..end].lines().find_map(|l| {
        let name = l.trim().strip_prefix("command:")?.trim();
        let name = name.strip_prefix('/').unwrap_or(name);
        let at = header_at + (l.as_ptr() as usize - header.as_ptr() as usize);
        (!name.is_empty()).then_some((name, at, header_at + end + "CMD*/".len()))
    })
}

/// A Bots.Business command's handler: the file whose header declares `command: /name` is the
/// command's code, all of it after the header.
pub fn command_handlers(src: &str, name: &str) -> Vec<Registration> {
    declared_command(src)
        .filter(|(declared, _, _)| *declared == name)
        .map(|(_, at, body)| Registration {
            at,
            body: Some(body..src.len()),
            names: Vec::new(),
        })
        .into_iter()
        .collect()
}

/// The commands a bot runs by name (`Bot.run({ command: "getTxInfo", ... })`,
/// `Bot.runCommand("/getTxInfo")`), with the offset of each call.
pub fn command_runs(src: &str) -> Vec<(&str, usize)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r#"\bBot\.run(?:Command)?\s*\(\s*(?:\{\s*command\s*:\s*)?['"`]/?(\w{3,})['"`\s]"#,
        )
        .expect("valid")
    });
    re.captures_iter(src)
        .filter_map(|c| Some((c.get(1)?.as_str(), c.get(0)?.start())))
        .collect()
}

/// A WooCommerce API hook's handler: `add_action('woocommerce_api_x', array($this, 'm'))`.
pub fn hook_handlers(src: &str, view: &SyntaxView, hook: &str) -> Vec<Registration> {
    src.match_indices(hook)
        .filter(|(at, _)| view.region_at(*at) == RegionKind::String)
        .filter_map(|(at, _)| {
            let line_end = src[at..].find('\n').map_or(src.len(), |i| at + i);
            Some(Registration {
                at,
                body: None,
                names: vec![named_in(&src[at..line_end])?],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{build_view, Language};

    #[test]
    fn callback_urls_name_paths_and_hooks() {
        assert_eq!(
            targets("callback_url: `${process.env.APP_URL}/webhooks/payments`,"),
            vec![Target::Path("webhooks/payments".into())]
        );
        assert_eq!(
            targets("'url_callback' => 'https://shop.example/api/cryptomus/callback?x=1',"),
            vec![Target::Path("api/cryptomus/callback".into())]
        );
        assert_eq!(
            targets("'callback_url' => home_url('/?wc-api=WC_Gateway_Pay'),"),
            vec![Target::Hook("woocommerce_api_wc_gateway_pay".into())]
        );
        assert!(targets("callback_url: 'https://api.oxapay.com/v1/payment/invoice',").is_empty());
        assert!(targets("return_url: `${APP_URL}/orders/thanks`,").is_empty());
        // Each literal by its own key: the webhook is named beside the buyer's return page.
        assert_eq!(
            targets("{ return_url: '/orders/thanks', callback_url: '/hooks/pay-events' }"),
            vec![Target::Path("hooks/pay-events".into())]
        );
    }

    #[test]
    fn bot_commands_named_for_provider_events() {
        let line = r#"Libs.PayLib.apiCall({ url: "merchants/request", fields: { amount: 5, onCallback: "/onPaid" }, onSuccess: "/showInvoice 5 USD" })"#;
        assert_eq!(
            commands(line),
            vec![
                Target::Command {
                    name: "onPaid".into(),
                    webhook: true
                },
                Target::Command {
                    name: "showInvoice".into(),
                    webhook: false
                },
            ]
        );
        assert!(Target::Command {
            name: "onPaid".into(),
            webhook: true
        }
        .is_webhook());
        assert!(commands("once: '/onPaid', onPaid: 'onPaid'").is_empty());
        assert!(commands("const url = '/onPaid';").is_empty());

        let file = "/*CMD\n  command: /onPaid\n  need_reply: \nCMD*/\n\nif (options.status == 'Paid') Bot.sendMessage('ok')\n";
        let regs = command_handlers(file, "onPaid");
        assert_eq!(regs.len(), 1);
        assert!(file[regs[0].at..].starts_with("  command: /onPaid"));
        let body = regs[0].body.clone().unwrap();
        assert!(file[body].trim_start().starts_with("if (options.status"));
        assert!(command_handlers(file, "onPai").is_empty());
        assert_eq!(
            command_runs("Bot.run({ command: \"getTxInfo\", options: { trackId: message } })\nBot.runCommand('/help')\nBot.run(params)"),
            vec![("getTxInfo", 0), ("help", 65)]
        );
        assert!(command_handlers("// command: /onPaid\n", "onPaid").is_empty());
    }

    #[test]
    fn registrations_find_inline_and_named_handlers() {
        let js = "app.post('/webhooks/payments', express.raw(), (req, res) => {\n  res.send('ok');\n});\n";
        let view = build_view(Language::Javascript, js);
        let regs = registrations(js, &view, &Target::Path("webhooks/payments".into()));
        assert_eq!(regs.len(), 1);
        let body = regs[0].body.clone().unwrap();
        assert!(js[body].contains("res.send('ok')"));

        let php =
            "<?php\nRoute::post('/webhooks/payments', [WebhookController::class, 'handle']);\n";
        let view = build_view(Language::Php, php);
        let regs = registrations(php, &view, &Target::Path("webhooks/payments".into()));
        assert_eq!(regs[0].names[0].name, "handle");
        assert!(regs[0].names[0].is("WebhookController.handle", "app/Http/WebhookController.php"));
        assert!(!regs[0].names[0].is(
            "CheckoutController.handle",
            "app/Http/CheckoutController.php"
        ));

        let rb = "post \"/webhooks/payments\", to: \"oxapay_webhooks#create\"\n";
        let view = build_view(Language::Ruby, rb);
        let regs = registrations(rb, &view, &Target::Path("webhooks/payments".into()));
        let named = &regs[0].names[0];
        assert!(named.is(
            "OxapayWebhooksController.create",
            "app/controllers/oxapay_webhooks_controller.rb"
        ));
        assert!(!named.is(
            "CheckoutsController.create",
            "app/controllers/checkouts_controller.rb"
        ));

        let py = "@app.post(\"/webhooks/payments\")\nasync def payment_webhook(request):\n    return 'ok'\n";
        let view = build_view(Language::Python, py);
        let regs = registrations(py, &view, &Target::Path("webhooks/payments".into()));
        assert_eq!(regs[0].names[0].name, "payment_webhook");
    }
}
