//! The validation Puppet does after parsing (`validation/checker4_0.rb`): every rule
//! that does not need an environment, with Puppet's issue codes and messages, in the
//! order Puppet reports them (a pre-order walk of the tree).

use std::collections::HashSet;

use crate::ast::*;
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::Span;
use crate::stack::guarded;
use crate::visit::{Node, Visitor, Walk};

/// Checks a parsed program as Puppet's `Checker4_0` does for a file outside any module
/// (as `puppet parser validate FILE` does).
pub fn check(program: &Program) -> Vec<Diagnostic> {
    check_in(program, &FileLocation::Anywhere)
}

/// Where a file is, for Puppet's checks of what a module file may define.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileLocation {
    /// Not in a module (or not a `.pp` file): no location checks.
    Anywhere,
    /// In a module, but not in `manifests`, `functions`, `types` or `plans`.
    BadModuleFile { file: String },
    /// In a module: definitions' names must start with this namespace (`apache::vhost`).
    Module { file: String, namespace: String },
}

impl FileLocation {
    /// The location of a `.pp` file from its path relative to a module folder of the
    /// modulepath (`apache/manifests/vhost.pp`), as Puppet's `namespace_for_file` does.
    /// `file` is the path shown in messages.
    pub fn in_modulepath(relative: &std::path::Path, file: String) -> FileLocation {
        if relative.extension().is_none_or(|extension| extension != "pp") {
            return FileLocation::Anywhere;
        }
        let components: Vec<String> =
            relative.components().map(|component| component.as_os_str().to_string_lossy().to_lowercase()).collect();
        if components.len() < 2 || !matches!(components[1].as_str(), "manifests" | "functions" | "types" | "plans") {
            return FileLocation::BadModuleFile { file };
        }
        let mut names = vec![components[0].clone()];
        names.extend(components[2..components.len() - 1].iter().cloned());
        let file_name = &components[components.len() - 1];
        if !(components.len() == 3 && file_name == "init.pp") {
            names.push(file_name.trim_end_matches(".pp").to_string());
        }
        FileLocation::Module { file, namespace: names.join("::") }
    }
}

/// [`check`] for a file at a known place in a module.
pub fn check_in(program: &Program, location: &FileLocation) -> Vec<Diagnostic> {
    let mut checker = Checker { path: Vec::new(), diagnostics: Vec::new(), location, rvalue_chain: RvalueChain::default() };
    crate::visit::walk(program, &mut checker);
    checker.diagnostics
}

/// Where Puppet positions an expression: binary expressions at their operator.
fn position(expr: &Expr) -> Span {
    match &expr.kind {
        ExprKind::Binary { op_span, .. } => *op_span,
        _ => expr.span,
    }
}

const RESERVED_TYPE_NAMES: &[&str] = &[
    "type", "any", "unit", "scalar", "boolean", "numeric", "integer", "float", "collection", "array", "hash", "tuple",
    "struct", "variant", "optional", "enum", "regexp", "pattern", "runtime", "init", "object", "sensitive", "semver",
    "semverrange", "string", "timestamp", "timespan", "typeset",
];

impl<'a> Visitor<'a> for Checker<'a> {
    fn enter(&mut self, node: Node<'a>, _ancestors: &[Node<'a>]) -> Walk {
        self.check(node);
        if let Node::Program(program) = node {
            self.top_constructs_in_module(program);
        }
        self.path.push(node);
        Walk::Children
    }

    fn leave(&mut self, _node: Node<'a>, _ancestors: &[Node<'a>]) {
        self.path.pop();
    }
}

struct Checker<'a> {
    path: Vec<Node<'a>>,
    diagnostics: Vec<Diagnostic>,
    location: &'a FileLocation,
    rvalue_chain: RvalueChain,
}

/// The last chain of unary expressions (`((( x )))`, `!!x`) whose value [`Checker::rvalue`]
/// checked. Puppet checks the chain again from each of its nodes (quadratic in the
/// nesting); the walk visits them in order, so each later check reuses the outcome.
#[derive(Default)]
struct RvalueChain {
    /// Addresses of the chain's inner nodes, outermost first.
    nodes: Vec<usize>,
    /// The index in `nodes` of the next node the walk will check.
    next: usize,
    /// The error at the chain's end, if it is not a value.
    outcome: Option<(String, Span)>,
}

impl<'a> Checker<'a> {

    fn container(&self, back: usize) -> Option<Node<'a>> {
        self.path.len().checked_sub(back).map(|index| self.path[index])
    }

    fn error(&mut self, code: &'static str, message: String, at: Span) {
        self.diagnostics.push(Diagnostic::error(code, message, at));
    }

    fn report(&mut self, severity: Severity, code: &'static str, message: String, at: Span) {
        self.diagnostics.push(Diagnostic { severity, code, message, span: at });
    }

    fn check(&mut self, node: Node<'a>) {
        match node {
            Node::Parameter(parameter) => self.check_parameter(parameter),
            Node::KeyedEntry(entry) => {
                self.rvalue(&entry.key);
                self.rvalue(&entry.value);
            }
            Node::SelectorEntry(entry) => self.rvalue(&entry.matching),
            Node::CaseOption(option) => option.values.iter().for_each(|value| self.rvalue(value)),
            Node::AttributeOp(operation) => self.check_attribute_operation(operation),
            Node::ResourceBody(body) => {
                let mut seen = false;
                for operation in &body.operations {
                    if let AttributeOp::Splat { span, .. } = operation {
                        if seen {
                            self.error(
                                "MULTIPLE_ATTRIBUTES_UNFOLD",
                                "Unfolding of attributes from Hash can only be used once per resource body".into(),
                                *span,
                            );
                        }
                        seen = true;
                    }
                }
            }
            Node::Query(_, Some(expr)) => self.query(expr),
            Node::Query(_, None) | Node::Program(_) => {}
            Node::Expr(expr) => self.check_expr(expr),
        }
    }

    fn check_expr(&mut self, expr: &'a Expr) {
        match &expr.kind {
            ExprKind::Binary { op, left, right, .. } => match op.class() {
                BinaryClass::Assignment => {
                    if *op == BinaryOp::Assign {
                        self.assign(left, false);
                        self.rvalue(right);
                    } else {
                        self.error(
                            "APPENDS_DELETES_NO_LONGER_SUPPORTED",
                            format!(
                                "The operator '{}' is no longer supported. See http://links.puppet.com/remove-plus-equals",
                                op.as_str()
                            ),
                            position(expr),
                        );
                    }
                }
                BinaryClass::Relationship => {
                    for side in [left, right] {
                        if !matches!(side.kind, ExprKind::Collect { .. } | ExprKind::Binary { op: BinaryOp::InEdge | BinaryOp::InEdgeSub | BinaryOp::OutEdge | BinaryOp::OutEdgeSub, .. }) {
                            self.rvalue(side);
                        }
                    }
                }
                _ => {
                    self.rvalue(left);
                    self.rvalue(right);
                }
            },
            ExprKind::Unary { expr: inner, .. } | ExprKind::Text(inner) | ExprKind::Render(inner) => self.rvalue(inner),
            ExprKind::Block(statements) => self.check_block(expr, statements),
            ExprKind::Call(call) => self.check_call(expr, call),
            ExprKind::Case { test, options } => {
                self.rvalue(test);
                let mut found_default = false;
                for value in options.iter().flat_map(|option| option.values.iter()) {
                    if matches!(value.kind, ExprKind::LiteralDefault) {
                        if found_default {
                            self.error(
                                "DUPLICATE_DEFAULT",
                                "This 'case' statement already has a 'default' entry - this is a duplicate".into(),
                                value.span,
                            );
                        }
                        found_default = true;
                    }
                }
            }
            ExprKind::Selector { left, entries } => {
                self.rvalue(left);
                let defaults: Vec<&SelectorEntry> =
                    entries.iter().filter(|entry| matches!(entry.matching.kind, ExprKind::LiteralDefault)).collect();
                if defaults.len() > 1 {
                    self.error(
                        "DUPLICATE_DEFAULT",
                        "This Selector Expression already has a 'default' entry - this is a duplicate".into(),
                        defaults[1].matching.span,
                    );
                }
            }
            ExprKind::Collect { type_expr, .. }
                if !matches!(type_expr.kind, ExprKind::QualifiedReference(_)) => {
                    let message = format!(
                        "Illegal expression. {} is unacceptable as type name in {}",
                        a_an_uc(&label(type_expr)),
                        a_an(&label(expr))
                    );
                    self.error("ILLEGAL_EXPRESSION", message, type_expr.span);
                }
            ExprKind::NamedAccess { right, .. }
                if !matches!(right.kind, ExprKind::QualifiedName(_)) => {
                    let container = self.container(1).map_or_else(|| "Undef Value".to_string(), node_label);
                    let message = format!(
                        "Illegal expression. {} is unacceptable as function name in {}",
                        a_an_uc(&label(right)),
                        a_an(&container)
                    );
                    self.error("ILLEGAL_EXPRESSION", message, right.span);
                }
            ExprKind::Definition(definition) => self.check_definition(expr, definition),
            ExprKind::TypeAlias { name, type_expr } => {
                self.top(expr);
                if !is_classref_ext_decl(name) {
                    self.illegal_definition_name(expr, name);
                }
                self.reserved_type_name(expr, name);
                self.type_ref(expr, type_expr);
            }
            ExprKind::TypeMapping { type_expr, mapping_expr } => self.check_type_mapping(expr, type_expr, mapping_expr),
            ExprKind::TypeDefinition { name, .. } => {
                self.top(expr);
                self.reserved_type_name(expr, name);
                self.error(
                    "UNSUPPORTED_EXPRESSION",
                    "Expressions of type a Type Definition are not supported in this version of Puppet".into(),
                    expr.span,
                );
            }
            ExprKind::Node { host_matches, parent, body } => {
                for host in host_matches {
                    self.hostname(host, expr);
                }
                self.top(expr);
                self.no_idem_last(expr, body.as_deref());
                if let Some(parent) = parent {
                    self.error(
                        "ILLEGAL_NODE_INHERITANCE",
                        "Node inheritance is not supported in Puppet >= 4.0.0. See http://links.puppet.com/puppet-node-inheritance-deprecation".into(),
                        parent.span,
                    );
                }
            }
            ExprKind::If { test, .. } | ExprKind::Unless { test, .. } => self.rvalue(test),
            ExprKind::Lambda(lambda) => {
                let last = lambda.parameters.len().saturating_sub(1);
                for (index, parameter) in lambda.parameters.iter().enumerate() {
                    if parameter.captures_rest && index != last {
                        self.error(
                            "CAPTURES_REST_NOT_LAST",
                            format!("Parameter ${} is not last, and has 'captures rest'", parameter.name),
                            parameter.span,
                        );
                    }
                }
                if let Some(return_type) = &lambda.return_type {
                    self.type_ref(expr, return_type);
                }
            }
            ExprKind::Epp { .. } => {
                if let Some(lambda_expr) = self.container(1).and_then(Node::expr) {
                    if let ExprKind::Lambda(lambda) = &lambda_expr.kind {
                        self.no_capture(&lambda.parameters, "Epp Template");
                        self.parameter_name_uniqueness(&lambda.parameters);
                    }
                }
            }
            ExprKind::LiteralList(values) => values.iter().for_each(|value| self.rvalue(value)),
            ExprKind::LiteralInteger { value, .. }
                if (*value < i128::from(i64::MIN) || *value > i128::from(i64::MAX)) => {
                    let (bound, shown) = if *value > 0 {
                        ("max", format!("+{value:#x}"))
                    } else {
                        ("min", format!("-{:#x}", value.unsigned_abs()))
                    };
                    let message = format!(
                        "{} resulted in a value outside of Puppet Integer {bound} range, got '{shown}'",
                        a_an_uc(&label(expr))
                    );
                    self.error("NUMERIC_OVERFLOW", message, expr.span);
                }
            ExprKind::LiteralHash(entries) => {
                let mut unique = HashSet::new();
                for entry in entries {
                    if let Some(key) = literal_key(&entry.key) {
                        if !unique.insert(key.clone()) {
                            self.report(
                                Severity::Warning,
                                "DUPLICATE_KEY",
                                format!("The key '{key}' is declared more than once"),
                                entry.span,
                            );
                        }
                    }
                }
            }
            ExprKind::QualifiedReference(name)
                if !is_classref_ext(name) => {
                    self.error(
                        "ILLEGAL_CLASSREF",
                        format!("Illegal type reference. The given name '{name}' does not conform to the naming rule"),
                        expr.span,
                    );
                }
            ExprKind::Resource { form, type_name, .. }
                if *form != ResourceForm::Regular && matches!(&type_name.kind, ExprKind::QualifiedName(name) if name == "class") => {
                    self.error("CLASS_NOT_VIRTUALIZABLE", "Classes are not virtualizable".into(), expr.span);
                }
            ExprKind::ResourceDefaults { form, .. } | ExprKind::ResourceOverride { form, .. }
                if *form != ResourceForm::Regular => {
                    self.error("NOT_VIRTUALIZEABLE", "Resource Defaults are not virtualizable".into(), expr.span);
                }
            ExprKind::ReservedWord { word, future } => {
                if *future {
                    self.report(Severity::Deprecation, "FUTURE_RESERVED_WORD", format!("Use of future reserved word: '{word}'"), expr.span);
                } else {
                    self.error(
                        "RESERVED_WORD",
                        format!("Use of reserved word: {word}, must be quoted if intended to be a String value"),
                        expr.span,
                    );
                }
            }
            ExprKind::Variable(name_expr) => self.check_variable(expr, name_expr),
            _ => {}
        }
    }

    fn check_variable(&mut self, expr: &Expr, name_expr: &Expr) {
        let name = match &name_expr.kind {
            ExprKind::LiteralInteger { .. } => return,
            ExprKind::QualifiedName(name) => name,
            ExprKind::LiteralBoolean(value) => {
                // `${true}` is a variable named by the boolean itself. Puppet's
                // check_VariableExpression takes `name[0,1]` of it, and Ruby raises: the
                // validation fails with the NoMethodError's message (and no position).
                let class = if *value { "TrueClass" } else { "FalseClass" };
                self.error("INTERNAL_ERROR", format!("undefined method `[]' for {value}:{class}"), expr.span);
                return;
            }
            _ => {
                self.error("ILLEGAL_EXPRESSION", "Illegal expression. A Variable is unacceptable as name in a Variable".into(), expr.span);
                return;
            }
        };
        if name.starts_with(|ch: char| ch.is_ascii_digit()) {
            if !is_numeric_var_name(name) {
                self.error(
                    "ILLEGAL_NUMERIC_VAR_NAME",
                    format!("Illegal numeric variable name, The given name '{name}' must be a decimal value if it starts with a digit 0-9"),
                    expr.span,
                );
            }
        } else if !is_var_name(name) {
            self.error(
                "ILLEGAL_VAR_NAME",
                format!("Illegal variable name, The given name '{name}' does not conform to the naming rule /^((::)?[a-z]\\w*)*((::)?[a-z_]\\w*)$/"),
                expr.span,
            );
        }
    }

    fn check_block(&mut self, block: &Expr, statements: &[Expr]) {
        if let Some(name) = resource_without_title(block) {
            self.error(
                "RESOURCE_WITHOUT_TITLE",
                format!("This expression is invalid. Did you try declaring a '{name}' resource without a title?"),
                block.span,
            );
            return;
        }
        if let Some((_, init)) = statements.split_last() {
            if let Some(statement) = init.iter().find(|statement| idem(statement)) {
                self.error(
                    "IDEM_EXPRESSION_NOT_LAST",
                    format!(
                        "This {} has no effect. A value was produced and then forgotten (one or more preceding expressions may have the wrong form)",
                        label(statement)
                    ),
                    position(statement),
                );
            }
        }
    }

    fn check_call(&mut self, expr: &Expr, call: &Call) {
        if call.kind != CallKind::Named {
            return;
        }
        match &call.functor.kind {
            ExprKind::QualifiedReference(_) | ExprKind::QualifiedName(_) => {}
            ExprKind::Access { left, .. } if matches!(left.kind, ExprKind::QualifiedReference(_)) => {}
            ExprKind::RenderString(_) => self.error(
                "ILLEGAL_EPP_PARAMETERS",
                "Ambiguous EPP parameter expression. Probably missing '<%-' before parameters to remove leading whitespace".into(),
                expr.span,
            ),
            _ => {
                let message = format!(
                    "Illegal expression. {} is unacceptable as function name in {}",
                    a_an_uc(&label(&call.functor)),
                    a_an(&label(expr))
                );
                self.error("ILLEGAL_EXPRESSION", message, position(&call.functor));
            }
        }
    }

    fn check_definition(&mut self, expr: &'a Expr, definition: &NamedDefinition) {
        self.top(expr);
        if !is_classref_decl(&definition.name) {
            self.illegal_definition_name(expr, &definition.name);
        }
        self.file_namespace(expr, &definition.name);
        self.reserved_type_name(expr, &definition.name);
        if definition.name == "plan" {
            self.report(Severity::Deprecation, "FUTURE_RESERVED_WORD", "Use of future reserved word: 'plan'".into(), expr.span);
        }
        match definition.kind {
            DefinitionKind::Function | DefinitionKind::Plan => {
                if let Some(return_type) = &definition.return_type {
                    self.type_ref(expr, return_type);
                }
                self.parameter_name_uniqueness(&definition.parameters);
            }
            DefinitionKind::Class | DefinitionKind::Define => {
                let container_label = label(expr);
                self.no_capture(&definition.parameters, &container_label);
                self.parameter_name_uniqueness(&definition.parameters);
                for parameter in &definition.parameters {
                    if parameter.name == "name" || parameter.name == "title" {
                        self.error(
                            "RESERVED_PARAMETER",
                            format!("The parameter ${} redefines a built in parameter in the {container_label}", parameter.name),
                            parameter.span,
                        );
                    }
                }
                self.no_idem_last(expr, definition.body.as_ref());
            }
        }
    }

    fn check_type_mapping(&mut self, expr: &Expr, lhs: &Expr, rhs: &Expr) {
        self.top(expr);
        let mut lhs_type = 0;
        if let ExprKind::Access { left, keys } = &lhs.kind {
            if matches!(&left.kind, ExprKind::QualifiedReference(name) if name == "Runtime") {
                lhs_type = 1;
                if keys.len() == 2 && pattern_with_replacement(&keys[1]) {
                    lhs_type = 2;
                }
            }
        }
        let single = "Illegal type mapping. Expected a Type on the left side, got a Type Mapping";
        let regexp = "Illegal type mapping. Expected a Tuple[Regexp,String] on the left side, got a Type Mapping";
        if lhs_type == 0 {
            self.error(
                "UNSUPPORTED_EXPRESSION",
                "Expressions of type a Type Mapping are not supported in this version of Puppet".into(),
                expr.span,
            );
        } else if pattern_with_replacement(rhs) {
            if lhs_type == 1 {
                self.error("ILLEGAL_TYPE_MAPPING", single.into(), expr.span);
            }
        } else if type_ref(rhs) {
            if lhs_type == 2 {
                self.error("ILLEGAL_TYPE_MAPPING", regexp.into(), expr.span);
            }
        } else {
            self.error("ILLEGAL_TYPE_MAPPING", if lhs_type == 1 { single } else { regexp }.into(), expr.span);
        }
    }

    fn check_parameter(&mut self, parameter: &'a Parameter) {
        let name = &parameter.name;
        let digits = name.strip_prefix("0x").unwrap_or(name);
        if !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()) {
            self.error(
                "ILLEGAL_NUMERIC_PARAMETER",
                format!("The numeric parameter name '${name}' cannot be used (clashes with numeric match result variables)"),
                parameter.span,
            );
        }
        if !is_param_name(name) {
            self.error(
                "ILLEGAL_PARAM_NAME",
                format!("Illegal parameter name. The given name '{name}' does not conform to the naming rule /^[a-z_]\\w*$/"),
                parameter.span,
            );
        }
        if let Some(value) = &parameter.value {
            self.illegal_assignment(Node::Expr(value));
        }
    }

    fn illegal_assignment(&mut self, node: Node<'a>) {
        guarded(|| {
            if let Some(expr) = node.expr() {
                if matches!(expr.kind, ExprKind::Binary { op: BinaryOp::Assign | BinaryOp::AddAssign | BinaryOp::SubAssign, .. }) {
                    self.error("ILLEGAL_ASSIGNMENT_CONTEXT", "Assignment not allowed here".into(), position(expr));
                    return;
                }
                if matches!(expr.kind, ExprKind::Lambda(_)) {
                    return;
                }
            }
            for child in node.children() {
                self.illegal_assignment(child);
            }
        });
    }

    fn check_attribute_operation(&mut self, operation: &AttributeOp) {
        match operation {
            AttributeOp::Set { span, name, append, value } => {
                if *append {
                    let parent = self.container(1);
                    let allowed = matches!(
                        parent.and_then(Node::expr).map(|expr| &expr.kind),
                        Some(ExprKind::Collect { .. } | ExprKind::ResourceOverride { .. })
                    );
                    if !allowed {
                        let parent_label = parent.map_or_else(|| "Undef Value".to_string(), node_label);
                        self.error(
                            "ILLEGAL_ATTRIBUTE_APPEND",
                            format!("Illegal +> operation on attribute {name}. This operator can not be used in {}", a_an(&parent_label)),
                            *span,
                        );
                    }
                }
                self.rvalue(value);
            }
            AttributeOp::Splat { expr, .. } => self.rvalue(expr),
        }
    }

    fn top(&mut self, definition: &Expr) {
        let mut back = 1;
        loop {
            let Some(container) = self.container(back) else { return };
            back += 1;
            let container = match container {
                Node::Program(_) => return,
                Node::Expr(expr) => expr,
                // Case options, hash entries, resource bodies...: not a top level.
                _ => {
                    self.not_top_level(definition);
                    return;
                }
            };
            match &container.kind {
                ExprKind::Apply { .. } => return,
                ExprKind::Definition(outer) if outer.kind == DefinitionKind::Class => return,
                ExprKind::Block(_) => {
                    let outer_is_program = matches!(self.container(back), Some(Node::Program(_)) | None);
                    let absolute_only = matches!(
                        definition.kind,
                        ExprKind::Definition(ref inner) if inner.kind == DefinitionKind::Function
                    ) || matches!(definition.kind, ExprKind::TypeAlias { .. } | ExprKind::TypeDefinition { .. });
                    if !outer_is_program && absolute_only {
                        let message = format!("{} may only appear at toplevel", a_an_uc(&label(definition)));
                        self.error("NOT_ABSOLUTE_TOP_LEVEL", message, definition.span);
                        return;
                    }
                }
                _ => {
                    self.not_top_level(definition);
                    return;
                }
            }
        }
    }

    /// Puppet's `internal_check_file_namespace`.
    fn file_namespace(&mut self, expr: &Expr, name: &str) {
        let (file, allowed) = match self.location {
            FileLocation::Anywhere => return,
            FileLocation::BadModuleFile { file } => (file, false),
            FileLocation::Module { file, namespace } => (file, name.to_lowercase().starts_with(namespace.as_str())),
        };
        if !allowed {
            let message = format!("Unacceptable location. The name '{name}' is unacceptable in file '{file}'");
            self.error("ILLEGAL_DEFINITION_LOCATION", message, expr.span);
        }
    }

    /// Puppet's `internal_check_top_construct_in_module`: a module file holds definitions only.
    fn top_constructs_in_module(&mut self, program: &Program) {
        if matches!(self.location, FileLocation::Anywhere) || matches!(program.body.kind, ExprKind::Nop) {
            return;
        }
        let statements = match &program.body.kind {
            ExprKind::Block(statements) => statements.iter().collect::<Vec<_>>(),
            _ => vec![&program.body],
        };
        for statement in statements {
            let valid = matches!(
                statement.kind,
                ExprKind::Definition(_) | ExprKind::TypeAlias { .. } | ExprKind::TypeMapping { .. } | ExprKind::TypeDefinition { .. }
            );
            if valid {
                continue;
            }
            let message = format!("This {} is unacceptable as a top level construct in this location", label(statement));
            self.error("ILLEGAL_TOP_CONSTRUCT_LOCATION", message, position(statement));
        }
    }

    fn not_top_level(&mut self, definition: &Expr) {
        let message = "Classes, definitions, and nodes may only appear at toplevel or inside other classes";
        self.error("NOT_TOP_LEVEL", message.into(), definition.span);
    }

    fn illegal_definition_name(&mut self, expr: &Expr, name: &str) {
        self.error(
            "ILLEGAL_DEFINITION_NAME",
            format!("Unacceptable name. The name '{name}' is unacceptable as the name of {}", a_an(&label(expr))),
            expr.span,
        );
    }

    fn reserved_type_name(&mut self, expr: &Expr, name: &str) {
        if RESERVED_TYPE_NAMES.contains(&name) {
            self.error(
                "RESERVED_TYPE_NAME",
                format!("The name: '{name}' is already defined by Puppet and can not be used as the name of {}.", a_an(&label(expr))),
                expr.span,
            );
        }
    }

    fn type_ref(&mut self, container: &Expr, reference: &Expr) {
        let name = match &reference.kind {
            ExprKind::Access { left, .. } => left,
            _ => reference,
        };
        match &name.kind {
            ExprKind::QualifiedReference(value) => {
                if value.eq_ignore_ascii_case("plan") {
                    self.report(Severity::Deprecation, "FUTURE_RESERVED_WORD", "Use of future reserved word: 'plan'".into(), reference.span);
                }
            }
            _ => {
                let message = format!(
                    "Illegal expression. {} is unacceptable as a type reference in {}",
                    a_an_uc(&label(reference)),
                    a_an(&label(container))
                );
                self.error("ILLEGAL_EXPRESSION", message, position(reference));
            }
        }
    }

    fn no_capture(&mut self, parameters: &[Parameter], container_label: &str) {
        for parameter in parameters.iter().filter(|parameter| parameter.captures_rest) {
            self.error(
                "CAPTURES_REST_NOT_SUPPORTED",
                format!("Parameter ${} has 'captures rest' - not supported in {}", parameter.name, a_an(container_label)),
                parameter.span,
            );
        }
    }

    fn parameter_name_uniqueness(&mut self, parameters: &[Parameter]) {
        let mut unique = HashSet::new();
        for parameter in parameters {
            if !unique.insert(parameter.name.as_str()) {
                self.error(
                    "DUPLICATE_PARAMETER",
                    format!("The parameter '{}' is declared more than once in the parameter list", parameter.name),
                    parameter.span,
                );
            }
        }
    }

    fn no_idem_last(&mut self, container: &Expr, body: Option<&Expr>) {
        let Some(body) = body else { return };
        let violator = match &body.kind {
            ExprKind::Block(statements) => match statements.last() {
                Some(last) if idem(last) => last,
                _ => return,
            },
            _ if idem(body) => body,
            _ => return,
        };
        if resource_without_title(violator).is_some() {
            return;
        }
        let message = format!(
            "This {} has no effect. {} can not end with a value-producing expression without other effect",
            label(violator),
            a_an_uc(&label(container))
        );
        self.error("IDEM_NOT_ALLOWED_LAST", message, position(violator));
    }

    fn assign(&mut self, target: &Expr, via_index: bool) {
        guarded(|| match &target.kind {
            ExprKind::Variable(name_expr) => {
                let name = match &name_expr.kind {
                    ExprKind::QualifiedName(name) => Some(name.clone()),
                    ExprKind::QualifiedReference(name) => Some(name.to_lowercase()),
                    _ => None,
                };
                let Some(name) = name else { return };
                if is_numeric_var_name(&name) {
                    self.error(
                        "ILLEGAL_NUMERIC_ASSIGNMENT",
                        format!("Illegal attempt to assign to the numeric match result variable '${name}'. Numeric variables are not assignable"),
                        target.span,
                    );
                }
                if name.contains("::") {
                    self.error(
                        "CROSS_SCOPE_ASSIGNMENT",
                        format!("Illegal attempt to assign to '{name}'. Cannot assign to variables in other namespaces"),
                        target.span,
                    );
                }
            }
            ExprKind::Access { .. } => self.error(
                "ILLEGAL_INDEXED_ASSIGNMENT",
                "Illegal attempt to assign via [index/key]. Not an assignable reference".into(),
                target.span,
            ),
            ExprKind::LiteralList(values) => values.iter().for_each(|value| self.assign(value, false)),
            _ => {
                let value = a_an(&label(target));
                if via_index {
                    self.error(
                        "ILLEGAL_ASSIGNMENT_VIA_INDEX",
                        format!("Illegal attempt to assign to {value} via [index/key]. Not an assignable reference"),
                        position(target),
                    );
                } else {
                    self.error(
                        "ILLEGAL_ASSIGNMENT",
                        format!("Illegal attempt to assign to '{value}'. Not an assignable reference"),
                        position(target),
                    );
                }
            }
        });
    }

    fn rvalue(&mut self, expr: &Expr) {
        let address = std::ptr::from_ref(expr) as usize;
        let chain = &mut self.rvalue_chain;
        if chain.nodes.get(chain.next) == Some(&address) {
            chain.next += 1;
        } else {
            chain.nodes.clear();
            chain.next = 0;
            let mut current = expr;
            chain.outcome = loop {
                match &current.kind {
                    ExprKind::Collect { .. }
                    | ExprKind::Definition(_)
                    | ExprKind::Node { .. }
                    | ExprKind::TypeAlias { .. }
                    | ExprKind::TypeMapping { .. }
                    | ExprKind::TypeDefinition { .. } => {
                        let message = format!("Invalid use of expression. {} does not produce a value", a_an_uc(&label(current)));
                        break Some((message, position(current)));
                    }
                    ExprKind::Unary { expr: inner, .. } | ExprKind::Text(inner) | ExprKind::Render(inner) | ExprKind::Variable(inner) => {
                        current = inner;
                        chain.nodes.push(std::ptr::from_ref(current) as usize);
                    }
                    _ => break None,
                }
            };
        }
        if let Some((message, at)) = self.rvalue_chain.outcome.clone() {
            self.error("NOT_RVALUE", message, at);
        }
    }

    fn query(&mut self, expr: &Expr) {
        guarded(|| match &expr.kind {
            ExprKind::Binary { op: BinaryOp::Eq | BinaryOp::Ne, .. } => {}
            ExprKind::Binary { op: BinaryOp::And | BinaryOp::Or, left, right, .. } => {
                self.query(left);
                self.query(right);
            }
            ExprKind::Unary { op: UnaryOp::Paren, expr: inner } => self.query(inner),
            ExprKind::Variable(_)
            | ExprKind::QualifiedName(_)
            | ExprKind::LiteralInteger { .. }
            | ExprKind::LiteralFloat(_)
            | ExprKind::LiteralString(_)
            | ExprKind::LiteralBoolean(_) => {}
            _ => {
                let message = format!("Illegal query expression. {} cannot be used in a query", a_an_uc(&label(expr)));
                self.error("ILLEGAL_QUERY_EXPRESSION", message, position(expr));
            }
        });
    }

    fn hostname(&mut self, host: &Expr, node: &Expr) {
        let check_string = |checker: &mut Self, text: &str, at: Span| {
            if text.chars().any(|ch| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' || ch == '.')) {
                checker.error(
                    "ILLEGAL_HOSTNAME_CHARS",
                    format!("The hostname '{text}' contains illegal characters (only letters, digits, '_', '-', and '.' are allowed)"),
                    at,
                );
            }
        };
        match &host.kind {
            ExprKind::LiteralString(text) | ExprKind::QualifiedName(text) => check_string(self, text, host.span),
            ExprKind::QualifiedReference(text) => check_string(self, &text.to_lowercase(), host.span),
            ExprKind::LiteralBoolean(value) => check_string(self, &value.to_string(), host.span),
            ExprKind::LiteralInteger { .. } | ExprKind::LiteralFloat(_) | ExprKind::LiteralDefault | ExprKind::LiteralRegex(_) => {}
            ExprKind::ConcatenatedString(segments) => {
                if let Some(text) = segments.iter().find_map(|segment| match &segment.kind {
                    ExprKind::Text(inner) => Some(inner),
                    _ => None,
                }) {
                    self.error(
                        "ILLEGAL_HOSTNAME_INTERPOLATION",
                        "An interpolated expression is not allowed in a hostname of a node".into(),
                        position(text),
                    );
                } else if segments.len() != 1 {
                    self.error(
                        "ILLEGAL_HOSTNAME_INTERPOLATION",
                        "An interpolated expression is not allowed in a hostname of a node".into(),
                        host.span,
                    );
                }
            }
            _ => {
                let message = format!(
                    "Illegal expression. {} is unacceptable as hostname in {}",
                    a_an_uc(&label(host)),
                    a_an(&label(node))
                );
                self.error("ILLEGAL_EXPRESSION", message, position(host));
            }
        }
    }
}

/// `name { attr => value }` with no title: a block of a name and a hash.
fn resource_without_title(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Block(statements) if statements.len() == 2 => match (&statements[0].kind, &statements[1].kind) {
            (ExprKind::QualifiedName(name), ExprKind::LiteralHash(_)) => Some(name),
            _ => None,
        },
        _ => None,
    }
}

/// Puppet's `idem`: true when an expression has no effect besides its value.
fn idem(expr: &Expr) -> bool {
    guarded(|| match &expr.kind {
        ExprKind::RenderString(_) => false,
        leaf if leaf.is_leaf() => true,
        ExprKind::LiteralList(_)
        | ExprKind::LiteralHash(_)
        | ExprKind::Access { .. }
        | ExprKind::NamedAccess { .. }
        | ExprKind::ConcatenatedString(_)
        | ExprKind::Heredoc { .. }
        | ExprKind::Selector { .. }
        | ExprKind::Variable(_)
        | ExprKind::Text(_) => true,
        ExprKind::Binary { op, .. } => !matches!(op.class(), BinaryClass::Match | BinaryClass::Relationship | BinaryClass::Assignment),
        ExprKind::Unary { op: UnaryOp::Paren, expr } => idem(expr),
        ExprKind::Unary { .. } => true,
        ExprKind::Block(statements) => statements.iter().all(idem),
        ExprKind::If { test, then_expr, else_expr } | ExprKind::Unless { test, then_expr, else_expr } => {
            idem(test) && then_expr.as_deref().is_none_or(idem) && else_expr.as_deref().is_none_or(idem)
        }
        ExprKind::Case { test, options } => {
            idem(test)
                && options.iter().all(|option| option.values.iter().all(idem) && option.then_expr.as_ref().is_none_or(idem))
        }
        _ => false,
    })
}

/// The key of a hash entry when it is a literal (Puppet's `LiteralEvaluator`), as Ruby prints it.
fn literal_key(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::LiteralString(text) | ExprKind::QualifiedName(text) => Some(text.clone()),
        ExprKind::LiteralInteger { value, .. } => Some(value.to_string()),
        ExprKind::LiteralBoolean(value) => Some(value.to_string()),
        ExprKind::ConcatenatedString(segments) if segments.len() == 1 => literal_key(&segments[0]),
        _ => None,
    }
}

fn pattern_with_replacement(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::LiteralList(values) => {
            values.len() == 2
                && matches!(values[0].kind, ExprKind::LiteralRegex(_))
                && matches!(values[1].kind, ExprKind::LiteralString(_))
        }
        _ => false,
    }
}

fn type_ref(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Access { left, .. } => matches!(left.kind, ExprKind::QualifiedReference(_)),
        ExprKind::QualifiedReference(_) => true,
        _ => false,
    }
}

fn word_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '_'
}

/// `\A[a-z]\w*(?:::[a-z]\w*)*\z`
fn is_classref_decl(name: &str) -> bool {
    name.split("::").all(|part| part.starts_with(|ch: char| ch.is_ascii_lowercase()) && part.chars().all(word_char))
}

/// `\A[A-Z]\w*(?:::[A-Z]\w*)*\z`
fn is_classref_ext_decl(name: &str) -> bool {
    name.split("::").all(|part| part.starts_with(|ch: char| ch.is_ascii_uppercase()) && part.chars().all(word_char))
}

/// `\A((::){0,1}[A-Z][\w]*)+\z`
fn is_classref_ext(name: &str) -> bool {
    is_classref_ext_decl(name.strip_prefix("::").unwrap_or(name))
}

/// `\A(?:::)?(?:[a-z]\w*::)*[a-z_]\w*\z`
fn is_var_name(name: &str) -> bool {
    let name = name.strip_prefix("::").unwrap_or(name);
    let parts: Vec<&str> = name.split("::").collect();
    let (last, init) = parts.split_last().expect("split gives at least one part");
    init.iter().all(|part| part.starts_with(|ch: char| ch.is_ascii_lowercase()) && part.chars().all(word_char))
        && last.starts_with(|ch: char| ch.is_ascii_lowercase() || ch == '_')
        && last.chars().all(word_char)
}

/// `\A(?:0|(?:[1-9][0-9]*))\z`
fn is_numeric_var_name(name: &str) -> bool {
    name == "0" || (name.starts_with(|ch: char| ('1'..='9').contains(&ch)) && name.bytes().all(|byte| byte.is_ascii_digit()))
}

/// `\A[a-z_]\w*\z`
fn is_param_name(name: &str) -> bool {
    name.starts_with(|ch: char| ch.is_ascii_lowercase() || ch == '_') && name.chars().all(word_char)
}

fn node_label(node: Node<'_>) -> String {
    match node {
        Node::Program(_) => "Object".into(),
        Node::Expr(expr) => label(expr),
        Node::Parameter(_) => "Parameter Definition".into(),
        Node::KeyedEntry(_) => "Hash Entry".into(),
        Node::SelectorEntry(_) => "Selector Option".into(),
        Node::CaseOption(_) => "Case Option".into(),
        Node::AttributeOp(AttributeOp::Set { append, .. }) => format!("'{}' expression", if *append { "+>" } else { "=>" }),
        Node::AttributeOp(AttributeOp::Splat { .. }) => "Object".into(),
        Node::ResourceBody(_) => "Resource Instance Definition".into(),
        Node::Query(true, _) => "Exported Query".into(),
        Node::Query(false, _) => "Virtual Query".into(),
    }
}

/// Puppet's `ModelLabelProvider#label`.
pub fn label(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Nop => "Nop Expression".into(),
        ExprKind::LiteralString(_) => "String".into(),
        ExprKind::LiteralInteger { .. } => "Literal Integer".into(),
        ExprKind::LiteralFloat(_) => "Literal Float".into(),
        ExprKind::LiteralBoolean(_) => "Boolean".into(),
        ExprKind::LiteralUndef => "'undef' expression".into(),
        ExprKind::LiteralDefault => "'default' expression".into(),
        ExprKind::LiteralRegex(_) => "Regular Expression".into(),
        ExprKind::QualifiedName(_) => "Name".into(),
        ExprKind::QualifiedReference(_) => "Type-Name".into(),
        ExprKind::ReservedWord { word, .. } => format!("Reserved Word '{word}'"),
        ExprKind::Variable(_) => "Variable".into(),
        ExprKind::ConcatenatedString(_) => "Double Quoted String".into(),
        ExprKind::Text(_) => "Expression in Interpolated String".into(),
        ExprKind::Heredoc { syntax, .. } => format!("'@({syntax})' expression"),
        ExprKind::LiteralList(_) => "Array Expression".into(),
        ExprKind::LiteralHash(_) => "Hash Expression".into(),
        ExprKind::Access { .. } => "'[]' expression".into(),
        ExprKind::NamedAccess { .. } => "'.' expression".into(),
        ExprKind::Unary { op, .. } => match op {
            UnaryOp::Not => "'not' expression",
            UnaryOp::Minus => "Unary Minus",
            UnaryOp::Unfold => "Unfold",
            UnaryOp::Paren => "Parenthesized Expression",
        }
        .into(),
        ExprKind::Binary { op, .. } => format!("'{}' expression", op.as_str()),
        ExprKind::Selector { .. } => "Selector Expression".into(),
        ExprKind::Block(_) => "Block Expression".into(),
        ExprKind::If { .. } => "'if' statement".into(),
        ExprKind::Unless { .. } => "'unless' Statement".into(),
        ExprKind::Case { .. } => "'case' statement".into(),
        ExprKind::Call(call) => match call.kind {
            CallKind::Named => "Function Call",
            CallKind::Method => "Method call",
            CallKind::Function => "Object",
        }
        .into(),
        ExprKind::Lambda(_) => "Lambda".into(),
        ExprKind::Resource { .. } => "Resource Statement".into(),
        ExprKind::ResourceDefaults { .. } => "Resource Defaults Expression".into(),
        ExprKind::ResourceOverride { .. } => "Resource Override".into(),
        ExprKind::Collect { exported: true, .. } => "Exported Query".into(),
        ExprKind::Collect { exported: false, .. } => "Virtual Query".into(),
        ExprKind::Definition(definition) => match definition.kind {
            DefinitionKind::Class => "Host Class Definition",
            DefinitionKind::Define => "'define' expression",
            DefinitionKind::Function => "Function Definition",
            DefinitionKind::Plan => "Plan Definition",
        }
        .into(),
        ExprKind::Node { .. } => "Node Definition".into(),
        ExprKind::TypeAlias { .. } => "Type Alias".into(),
        ExprKind::TypeMapping { .. } => "Type Mapping".into(),
        ExprKind::TypeDefinition { .. } => "Type Definition".into(),
        ExprKind::Apply { .. } => "'apply' expression".into(),
        ExprKind::Epp { .. } => "Epp Template".into(),
        ExprKind::RenderString(_) => "Epp Text".into(),
        ExprKind::Render(_) => "Epp Interpolated Expression".into(),
    }
}

fn article(text: &str) -> &'static str {
    let mut chars = text.chars();
    let mut first = chars.next();
    if matches!(first, Some('"' | '\'')) {
        first = chars.next();
    }
    match first.map(|ch| ch.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'y') => "an",
        _ => "a",
    }
}

fn a_an(text: &str) -> String {
    format!("{} {text}", article(text))
}

fn a_an_uc(text: &str) -> String {
    let article = article(text);
    format!("{}{} {text}", article[..1].to_uppercase(), &article[1..])
}
