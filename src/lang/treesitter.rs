//! The tree-sitter backend: exact string and comment spans, and named functions with their
//! class or receiver, for the languages whose grammars we ship.

use super::view::{ClassSpan, FunctionSpan, MemberSpan, RegionKind};
use super::Language;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;
use tree_sitter::{Node, Parser, TreeCursor};

/// Node kinds that define a named function or method.
const FUNCTION_KINDS: &[&str] = &[
    "function_declaration",
    "generator_function_declaration",
    "function_definition",
    "method_definition",
    "method_declaration",
    "constructor_declaration",
    "local_function_statement",
    "method",
    "singleton_method",
];

/// Anonymous function kinds, named after what they are assigned to.
const ANONYMOUS_KINDS: &[&str] = &[
    "arrow_function",
    "function_expression",
    "function",
    "generator_function",
    "anonymous_function",
    "lambda_expression",
    "func_literal",
];

/// Node kinds that hold a sequence of statements: their named children are statements, and a
/// statement that holds one (an `if`, a function, a route registration with an inline handler)
/// spans only its header, up to where the block opens.
const BLOCK_KINDS: &[&str] = &[
    "program",
    "source_file",
    "module",
    "statement_block",
    "block",
    "compound_statement",
    "body_statement",
    "declaration_list",
    "class_body",
    "enum_body",
    "interface_body",
    "constructor_body",
    "function_body",
    "switch_block_statement_group",
    "switch_case",
    "switch_default",
    "case_clause",
    "expression_case",
    "default_case",
    "then",
    "else",
    "do_block",
    "block_body",
    "statements",
    "lambda_literal",
];

/// Node kinds that list a type's members without being a statement block: a Go struct's
/// fields, a TypeScript type literal's properties. Their children are members when a named type
/// declares them directly.
const MEMBER_LIST_KINDS: &[&str] = &["field_declaration_list", "object_type"];

/// Node kinds that list a function's parameters.
const PARAMETER_KINDS: &[&str] = &[
    "parameters",
    "formal_parameters",
    "parameter_list",
    "function_value_parameters",
    "method_parameters",
    "lambda_parameters",
];

/// Node kinds that give their methods a `Class.` prefix.
const CLASS_KINDS: &[&str] = &[
    "class_declaration",
    "class_definition",
    "class",
    "abstract_class_declaration",
    "interface_declaration",
    "enum_declaration",
    "record_declaration",
    "struct_declaration",
    "object_declaration",
    "trait_declaration",
    "module",
    "type_spec",
    "type_alias_declaration",
];

fn grammar(lang: Language) -> Option<tree_sitter::Language> {
    Some(match lang {
        Language::Php => tree_sitter_php::LANGUAGE_PHP.into(),
        Language::Javascript => tree_sitter_javascript::LANGUAGE.into(),
        Language::Typescript => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        Language::Go => tree_sitter_go::LANGUAGE.into(),
        Language::Java => tree_sitter_java::LANGUAGE.into(),
        Language::Kotlin => tree_sitter_kotlin_ng::LANGUAGE.into(),
        Language::Csharp => tree_sitter_c_sharp::LANGUAGE.into(),
        Language::Ruby => tree_sitter_ruby::LANGUAGE.into(),
        _ => return None,
    })
}

/// What the tree says about a file. `regions` is `None` when the parse had errors, so the
/// caller falls back to the lexical view for them.
pub struct Parsed {
    pub regions: Option<Vec<(Range<usize>, RegionKind)>>,
    pub functions: Vec<FunctionSpan>,
    pub statements: Vec<Range<usize>>,
    pub classes: Vec<ClassSpan>,
    pub members: Vec<MemberSpan>,
    pub parameters: Vec<Range<usize>>,
}

/// What a node kind means to the walk, looked up by kind id: comparing every node's kind name
/// against the lists above is most of the walk's cost on a big file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Other,
    Region(RegionKind),
    Class,
    Function,
    Anonymous,
    Block,
    MemberList,
    Parameters,
}

impl Role {
    fn of(kind: &str) -> Role {
        if let Some(region) = region_of(kind) {
            Role::Region(region)
        } else if CLASS_KINDS.contains(&kind) {
            Role::Class
        } else if FUNCTION_KINDS.contains(&kind) {
            Role::Function
        } else if ANONYMOUS_KINDS.contains(&kind) {
            Role::Anonymous
        } else if BLOCK_KINDS.contains(&kind) {
            Role::Block
        } else if MEMBER_LIST_KINDS.contains(&kind) {
            Role::MemberList
        } else if PARAMETER_KINDS.contains(&kind) {
            Role::Parameters
        } else {
            Role::Other
        }
    }
}

/// The role of every node kind of `lang`'s grammar, indexed by kind id; worked out once per
/// run for every grammar.
fn roles(lang: Language) -> &'static [Role] {
    static ROLES: OnceLock<HashMap<Language, Vec<Role>>> = OnceLock::new();
    let all = ROLES.get_or_init(|| {
        Language::ALL
            .into_iter()
            .filter_map(|l| {
                let grammar = grammar(l)?;
                let roles = (0..grammar.node_kind_count())
                    .map(|id| {
                        let id = u16::try_from(id).expect("tree-sitter kind ids are u16");
                        Role::of(grammar.node_kind_for_id(id).unwrap_or(""))
                    })
                    .collect();
                Some((l, roles))
            })
            .collect()
    });
    all.get(&lang).map_or(&[], Vec::as_slice)
}

/// Parses `src`, or `None` when no grammar serves `lang` or the parser gives up.
pub fn parse(lang: Language, src: &str) -> Option<Parsed> {
    let grammar = grammar(lang)?;
    let mut parser = Parser::new();
    parser.set_language(&grammar).ok()?;
    let tree = parser.parse(src, None)?;
    let root = tree.root_node();
    let mut walker = Walker {
        src: src.as_bytes(),
        roles: roles(lang),
        regions: Vec::new(),
        functions: Vec::new(),
        scopes: Vec::new(),
        region_end: 0,
        statements: Vec::new(),
        open: Vec::new(),
        classes: Vec::new(),
        members: Vec::new(),
        parameters: Vec::new(),
    };
    walker.visit(&mut root.walk(), false);
    Some(Parsed {
        regions: (!root.has_error()).then_some(walker.regions),
        functions: walker.functions,
        statements: walker.statements,
        classes: walker.classes,
        members: walker.members,
        parameters: walker.parameters,
    })
}

struct Walker<'a> {
    src: &'a [u8],
    roles: &'a [Role],
    regions: Vec<(Range<usize>, RegionKind)>,
    functions: Vec<FunctionSpan>,
    /// Enclosing classes (`Some`) and functions (`None`), innermost last: a function is a
    /// method only when a class, not another function, directly encloses it.
    scopes: Vec<Option<String>>,
    /// End of the string region being walked; literals nested in it are part of it.
    region_end: usize,
    /// Statements found so far, each cut at the first block it holds.
    statements: Vec<Range<usize>>,
    /// Statements being walked whose extent no block has cut yet.
    open: Vec<usize>,
    /// Named classes, structs, interfaces, enums and type aliases.
    classes: Vec<ClassSpan>,
    /// Declarations directly in a named type's body that are not methods or nested types.
    members: Vec<MemberSpan>,
    /// Parameter lists of functions, in source order.
    parameters: Vec<Range<usize>>,
}

impl Walker<'_> {
    fn text(&self, node: Node<'_>) -> &str {
        node.utf8_text(self.src).unwrap_or("")
    }

    /// Visits the cursor's node and everything below it; one cursor serves the whole tree.
    /// `in_block`: the node is a direct child of a statement sequence, so it is a statement.
    fn visit(&mut self, cursor: &mut TreeCursor<'_>, in_block: bool) {
        let node = cursor.node();
        let role = self
            .roles
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or(Role::Other);
        if role == Role::Block {
            // Every statement around this block ends where the block starts.
            for i in self.open.drain(..) {
                let s = &mut self.statements[i];
                s.end = s.end.min(node.start_byte()).max(s.start);
            }
        }
        let opened = in_block && node.is_named() && !matches!(role, Role::Region(_) | Role::Block);
        if opened {
            self.open.push(self.statements.len());
            self.statements.push(node.byte_range());
            if role == Role::Other && matches!(self.scopes.last(), Some(Some(_))) {
                if let Some(name) = member_name(node) {
                    self.members.push(MemberSpan {
                        range: node.byte_range(),
                        name: name.byte_range(),
                    });
                }
            }
        }
        if let Role::Region(mut region) = role {
            // A string that is a whole statement (a Python docstring, a JS directive) is
            // documentation: what it names is prose, as in a comment.
            if region == RegionKind::String
                && node.parent().is_some_and(|p| {
                    p.kind() == "expression_statement" && p.named_child_count() == 1
                })
            {
                region = RegionKind::Comment;
            }
            if node.start_byte() >= self.region_end {
                self.regions.push((node.byte_range(), region));
                self.region_end = node.end_byte();
            }
            if region == RegionKind::Comment || node.named_child_count() == 0 {
                return;
            }
        }
        if role == Role::Parameters {
            self.parameters.push(node.byte_range());
        }
        let mut scope = None;
        if role == Role::Class {
            if let Some(name) = node.child_by_field_name("name") {
                let name = self
                    .text(name)
                    .rsplit("::")
                    .next()
                    .unwrap_or("")
                    .to_string();
                self.classes.push(ClassSpan {
                    name: name.clone(),
                    range: node.byte_range(),
                });
                scope = Some(Some(name));
            }
        } else if let Some((name, name_at)) = self.function_name(node, role) {
            let name = match (self.scopes.last(), name.contains('.')) {
                (Some(Some(class)), false) => format!("{class}.{name}"),
                _ => name,
            };
            // A function expression bound to a name (`X.prototype.sign = function () {}`)
            // spans from its name: the binding is part of its definition.
            self.functions.push(FunctionSpan {
                name,
                range: name_at.min(node.start_byte())..node.end_byte(),
                name_at,
            });
            scope = Some(None);
        }
        let pushed = scope.is_some();
        if let Some(s) = scope {
            self.scopes.push(s);
        }
        let lists_members = role == Role::MemberList && matches!(self.scopes.last(), Some(Some(_)));
        if cursor.goto_first_child() {
            loop {
                self.visit(
                    cursor,
                    role == Role::Block || lists_members || node.parent().is_none(),
                );
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
            cursor.goto_parent();
        }
        if pushed {
            self.scopes.pop();
        }
        if opened {
            let last = self.statements.len() - 1;
            self.open.retain(|&i| i != last);
        }
    }

    /// The name of the function `node` defines and where that name is, if it defines one.
    fn function_name(&self, node: Node<'_>, role: Role) -> Option<(String, usize)> {
        if role == Role::Function {
            let ident = node.child_by_field_name("name")?;
            let name = self.text(ident).to_string();
            return Some(match self.receiver(node, ident) {
                Some(recv) => (format!("{recv}.{name}"), ident.start_byte()),
                None => (name, ident.start_byte()),
            });
        }
        if role == Role::Anonymous {
            return self.binding_name(node);
        }
        None
    }

    /// `const handler = () => {}`, `{ create: function () {} }`, `exports.handler = ...`,
    /// class fields `handle = async () => {}`.
    fn binding_name(&self, node: Node<'_>) -> Option<(String, usize)> {
        let parent = node.parent()?;
        let target = match parent.kind() {
            "variable_declarator" => parent.child_by_field_name("name"),
            "pair" => parent.child_by_field_name("key"),
            "assignment_expression" => parent.child_by_field_name("left"),
            "public_field_definition" | "field_definition" => parent
                .child_by_field_name("name")
                .or_else(|| parent.child_by_field_name("property")),
            _ => None,
        }?;
        let text = self.text(target);
        // `Service.prototype.refund = function () {}` (compiled classes) is a method.
        if let Some((class, method)) = text.split_once(".prototype.") {
            let class = class.rsplit('.').next().unwrap_or(class);
            let ident =
                |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
            if ident(class) && ident(method) {
                let at = target.start_byte() + text.rfind(method).unwrap_or(0);
                return Some((format!("{class}.{method}"), at));
            }
        }
        let last = text
            .rsplit(['.', '>'])
            .next()
            .unwrap_or(text)
            .trim_matches(['"', '\'', '$']);
        (!last.is_empty() && last.chars().all(|c| c.is_alphanumeric() || c == '_')).then(|| {
            (
                last.to_string(),
                target.start_byte() + text.rfind(last).unwrap_or(0),
            )
        })
    }

    /// The type a function is declared on outside any class: a Go method's receiver
    /// (`(c *Client)` → `Client`) or a Kotlin extension's (`fun Route.pay()` → `Route`,
    /// `fun <T> List<T>.second()` → `List`), the type written before the name.
    fn receiver(&self, node: Node<'_>, name: Node<'_>) -> Option<String> {
        let recv = match node.kind() {
            "method_declaration" => node.child_by_field_name("receiver")?,
            "function_declaration" => {
                let mut cursor = node.walk();
                let before_name = node
                    .named_children(&mut cursor)
                    .take_while(|c| c.end_byte() <= name.start_byte())
                    .filter(|c| matches!(c.kind(), "user_type" | "nullable_type"))
                    .last();
                before_name?
            }
            _ => return None,
        };
        let text = self.text(recv);
        let ty = text
            .trim_matches(['(', ')'])
            .split_whitespace()
            .last()?
            .trim_start_matches('*');
        let ty = ty.split(['[', '<', '?']).next().unwrap_or(ty);
        (!ty.is_empty()).then(|| ty.rsplit('.').next().unwrap_or(ty).to_string())
    }
}

/// The name a member declaration declares: the `name` field where the grammar has one
/// (properties, Go fields, enum cases), else through the declarator or assignment that holds it
/// (Java and C# fields, Python annotated attributes), else the first identifier that is not
/// part of a type, annotation or modifier (PHP properties).
fn member_name(node: Node<'_>) -> Option<Node<'_>> {
    for field in ["name", "declarator", "left", "property"] {
        if let Some(child) = node.child_by_field_name(field) {
            return if is_identifier(child.kind()) {
                Some(child)
            } else {
                member_name(child)
            };
        }
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    for child in children {
        let kind = child.kind();
        if is_identifier(kind) {
            return Some(child);
        }
        let skipped = [
            "type",
            "annotation",
            "modifier",
            "attribute",
            "comment",
            "string",
        ]
        .iter()
        .any(|k| kind.contains(k));
        if !skipped {
            if let Some(name) = member_name(child) {
                return Some(name);
            }
        }
    }
    None
}

fn is_identifier(kind: &str) -> bool {
    kind.ends_with("identifier") && !kind.contains("type")
        || matches!(kind, "name" | "variable_name")
}

fn region_of(kind: &str) -> Option<RegionKind> {
    if kind.contains("comment") {
        Some(RegionKind::Comment)
    } else if matches!(
        kind,
        "string"
            | "string_literal"
            | "template_string"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "encapsed_string"
            | "heredoc"
            | "nowdoc"
            | "verbatim_string_literal"
            | "interpolated_string_expression"
            | "raw_string"
            | "character_literal"
            | "char_literal"
            | "string_content"
            | "multiline_string_literal"
            | "line_string_literal"
    ) {
        Some(RegionKind::String)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(lang: Language, src: &str) -> Vec<String> {
        parse(lang, src)
            .unwrap()
            .functions
            .into_iter()
            .map(|f| f.name)
            .collect()
    }

    #[test]
    fn javascript_names() {
        let src = "class Pay { async create(a) { return 1 } }\n\
                   const handler = async (req) => { return 2 };\n\
                   module.exports.verifyHmac = function (x) {};\n\
                   Pay.prototype.refund = function (x) {};\n\
                   app.post('/cb', (req, res) => {});\n\
                   function plain() {}\n";
        assert_eq!(
            names(Language::Javascript, src),
            vec!["Pay.create", "handler", "verifyHmac", "Pay.refund", "plain"]
        );
        // A bound function expression spans from its name, so a rule scoped to the function
        // sees `generateSign` when the body only computes the signature.
        let view = parse(Language::Javascript, src).unwrap();
        let refund = view
            .functions
            .iter()
            .find(|f| f.name == "Pay.refund")
            .unwrap();
        assert!(src[refund.range.clone()].starts_with("refund = function (x) {}"));
        let plain = view.functions.iter().find(|f| f.name == "plain").unwrap();
        assert!(src[plain.range.clone()].starts_with("function plain"));
    }

    #[test]
    fn go_receivers_and_python_classes() {
        let go = "package x\nfunc (c *Client) CreateInvoice() {}\nfunc Verify() {}\n";
        assert_eq!(
            names(Language::Go, go),
            vec!["Client.CreateInvoice", "Verify"]
        );
        let py = "class Api:\n    def create(self):\n        def inner():\n            pass\n";
        assert_eq!(names(Language::Python, py), vec!["Api.create", "inner"]);
    }

    #[test]
    fn php_java_csharp_ruby_kotlin() {
        let php = "<?php\nclass OxaPay { public function createInvoice($a) { return 1; } }\nfunction helper() {}\n";
        assert_eq!(
            names(Language::Php, php),
            vec!["OxaPay.createInvoice", "helper"]
        );
        let java = "class Client { String sign(String b) { return b; } }";
        assert_eq!(names(Language::Java, java), vec!["Client.sign"]);
        let cs = "class Hook { public bool Verify(string s) { return true; } }";
        assert_eq!(names(Language::Csharp, cs), vec!["Hook.Verify"]);
        let rb = "class Pay\n  def create\n  end\nend\n";
        assert_eq!(names(Language::Ruby, rb), vec!["Pay.create"]);
        let kt = "class Pay { fun create(): Int { return 1 } }";
        assert_eq!(names(Language::Kotlin, kt), vec!["Pay.create"]);
    }

    #[test]
    fn kotlin_extension_functions_are_named_after_their_receiver() {
        let kt = "fun Route.checkout(a: Int): Route { post(\"/x\") { }; return this }\n\
                  fun <T> List<T>.second(): T = this[1]\n\
                  fun String?.orNone(): String = this ?: \"\"\n\
                  fun plain(): Route = TODO()\n\
                  enum class S(val w: String) {\n    A(\"a\");\n    companion object {\n        fun fromWire(v: String) = A\n    }\n}\n";
        assert_eq!(
            names(Language::Kotlin, kt),
            vec![
                "Route.checkout",
                "List.second",
                "String.orNone",
                "plain",
                "S.fromWire"
            ]
        );
    }

    fn members(lang: Language, src: &str) -> Vec<String> {
        parse(lang, src)
            .unwrap()
            .members
            .into_iter()
            .map(|m| src[m.name].to_string())
            .collect()
    }

    #[test]
    fn members_are_the_fields_a_type_declares_outside_its_methods() {
        let py = "class CreateInvoice(Method, api_method=\"/v1/payment\"):\n    \"\"\"Doc.\"\"\"\n    amount: StrFloat\n    order_id: str = Field(min_length=1)\n    def f(self):\n        x = 1\n";
        assert_eq!(members(Language::Python, py), vec!["amount", "order_id"]);
        let java = "class P {\n  @SerializedName(\"order_id\")\n  private final String orderId;\n  private BigDecimal amount;\n  P() { int y = 2; }\n}\nenum S { PAID, FAIL }\n";
        assert_eq!(
            members(Language::Java, java),
            vec!["orderId", "amount", "PAID", "FAIL"]
        );
        let go = "package x\ntype Payment struct {\n\tNetwork string `json:\"network,omitempty\"`\n\tUUID string\n}\n";
        assert_eq!(members(Language::Go, go), vec!["Network", "UUID"]);
        let ts = "interface W {\n  wallet_uuid: string;\n  url?: string;\n}\ntype T = { uuid: string };\nclass C { private readonly key: string; m() { const a = { b: 1 }; } }\n";
        assert_eq!(
            members(Language::Typescript, ts),
            vec!["wallet_uuid", "url", "uuid", "key"]
        );
        let php = "<?php\nclass R {\n  use OxaRequest;\n  private $secretKey;\n  const VERSION = 'v1';\n  public function f() { $a = 1; }\n}\n";
        assert_eq!(
            members(Language::Php, php),
            vec!["OxaRequest", "$secretKey", "VERSION"]
        );
        let cs = "class P { [JsonPropertyName(\"uuid\")] public string Uuid { get; set; } private readonly string _apiKey; }";
        assert_eq!(members(Language::Csharp, cs), vec!["Uuid", "_apiKey"]);
    }

    #[test]
    fn strings_and_comments() {
        let src = "const u = `https://${host}/x`; // note\n";
        let parsed = parse(Language::Javascript, src).unwrap();
        let regions = parsed.regions.unwrap();
        let kinds: Vec<(&str, RegionKind)> =
            regions.iter().map(|(r, k)| (&src[r.clone()], *k)).collect();
        assert_eq!(kinds[0], ("`https://${host}/x`", RegionKind::String));
        assert_eq!(kinds.last().unwrap(), &("// note", RegionKind::Comment));
    }
}
