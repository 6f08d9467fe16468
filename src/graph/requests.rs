//! The request call itself: the line that sends a provider request (`axios.post(...)`,
//! `requests.post(...)`, `curl_exec($ch)`, `http.NewRequest(...)`, `PostAsync(...)`) or calls the
//! repository's own request helper (`this.request("/payout/info", ...)`, `c.fetch("POST",
//! endpoint, req)`). The path or URL it carries often sits on another line or in a constant, so
//! the call is found by what it is, and counts where provider evidence is: in its own statement,
//! or in the function around it.

use crate::lang::{Language, RegionKind, SyntaxView};
use regex::Regex;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

/// Receivers that register routes, not send requests: `app.post('/cb', ...)`.
const ROUTERS: &[&str] = &[
    "app",
    "router",
    "server",
    "fastify",
    "routes",
    "route",
    "Route",
    "r",
    "e",
    "bp",
    "api_router",
    "blueprint",
    "group",
    "$router",
    "$app",
    "mux",
    "http.HandleFunc",
];

/// Call sites of HTTP client libraries, per language family. The callee is group 1 (the method
/// or function name); a receiver, where the pattern has one, is group 2. A Python client that
/// is callable (`return await self(call)` on a Stollen-style base) or holds a callable session
/// (`self.session(Method(...))`) sends its requests by calling it.
fn library_patterns(family: Language) -> Option<&'static Regex> {
    static CACHE: OnceLock<BTreeMap<Language, Regex>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        // Generic verbs through any receiver; `get`/`delete` only through an HTTP-looking one,
        // since `data.get('status')` is a dictionary read.
        let verbs = r"(?:post|put|patch|request|postJson|post_json|send_request|sendRequest)";
        let table: [(Language, String); 8] = [
            (
                Language::Javascript,
                format!(
                    r"(?:\b(fetch|axios|got|ky|superagent|needle)\s*(?:<[^>()]*>)?\(|([\w$.]+)\.({verbs}|get|delete)\s*(?:<[^>()]*>)?\()"
                ),
            ),
            (
                Language::Python,
                format!(
                    r"(?:\b(urlopen|urllib\.request\.urlopen|self(?:\._?(?:session|transport))?)\s*\(|([\w.]+)\.({verbs}|get|delete)\s*\()"
                ),
            ),
            (
                Language::Php,
                format!(
                    r"(?:\b(curl_exec|wp_remote_post|wp_remote_get|wp_remote_request|wp_safe_remote_post|file_get_contents)\s*\(|(Http|\$[\w]+(?:->\w+)*)(?:::|->)(?:\w+\([^()]*\)(?:->|::))*({verbs}|get|delete|send|asJson)\s*\()"
                ),
            ),
            (
                Language::Go,
                r"(?:\b(http\.(?:Get|Post|PostForm|NewRequest|NewRequestWithContext))\s*\(|([\w.]+)\.(Do|Post|Get|Execute)\s*\()".to_string(),
            ),
            (
                Language::Java,
                r"(?:\b(HttpRequest\.newBuilder|Unirest\.\w+)\s*\(|([\w.]+)\.(newCall|postForObject|postForEntity|getForObject|exchange|retrieve|execute|send|sendAsync)\s*\()".to_string(),
            ),
            (
                Language::Csharp,
                r"(?:\b(new\s+HttpRequestMessage)\s*\(|([\w.]+)\.(PostAsync|GetAsync|SendAsync|PutAsync|PostAsJsonAsync|GetFromJsonAsync|GetStringAsync)\s*\()".to_string(),
            ),
            (
                Language::Ruby,
                format!(
                    r"(?:\b(Net::HTTP\.\w+|HTTParty\.\w+|RestClient\.\w+|Faraday\.new)\s*[\(\s]|([\w.@]+)\.({verbs}|get)\s*[\(\s])"
                ),
            ),
            (
                Language::Rust,
                r"(?:\b(reqwest::get|reqwest::Client::new)\s*\(|([\w.]+)\.(post|get|send)\s*\()".to_string(),
            ),
        ];
        table
            .into_iter()
            .map(|(l, p)| (l, Regex::new(&p).expect("request patterns are valid")))
            .collect()
    });
    all.get(&family.family())
}

/// Receivers through which `get`/`delete` are HTTP calls.
fn http_receiver(receiver: &str) -> bool {
    let last = receiver
        .rsplit(['.', '>', ':'])
        .next()
        .unwrap_or(receiver)
        .trim_start_matches(['$', '@', '_'])
        .to_ascii_lowercase();
    [
        "requests",
        "session",
        "client",
        "http",
        "httpx",
        "axios",
        "api",
        "conn",
        "connection",
        "guzzle",
        "rest",
        "resttemplate",
        "webclient",
        "instance",
        "aiohttp",
        "httpclient",
        "http_client",
    ]
    .iter()
    .any(|r| last == *r || last.ends_with(&format!("_{r}")) || last.ends_with(r) && r.len() > 4)
}

/// A request call: where its callee is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCall {
    pub callee: Range<usize>,
    /// The repository's own helper it calls, if it is one (by name).
    pub helper: Option<String>,
}

/// HTTP library calls in `src`, in code only.
pub fn library_calls(lang: Language, src: &str, view: &SyntaxView) -> Vec<RequestCall> {
    let Some(re) = library_patterns(lang) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for caps in re.captures_iter(src) {
        let (callee, receiver, method) = match (caps.get(1), caps.get(2), caps.get(3)) {
            (Some(f), _, _) => (f.range(), None, f.as_str()),
            (None, Some(r), Some(m)) => (m.range(), Some(r.as_str()), m.as_str()),
            _ => continue,
        };
        if view.region_at(callee.start) != RegionKind::Code {
            continue;
        }
        let rest = &src[callee.end..];
        // Reading the request body (`file_get_contents('php://input')`) or configuring Faraday
        // middleware (`f.request :json`) sends nothing.
        if rest
            .trim_start_matches(['(', ' '])
            .starts_with("'php://input'")
            || (lang.family() == Language::Ruby && rest.trim_start().starts_with(':'))
        {
            continue;
        }
        if let Some(recv) = receiver {
            let bare = recv.trim_start_matches('$');
            if ROUTERS.contains(&recv) || ROUTERS.contains(&bare) {
                continue;
            }
            let needs_http = matches!(
                method,
                "get" | "delete" | "Get" | "Do" | "Execute" | "send" | "execute"
            );
            if needs_http && !http_receiver(recv) {
                continue;
            }
        }
        out.push(RequestCall {
            callee,
            helper: None,
        });
    }
    out
}

/// Calls of the repository's own request helpers (`helpers`: function short names of the same
/// language family) in `src`, definitions excluded.
pub fn helper_calls(src: &str, view: &SyntaxView, helpers: &[String]) -> Vec<RequestCall> {
    if helpers.is_empty() {
        return Vec::new();
    }
    let names: Vec<String> = helpers.iter().map(|h| regex::escape(h)).collect();
    let re = Regex::new(&format!(
        r"(?-u:\b)({})\s*(?:<[^>()]*>)?\(",
        names.join("|")
    ))
    .expect("escaped names form a valid regex");
    re.captures_iter(src)
        .filter_map(|c| c.get(1))
        .filter(|m| {
            view.region_at(m.start()) == RegionKind::Code
                && !view.functions().iter().any(|f| f.name_at == m.start())
                && !defined_here(src, m.start())
                && (!GENERIC_VERBS.contains(&m.as_str()) || own_receiver(src, m.start()))
        })
        .map(|m| RequestCall {
            callee: m.range(),
            helper: Some(m.as_str().to_string()),
        })
        .collect()
}

/// Helper names that other objects have too (`res.send('ok')`, `cache.get(k)`): a call of
/// one is the helper's only through the helper's own object or as a bare call.
const GENERIC_VERBS: &[&str] = &[
    "send", "get", "post", "put", "patch", "delete", "request", "fetch", "call", "execute", "do",
    "query", "run", "make",
];

/// Whether a function's name says only that it sends something (`_request`, `send`,
/// `makeRequest`, `api_call`), not which operation: a request helper's own call is no invoice.
pub fn is_sending_name(name: &str) -> bool {
    let folded = name.trim_matches('_').to_ascii_lowercase().replace('_', "");
    GENERIC_VERBS.contains(&folded.as_str())
        || [
            "make", "send", "do", "api", "base", "raw", "http", "perform",
        ]
        .iter()
        .any(|p| {
            folded
                .strip_prefix(p)
                .is_some_and(|rest| ["request", "call", "query"].contains(&rest))
        })
}

/// Whether the call at `start` is bare or through `this`/`self`, or through a one- or
/// two-letter receiver (Go's `c.fetch(...)` in a method of `c`).
fn own_receiver(src: &str, start: usize) -> bool {
    let Some(name) = crate::scan::context::receiver(src, start) else {
        return true;
    };
    // A class (`OxaRequest::send(...)`) is the helper's own; an instance of something else
    // (`res.send('ok')`) is not, unless it is a Go method's one- or two-letter receiver.
    matches!(
        name,
        "this" | "$this" | "self" | "static" | "parent" | "cls"
    ) || name.starts_with(|c: char| c.is_ascii_uppercase())
        || (!name.is_empty() && name.len() <= 2 && name.chars().all(|c| c.is_ascii_lowercase()))
}

/// `def request(`, `function request(`, `func (c *C) fetch(`: a definition, not a call.
fn defined_here(src: &str, start: usize) -> bool {
    let before = src[..start].trim_end();
    ["def", "function", "fn", "func", "fun", "async"]
        .iter()
        .any(|kw| before.ends_with(kw))
        || before.ends_with(')')
            && src[..start]
                .lines()
                .last()
                .is_some_and(|l| l.trim_start().starts_with("func"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::build_view;

    fn callees(lang: Language, src: &str) -> Vec<String> {
        let view = build_view(lang, src);
        library_calls(lang, src, &view)
            .into_iter()
            .map(|c| src[c.callee].to_string())
            .collect()
    }

    #[test]
    fn http_calls_are_found_and_routes_and_dict_reads_are_not() {
        let js = "const r = await axios.post(url, body);\napp.post('/cb', h);\nconst s = map.get('k');\nconst t = await fetch(u);\n";
        assert_eq!(callees(Language::Javascript, js), vec!["post", "fetch"]);
        let py =
            "r = requests.post(url, json=d)\ns = data.get('status')\nt = self.session.get(url)\n";
        assert_eq!(callees(Language::Python, py), vec!["post", "get"]);
        let py = "        return await self(call)\n        return await self.session(GetInfo(uuid=u))\n        self.selfish(x)\n";
        assert_eq!(callees(Language::Python, py), vec!["self", "self.session"]);
        let php = "<?php\n$r = curl_exec($ch);\n$x = Http::withHeaders($h)->post($url, $d);\n";
        assert_eq!(callees(Language::Php, php), vec!["curl_exec", "post"]);
        let go = "package x\nfunc f() {\n\treq, _ := http.NewRequest(\"POST\", u, b)\n\tres, _ := c.client.Do(req)\n}\n";
        assert_eq!(callees(Language::Go, go), vec!["http.NewRequest", "Do"]);
    }

    #[test]
    fn sending_names_are_not_operations() {
        for n in [
            "_request",
            "send",
            "makeRequest",
            "api_call",
            "sendRequest",
            "do_request",
        ] {
            assert!(is_sending_name(n), "{n}");
        }
        for n in [
            "create_invoice",
            "get_payment_info",
            "requestPayout",
            "sender",
        ] {
            assert!(!is_sending_name(n), "{n}");
        }
    }

    #[test]
    fn helper_calls_skip_definitions() {
        let src = "class S {\n  request(p) { return fetch(p); }\n  info() { return this.request('/payment/info'); }\n}\n";
        let view = build_view(Language::Javascript, src);
        let calls = helper_calls(src, &view, &["request".to_string()]);
        assert_eq!(calls.len(), 1);
        let other = "res.status(200).send('ok');\nsend('/payment', b);\n";
        let view = build_view(Language::Javascript, other);
        assert_eq!(helper_calls(other, &view, &["send".to_string()]).len(), 1);
        assert_eq!(src[..calls[0].callee.start].lines().count(), 3);
    }
}
