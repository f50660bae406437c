//! The typed, owned AST of Puppet 7: one variant per class of Puppet's model
//! (`puppet/pops/model/ast.pp`), built the way Puppet's parser factory builds it, each
//! node with its [`Span`].

use crate::span::Span;

/// A parsed file: its body (a block of statements, one expression, or `Nop` when empty)
/// and the comments found in it, kept for the linter.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub body: Expr,
    pub comments: Vec<Comment>,
}

/// A `#` or `/* */` comment, its text including the markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub span: Span,
    pub kind: ExprKind,
}

impl Expr {
    pub fn new(span: Span, kind: ExprKind) -> Self {
        Self { span, kind }
    }

    pub fn boxed(span: Span, kind: ExprKind) -> Box<Self> {
        Box::new(Self { span, kind })
    }
}

impl Drop for Expr {
    /// Drops deep trees without overflowing the stack: each level's children are
    /// dropped where the stack has room (stacker grows it on the heap when needed).
    fn drop(&mut self) {
        if matches!(self.kind, ExprKind::Nop) {
            return;
        }
        let kind = std::mem::replace(&mut self.kind, ExprKind::Nop);
        crate::stack::guarded(move || drop(kind));
    }
}

/// The form of a resource expression: `foo {}`, `@foo {}` or `@@foo {}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceForm {
    Regular,
    Virtual,
    Exported,
}

impl ResourceForm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Regular => "regular",
            Self::Virtual => "virtual",
            Self::Exported => "exported",
        }
    }
}

/// Unary operators; each is its own model class in Puppet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `!x` (NotExpression)
    Not,
    /// `-x` (UnaryMinusExpression)
    Minus,
    /// `*x` (UnfoldExpression)
    Unfold,
    /// `(x)` (ParenthesizedExpression)
    Paren,
}

/// Binary operators, grouped by the model class Puppet builds for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    // AssignmentExpression
    Assign,
    AddAssign,
    SubAssign,
    // ArithmeticExpression
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Shl,
    Shr,
    // ComparisonExpression
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    // MatchExpression
    Match,
    NotMatch,
    // InExpression, AndExpression, OrExpression
    In,
    And,
    Or,
    // RelationshipExpression
    InEdge,
    InEdgeSub,
    OutEdge,
    OutEdgeSub,
}

/// The model class a binary operator belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryClass {
    Assignment,
    Arithmetic,
    Comparison,
    Match,
    In,
    And,
    Or,
    Relationship,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assign => "=",
            Self::AddAssign => "+=",
            Self::SubAssign => "-=",
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Mod => "%",
            Self::Shl => "<<",
            Self::Shr => ">>",
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Match => "=~",
            Self::NotMatch => "!~",
            Self::In => "in",
            Self::And => "and",
            Self::Or => "or",
            Self::InEdge => "->",
            Self::InEdgeSub => "~>",
            Self::OutEdge => "<-",
            Self::OutEdgeSub => "<~",
        }
    }

    pub fn from_token(token: &str) -> Option<Self> {
        Some(match token {
            "=" => Self::Assign,
            "+=" => Self::AddAssign,
            "-=" => Self::SubAssign,
            "+" => Self::Add,
            "-" => Self::Sub,
            "*" => Self::Mul,
            "/" => Self::Div,
            "%" => Self::Mod,
            "<<" => Self::Shl,
            ">>" => Self::Shr,
            "==" => Self::Eq,
            "!=" => Self::Ne,
            "<" => Self::Lt,
            "<=" => Self::Le,
            ">" => Self::Gt,
            ">=" => Self::Ge,
            "=~" => Self::Match,
            "!~" => Self::NotMatch,
            "in" => Self::In,
            "and" => Self::And,
            "or" => Self::Or,
            "->" => Self::InEdge,
            "~>" => Self::InEdgeSub,
            "<-" => Self::OutEdge,
            "<~" => Self::OutEdgeSub,
            _ => return None,
        })
    }

    pub fn class(self) -> BinaryClass {
        match self {
            Self::Assign | Self::AddAssign | Self::SubAssign => BinaryClass::Assignment,
            Self::Add | Self::Sub | Self::Mul | Self::Div | Self::Mod | Self::Shl | Self::Shr => BinaryClass::Arithmetic,
            Self::Eq | Self::Ne | Self::Lt | Self::Le | Self::Gt | Self::Ge => BinaryClass::Comparison,
            Self::Match | Self::NotMatch => BinaryClass::Match,
            Self::In => BinaryClass::In,
            Self::And => BinaryClass::And,
            Self::Or => BinaryClass::Or,
            Self::InEdge | Self::InEdgeSub | Self::OutEdge | Self::OutEdgeSub => BinaryClass::Relationship,
        }
    }
}

/// Which call class Puppet builds: `f(x)` and `f x` (CallNamedFunctionExpression),
/// `$x.f()` (CallMethodExpression), or a call of a non-name (CallFunctionExpression).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Named,
    Method,
    Function,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub kind: CallKind,
    /// False for a call used as a statement (Puppet's `rval_required`).
    pub rval_required: bool,
    pub functor: Expr,
    pub arguments: Vec<Expr>,
    pub lambda: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub span: Span,
    /// Without the `$`.
    pub name: String,
    pub type_expr: Option<Expr>,
    pub value: Option<Expr>,
    /// `*$rest`
    pub captures_rest: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lambda {
    pub parameters: Vec<Parameter>,
    pub body: Option<Expr>,
    pub return_type: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyedEntry {
    pub span: Span,
    pub key: Expr,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectorEntry {
    pub span: Span,
    pub matching: Expr,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseOption {
    pub span: Span,
    pub values: Vec<Expr>,
    pub then_expr: Option<Expr>,
}

/// `name => value`, `name +> value` (AttributeOperation) or `* => hash` (AttributesOperation).
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeOp {
    Set { span: Span, name: String, append: bool, value: Expr },
    Splat { span: Span, expr: Expr },
}

impl AttributeOp {
    pub fn span(&self) -> Span {
        match self {
            Self::Set { span, .. } | Self::Splat { span, .. } => *span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceBody {
    pub span: Span,
    pub title: Expr,
    pub operations: Vec<AttributeOp>,
}

/// What kind of named definition: `class`, `define`, `function` or `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefinitionKind {
    Class,
    Define,
    Function,
    Plan,
}

/// HostClassDefinition, ResourceTypeDefinition, FunctionDefinition, PlanDefinition.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedDefinition {
    pub kind: DefinitionKind,
    /// The full name, namespaced by the enclosing classes as Puppet's parser does.
    pub name: String,
    pub parameters: Vec<Parameter>,
    pub body: Option<Expr>,
    /// `inherits` of a class.
    pub parent_class: Option<String>,
    /// `>> Type` of a function or plan.
    pub return_type: Option<Expr>,
}

impl ExprKind {
    /// True for literals and names: the kinds without sub-expressions.
    pub fn is_leaf(&self) -> bool {
        matches!(
            self,
            Self::Nop
                | Self::LiteralString(_)
                | Self::LiteralInteger { .. }
                | Self::LiteralFloat(_)
                | Self::LiteralBoolean(_)
                | Self::LiteralUndef
                | Self::LiteralDefault
                | Self::LiteralRegex(_)
                | Self::QualifiedName(_)
                | Self::QualifiedReference(_)
                | Self::ReservedWord { .. }
                | Self::RenderString(_)
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Nop,
    // Literals.
    LiteralString(String),
    LiteralInteger { value: i128, radix: u32 },
    LiteralFloat(f64),
    LiteralBoolean(bool),
    LiteralUndef,
    LiteralDefault,
    /// The pattern between the slashes, `\/` unescaped (Ruby's `Regexp#source`).
    LiteralRegex(String),
    QualifiedName(String),
    /// As written (`cased_value`).
    QualifiedReference(String),
    /// `private`, `attr` (and `plan`/`apply` words used as names where reserved).
    ReservedWord { word: String, future: bool },
    /// `$x` holds a QualifiedName (or a LiteralInteger for `$0`).
    Variable(Box<Expr>),
    ConcatenatedString(Vec<Expr>),
    /// An interpolated `${expr}` inside a string.
    Text(Box<Expr>),
    Heredoc { syntax: String, text: Box<Expr> },
    LiteralList(Vec<Expr>),
    LiteralHash(Vec<KeyedEntry>),
    Access { left: Box<Expr>, keys: Vec<Expr> },
    /// `left.right`
    NamedAccess { left: Box<Expr>, right: Box<Expr> },
    Unary { op: UnaryOp, expr: Box<Expr> },
    /// `op_span` is the operator, where Puppet positions the expression.
    Binary { op: BinaryOp, op_span: Span, left: Box<Expr>, right: Box<Expr> },
    Selector { left: Box<Expr>, entries: Vec<SelectorEntry> },
    Block(Vec<Expr>),
    If { test: Box<Expr>, then_expr: Option<Box<Expr>>, else_expr: Option<Box<Expr>> },
    Unless { test: Box<Expr>, then_expr: Option<Box<Expr>>, else_expr: Option<Box<Expr>> },
    Case { test: Box<Expr>, options: Vec<CaseOption> },
    Call(Box<Call>),
    Lambda(Box<Lambda>),
    Resource { form: ResourceForm, type_name: Box<Expr>, bodies: Vec<ResourceBody> },
    ResourceDefaults { form: ResourceForm, type_ref: Box<Expr>, operations: Vec<AttributeOp> },
    ResourceOverride { form: ResourceForm, resources: Box<Expr>, operations: Vec<AttributeOp> },
    /// `Type <| query |> { ops }` or `<<| |>>` (exported).
    Collect { type_expr: Box<Expr>, exported: bool, query: Option<Box<Expr>>, query_span: Span, operations: Vec<AttributeOp> },
    Definition(Box<NamedDefinition>),
    Node { host_matches: Vec<Expr>, parent: Option<Box<Expr>>, body: Option<Box<Expr>> },
    TypeAlias { name: String, type_expr: Box<Expr> },
    TypeMapping { type_expr: Box<Expr>, mapping_expr: Box<Expr> },
    TypeDefinition { name: String, parent: Option<String>, body: Option<Box<Expr>> },
    Apply { arguments: Vec<Expr>, body: Box<Expr> },
    /// The body of an EPP template (inside its lambda).
    Epp { parameters_specified: bool, body: Option<Box<Expr>> },
    /// Template text of an EPP.
    RenderString(String),
    /// `<%= expr %>`
    Render(Box<Expr>),
}
