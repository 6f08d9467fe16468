//! Provider responses held in variables: the name a call's result is assigned to, and the
//! fields read from it.

use regex::Regex;
use std::sync::OnceLock;

/// The variable a line assigns a call's result to (`const payout = await client...`, `$invoice
/// = $oxapay->create(...)`, `res, err := c.Create(...)`, `info = await client.get_info(...)`).
pub fn assigned(line: &str) -> Option<&str> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"^\s*(?:(?:const|let|var|val|final|auto)\s+)?(?:[\w<>\[\]?]+\s+)?\$?([A-Za-z_]\w*)(?:\s*,\s*\w+)?\s*(?::\s*[\w<>\[\]|. ]+?)?\s*:?=\s*(?:await\s+|yield\s+)?[\w$]",
        )
        .expect("the assignment pattern is valid")
    });
    let name = re.captures(line)?.get(1)?.as_str();
    (name.len() >= 2 && !matches!(name, "this" | "self" | "return")).then_some(name)
}

/// The fields read from `var` in `text`, with their offsets: `var.field`, `var?.field`,
/// `$var->field`, `var['field']`, `var["field"]`, `var.get("field")`, `var.data.field` (the
/// last segment).
pub fn reads<'a>(text: &'a str, var: &str) -> Vec<(usize, &'a str)> {
    let pattern = format!(
        r#"(?:^|[^\w$.>])\$?{}(?:\??\.|->)(?:(?:data|result|body)(?:\??\.|->))?(?:get\(\s*['"])?([A-Za-z_]\w*)|(?:^|[^\w$.>])\$?{}\[\s*['"]([A-Za-z_]\w*)['"]\s*\]"#,
        regex::escape(var),
        regex::escape(var)
    );
    let Ok(re) = Regex::new(&pattern) else {
        return Vec::new();
    };
    re.captures_iter(text)
        .filter_map(|c| {
            let m = c.get(1).or_else(|| c.get(2))?;
            // A method called on the response (`resp.raise_for_status()`) reads no field.
            if text[m.end()..].trim_start().starts_with('(') {
                return None;
            }
            let whole = c.get(0)?;
            let at = whole.start() + whole.as_str().find(var).unwrap_or(0);
            Some((at, m.as_str()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_of_call_results() {
        assert_eq!(
            assigned("\t\tconst payout = await client.payouts.create({"),
            Some("payout")
        );
        assert_eq!(
            assigned("        $invoice = $oxapay->createInvoice($data);"),
            Some("invoice")
        );
        assert_eq!(
            assigned("    info = await client.get_payment_info(uuid=u)"),
            Some("info")
        );
        assert_eq!(
            assigned("\tres, err := c.CreateInvoice(ctx, req)"),
            Some("res")
        );
        assert_eq!(assigned("    return client.create(x)"), None);
        assert_eq!(assigned("    if (x == client.create(y)) {"), None);
    }

    #[test]
    fn fields_read_from_a_response() {
        let text = "expect(payout.uuid).toBeDefined();\nlet u = payout?.data.url;\nx = payoutx.status;\n$s = $payout['status'];\npayout.raise_for_status()\n";
        let fields: Vec<&str> = reads(text, "payout").into_iter().map(|(_, f)| f).collect();
        assert_eq!(fields, vec!["uuid", "url", "status"]);
    }
}
