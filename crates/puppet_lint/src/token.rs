//! puppet-lint's tokens: the kinds its lexer produces, and the token list the checks read
//! and the fixes edit, with the same links (`prev_token`, `next_code_token`, ...) and the
//! same rendering back to text (`to_manifest`) as `PuppetLint::Lexer::Token`.

use std::borrow::Cow;

/// The token types of puppet-lint's lexer (`lib/puppet-lint/lexer.rb`), named as it names
/// them. The keyword `type` lexes as [`TokenKind::Type`], like the type names
/// (`String`, `Integer`, ...), as it does in puppet-lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenKind {
    Whitespace,
    Type,
    Classref,
    Number,
    FunctionName,
    Name,
    Lbrack,
    Rbrack,
    Lbrace,
    Rbrace,
    Lparen,
    Rparen,
    Isequal,
    Match,
    Farrow,
    Equals,
    Appends,
    Parrow,
    Plus,
    Greaterequal,
    Rshift,
    Greaterthan,
    Lessequal,
    Llcollect,
    OutEdge,
    OutEdgeSub,
    Lcollect,
    Lshift,
    Lessthan,
    Nomatch,
    Notequal,
    Not,
    Rrcollect,
    Rcollect,
    InEdge,
    InEdgeSub,
    Minus,
    Comma,
    Dot,
    Colon,
    Semic,
    Qmark,
    Backslash,
    Times,
    Modulo,
    Pipe,
    // Keywords.
    Case,
    Class,
    Default,
    Define,
    Import,
    If,
    Elsif,
    Else,
    Inherits,
    Node,
    And,
    Or,
    Undef,
    False,
    True,
    In,
    Unless,
    Function,
    Attr,
    Private,
    // Everything else.
    Variable,
    UnencVariable,
    Sstring,
    String,
    Dqpre,
    Dqmid,
    Dqpost,
    HeredocOpen,
    Heredoc,
    HeredocPre,
    HeredocMid,
    HeredocPost,
    Comment,
    SlashComment,
    Mlcomment,
    Regex,
    Newline,
    Indent,
    Div,
    At,
}

/// Number of token kinds, for bit sets over them.
pub const TOKEN_KIND_COUNT: usize = TokenKind::At as usize + 1;

impl TokenKind {
    /// Every kind, in discriminant order.
    pub const ALL: [TokenKind; TOKEN_KIND_COUNT] = {
        use TokenKind::*;
        [
            Whitespace, Type, Classref, Number, FunctionName, Name, Lbrack, Rbrack, Lbrace, Rbrace, Lparen, Rparen, Isequal, Match,
            Farrow, Equals, Appends, Parrow, Plus, Greaterequal, Rshift, Greaterthan, Lessequal, Llcollect, OutEdge, OutEdgeSub,
            Lcollect, Lshift, Lessthan, Nomatch, Notequal, Not, Rrcollect, Rcollect, InEdge, InEdgeSub, Minus, Comma, Dot, Colon,
            Semic, Qmark, Backslash, Times, Modulo, Pipe, Case, Class, Default, Define, Import, If, Elsif, Else, Inherits, Node, And,
            Or, Undef, False, True, In, Unless, Function, Attr, Private, Variable, UnencVariable, Sstring, String, Dqpre, Dqmid,
            Dqpost, HeredocOpen, Heredoc, HeredocPre, HeredocMid, HeredocPost, Comment, SlashComment, Mlcomment, Regex, Newline,
            Indent, Div, At,
        ]
    };

    /// The kind as puppet-lint names it (`:FARROW` is `FARROW`).
    pub fn name(self) -> &'static str {
        use TokenKind::*;
        match self {
            Whitespace => "WHITESPACE",
            Type => "TYPE",
            Classref => "CLASSREF",
            Number => "NUMBER",
            FunctionName => "FUNCTION_NAME",
            Name => "NAME",
            Lbrack => "LBRACK",
            Rbrack => "RBRACK",
            Lbrace => "LBRACE",
            Rbrace => "RBRACE",
            Lparen => "LPAREN",
            Rparen => "RPAREN",
            Isequal => "ISEQUAL",
            Match => "MATCH",
            Farrow => "FARROW",
            Equals => "EQUALS",
            Appends => "APPENDS",
            Parrow => "PARROW",
            Plus => "PLUS",
            Greaterequal => "GREATEREQUAL",
            Rshift => "RSHIFT",
            Greaterthan => "GREATERTHAN",
            Lessequal => "LESSEQUAL",
            Llcollect => "LLCOLLECT",
            OutEdge => "OUT_EDGE",
            OutEdgeSub => "OUT_EDGE_SUB",
            Lcollect => "LCOLLECT",
            Lshift => "LSHIFT",
            Lessthan => "LESSTHAN",
            Nomatch => "NOMATCH",
            Notequal => "NOTEQUAL",
            Not => "NOT",
            Rrcollect => "RRCOLLECT",
            Rcollect => "RCOLLECT",
            InEdge => "IN_EDGE",
            InEdgeSub => "IN_EDGE_SUB",
            Minus => "MINUS",
            Comma => "COMMA",
            Dot => "DOT",
            Colon => "COLON",
            Semic => "SEMIC",
            Qmark => "QMARK",
            Backslash => "BACKSLASH",
            Times => "TIMES",
            Modulo => "MODULO",
            Pipe => "PIPE",
            Case => "CASE",
            Class => "CLASS",
            Default => "DEFAULT",
            Define => "DEFINE",
            Import => "IMPORT",
            If => "IF",
            Elsif => "ELSIF",
            Else => "ELSE",
            Inherits => "INHERITS",
            Node => "NODE",
            And => "AND",
            Or => "OR",
            Undef => "UNDEF",
            False => "FALSE",
            True => "TRUE",
            In => "IN",
            Unless => "UNLESS",
            Function => "FUNCTION",
            Attr => "ATTR",
            Private => "PRIVATE",
            Variable => "VARIABLE",
            UnencVariable => "UNENC_VARIABLE",
            Sstring => "SSTRING",
            String => "STRING",
            Dqpre => "DQPRE",
            Dqmid => "DQMID",
            Dqpost => "DQPOST",
            HeredocOpen => "HEREDOC_OPEN",
            Heredoc => "HEREDOC",
            HeredocPre => "HEREDOC_PRE",
            HeredocMid => "HEREDOC_MID",
            HeredocPost => "HEREDOC_POST",
            Comment => "COMMENT",
            SlashComment => "SLASH_COMMENT",
            Mlcomment => "MLCOMMENT",
            Regex => "REGEX",
            Newline => "NEWLINE",
            Indent => "INDENT",
            Div => "DIV",
            At => "AT",
        }
    }

    /// The keyword token for a word, as puppet-lint's `KEYWORDS` table has it.
    pub fn keyword(word: &str) -> Option<TokenKind> {
        use TokenKind::*;
        Some(match word {
            "case" => Case,
            "class" => Class,
            "default" => Default,
            "define" => Define,
            "import" => Import,
            "if" => If,
            "elsif" => Elsif,
            "else" => Else,
            "inherits" => Inherits,
            "node" => Node,
            "and" => And,
            "or" => Or,
            "undef" => Undef,
            "false" => False,
            "true" => True,
            "in" => In,
            "unless" => Unless,
            "function" => Function,
            "type" => Type,
            "attr" => Attr,
            "private" => Private,
            _ => return None,
        })
    }

    /// True for the kinds that hold no code (`FORMATTING_TOKENS`): whitespace, newlines,
    /// indentation and comments.
    pub fn is_formatting(self) -> bool {
        matches!(
            self,
            TokenKind::Whitespace
                | TokenKind::Newline
                | TokenKind::Comment
                | TokenKind::Mlcomment
                | TokenKind::SlashComment
                | TokenKind::Indent
        )
    }

    pub fn is_comment(self) -> bool {
        matches!(self, TokenKind::Comment | TokenKind::Mlcomment | TokenKind::SlashComment)
    }

    /// True for the keyword kinds (`interpolated_variable?` reads a keyword at the start
    /// of `${...}` as a variable name).
    pub fn is_keyword(self) -> bool {
        (TokenKind::Case as usize..=TokenKind::Private as usize).contains(&(self as usize))
    }
}

/// A set of token kinds, for a rule to declare which tokens it wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenKindSet(u128);

impl TokenKindSet {
    pub const EMPTY: TokenKindSet = TokenKindSet(0);

    pub const fn of(kinds: &[TokenKind]) -> TokenKindSet {
        let mut bits = 0u128;
        let mut index = 0;
        while index < kinds.len() {
            bits |= 1 << kinds[index] as u32;
            index += 1;
        }
        TokenKindSet(bits)
    }

    pub fn contains(self, kind: TokenKind) -> bool {
        self.0 & (1 << kind as u32) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Index of a token in its [`Tokens`] arena. Stays valid while fixes insert and remove
/// tokens (they change the order, not the arena).
pub type TokenId = u32;

/// Marks a token a fix made up: it has no place in the original source.
pub const NO_OFFSET: u32 = u32::MAX;

/// One token, as puppet-lint's `Token` holds it.
#[derive(Debug, Clone)]
pub struct Token<'a> {
    pub kind: TokenKind,
    /// The value without quotes or markers (`foo` for `"foo"`, ` text` for `# text`).
    pub value: Cow<'a, str>,
    /// The text as written where it differs from what `value` renders to (`$x` for a
    /// variable, the comment with its markers, a heredoc with its end tag).
    pub raw: Option<Cow<'a, str>>,
    /// Line and column as puppet-lint computes them: from the rendered text of the
    /// tokens before it, columns in characters, 1-based.
    pub line: u32,
    pub column: u32,
    /// Byte offset in the source where the token starts ([`NO_OFFSET`] for tokens a fix
    /// inserted); for tokens inside `${...}`, the offset of the interpolated code.
    pub offset: u32,
    pub prev: Option<TokenId>,
    pub next: Option<TokenId>,
    pub prev_code: Option<TokenId>,
    pub next_code: Option<TokenId>,
}

impl<'a> Token<'a> {
    /// A token a fix inserts (puppet-lint's `Token.new(type, value, 0, 0)`).
    pub fn synthetic(kind: TokenKind, value: impl Into<Cow<'a, str>>) -> Self {
        Token {
            kind,
            value: value.into(),
            raw: None,
            line: 0,
            column: 0,
            offset: NO_OFFSET,
            prev: None,
            next: None,
            prev_code: None,
            next_code: None,
        }
    }
}

impl Token<'_> {
    /// The same token, owning its text.
    pub fn into_owned(self) -> Token<'static> {
        Token {
            kind: self.kind,
            value: Cow::Owned(self.value.into_owned()),
            raw: self.raw.map(|raw| Cow::Owned(raw.into_owned())),
            line: self.line,
            column: self.column,
            offset: self.offset,
            prev: self.prev,
            next: self.next,
            prev_code: self.prev_code,
            next_code: self.next_code,
        }
    }
}

/// The token list of one file: an arena of tokens and their order (puppet-lint's `tokens`
/// array). Checks see the order the lexer made; fixes insert, remove and edit tokens
/// the way puppet-lint's fixes do, links included, so the rendered text is the same.
#[derive(Debug, Clone, Default)]
pub struct Tokens<'a> {
    arena: Vec<Token<'a>>,
    order: Vec<TokenId>,
}

impl<'a> Tokens<'a> {
    /// Appends a token at the end of the order (the lexer builds the list this way, so
    /// a token's id is its position until a fix edits the list).
    pub(crate) fn push_ordered(&mut self, token: Token<'a>) -> TokenId {
        let id = self.push_detached(token);
        self.order.push(id);
        id
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The ids in file order.
    pub fn ids(&self) -> &[TokenId] {
        &self.order
    }

    /// The token with this id.
    pub fn get(&self, id: TokenId) -> &Token<'a> {
        &self.arena[id as usize]
    }

    pub fn get_mut(&mut self, id: TokenId) -> &mut Token<'a> {
        &mut self.arena[id as usize]
    }

    /// The id at position `index` of the current order.
    pub fn at(&self, index: usize) -> TokenId {
        self.order[index]
    }

    /// The position of a token in the current order (Ruby's `tokens.index(token)`).
    pub fn index_of(&self, id: TokenId) -> Option<usize> {
        self.order.iter().position(|candidate| *candidate == id)
    }

    pub fn kind(&self, id: TokenId) -> TokenKind {
        self.arena[id as usize].kind
    }

    pub fn value(&self, id: TokenId) -> &str {
        &self.arena[id as usize].value
    }

    pub fn next(&self, id: TokenId) -> Option<TokenId> {
        self.arena[id as usize].next
    }

    pub fn prev(&self, id: TokenId) -> Option<TokenId> {
        self.arena[id as usize].prev
    }

    pub fn next_code(&self, id: TokenId) -> Option<TokenId> {
        self.arena[id as usize].next_code
    }

    pub fn prev_code(&self, id: TokenId) -> Option<TokenId> {
        self.arena[id as usize].prev_code
    }

    /// The kind of the next code token, if any.
    pub fn next_code_kind(&self, id: TokenId) -> Option<TokenKind> {
        self.next_code(id).map(|next| self.kind(next))
    }

    pub fn prev_code_kind(&self, id: TokenId) -> Option<TokenKind> {
        self.prev_code(id).map(|prev| self.kind(prev))
    }

    /// Adds a token to the arena without placing it in the order.
    pub fn push_detached(&mut self, token: Token<'a>) -> TokenId {
        self.arena.push(token);
        (self.arena.len() - 1) as TokenId
    }

    /// Puppet-lint's `Data.insert(index, token)`: places a new token at `index` of the
    /// order and links it to its neighbours the way puppet-lint does.
    pub fn insert(&mut self, index: usize, token: Token<'a>) -> TokenId {
        let id = self.push_detached(token);
        self.link_in(index, id);
        id
    }

    /// `Data.insert` of a token already in the arena (a fix moving a token).
    pub fn link_in(&mut self, index: usize, id: TokenId) {
        let formatting = self.kind(id).is_formatting();
        // Ruby's `tokens[index - 1]` with index 0 is the last token.
        let current = if index == 0 { *self.order.last().expect("insert into an empty token list") } else { self.order[index - 1] };
        let current_next = self.next(current);
        self.get_mut(id).next = current_next;
        self.get_mut(id).prev = Some(current);
        if let Some(next) = current_next {
            self.get_mut(next).prev = Some(id);
        }
        if !formatting {
            if let Some(next) = current_next {
                self.get_mut(next).prev_code = Some(id);
            }
            let following = self.order[index.min(self.order.len())..].iter().copied().find(|t| !self.kind(*t).is_formatting());
            if let Some(next_nf) = following {
                self.get_mut(id).next_code = Some(next_nf);
                self.get_mut(next_nf).prev_code = Some(id);
            }
        }
        if self.kind(current).is_formatting() {
            let preceding = self.order[..index.min(self.order.len())].iter().rev().copied().find(|t| !self.kind(*t).is_formatting());
            if let Some(prev_nf) = preceding {
                self.get_mut(id).prev_code = Some(prev_nf);
                self.get_mut(prev_nf).next_code = Some(id);
            }
        } else {
            self.get_mut(id).prev_code = Some(current);
        }
        self.get_mut(current).next = Some(id);
        if !formatting {
            self.get_mut(current).next_code = Some(id);
        }
        self.order.insert(index.min(self.order.len()), id);
    }

    /// Ruby's bare `tokens.insert(index, token)`: places the token without touching any
    /// link (some puppet-lint fixes do this).
    pub fn insert_unlinked(&mut self, index: usize, token: Token<'a>) -> TokenId {
        let id = self.push_detached(token);
        self.order.insert(index.min(self.order.len()), id);
        id
    }

    /// Puppet-lint's `Data.delete(token)`: unlinks the token and removes it from the order.
    pub fn delete(&mut self, id: TokenId) {
        let (prev, next, prev_code, next_code) = {
            let token = self.get(id);
            (token.prev, token.next, token.prev_code, token.next_code)
        };
        if let Some(next) = next {
            self.get_mut(next).prev = prev;
        }
        if let Some(prev) = prev {
            self.get_mut(prev).next = next;
        }
        if !self.kind(id).is_formatting() {
            if let Some(prev_code) = prev_code {
                self.get_mut(prev_code).next_code = next_code;
            }
            if let Some(next_code) = next_code {
                self.get_mut(next_code).prev_code = prev_code;
            }
        }
        self.remove_from_order(id);
    }

    /// Ruby's bare `tokens.delete(token)`: removes it from the order, links untouched.
    pub fn remove_from_order(&mut self, id: TokenId) {
        self.order.retain(|candidate| *candidate != id);
    }

    /// Replaces the order (fixes that reorder tokens with `slice!` and `insert`).
    pub fn order_mut(&mut self) -> &mut Vec<TokenId> {
        &mut self.order
    }

    /// Puppet-lint's `Token#to_manifest`: the token as Puppet text.
    pub fn manifest(&self, id: TokenId) -> Cow<'_, str> {
        match self.manifest_parts(id) {
            ("", body, "") => Cow::Borrowed(body),
            (prefix, body, suffix) => Cow::Owned(format!("{prefix}{body}{suffix}")),
        }
    }

    /// The token as Puppet text in three pieces: what comes before its value (a quote, a
    /// `$`, the `}` closing an interpolation), the value (or raw text), and what comes
    /// after it.
    pub fn manifest_parts(&self, id: TokenId) -> (&'static str, &str, &'static str) {
        use TokenKind::*;
        let token = self.get(id);
        let value: &str = &token.value;
        let raw = token.raw.as_deref().unwrap_or("");
        match token.kind {
            String => ("\"", value, "\""),
            Sstring => ("'", value, "'"),
            Dqpre => ("\"", value, self.string_suffix(id)),
            Dqpost => (self.string_prefix(id), value, "\""),
            Dqmid => (self.string_prefix(id), value, self.string_suffix(id)),
            Variable => {
                let enclosed = token.prev_code.is_some_and(|prev| matches!(self.kind(prev), Dqpre | Dqmid | HeredocPre | HeredocMid));
                match (enclosed, &token.raw) {
                    (true, Some(raw)) => ("", raw, ""),
                    (true, None) => ("", value, ""),
                    (false, _) => ("$", value, ""),
                }
            }
            UnencVariable => ("$", value, ""),
            Newline => ("", "\n", ""),
            Comment => ("#", value, ""),
            Regex => ("/", value, "/"),
            Mlcomment | Heredoc => ("", raw, ""),
            HeredocOpen => ("@(", value, ")"),
            HeredocPre => ("", value, self.string_suffix(id)),
            HeredocPost => (self.string_prefix(id), raw, ""),
            HeredocMid => (self.string_prefix(id), value, self.string_suffix(id)),
            _ => ("", value, ""),
        }
    }

    fn string_suffix(&self, id: TokenId) -> &'static str {
        match self.next(id).map(|next| self.kind(next)) {
            Some(TokenKind::UnencVariable | TokenKind::Dqmid | TokenKind::Dqpost | TokenKind::HeredocMid | TokenKind::HeredocPost) => "",
            _ => "${",
        }
    }

    fn string_prefix(&self, id: TokenId) -> &'static str {
        match self.prev(id).map(|prev| self.kind(prev)) {
            Some(TokenKind::UnencVariable | TokenKind::Dqpre | TokenKind::Dqmid | TokenKind::HeredocPre | TokenKind::HeredocMid) => "",
            _ => "}",
        }
    }

    /// The whole file rendered back from its tokens (puppet-lint's fixed manifest).
    pub fn render(&self) -> std::string::String {
        let mut text = std::string::String::new();
        for id in &self.order {
            text.push_str(&self.manifest(*id));
        }
        text
    }

    /// Puppet-lint's `next_token_of` / `prev_token_of`: the next (or previous) token of one
    /// of `kinds` (and of `value`, if given), skipping over `{}`, `[]` and `()` blocks.
    pub fn find_token_of(&self, from: TokenId, forward: bool, kinds: &[TokenKind], value: Option<&str>) -> Option<TokenId> {
        let step = |id: TokenId| if forward { self.next(id) } else { self.prev(id) };
        let mut iter = step(from);
        while let Some(id) = iter {
            let kind = self.kind(id);
            if kinds.contains(&kind) && value.is_none_or(|wanted| self.value(id) == wanted) {
                return Some(id);
            }
            let closing = match (forward, kind) {
                (true, TokenKind::Lbrace) => Some(TokenKind::Rbrace),
                (true, TokenKind::Lbrack) => Some(TokenKind::Rbrack),
                (true, TokenKind::Lparen) => Some(TokenKind::Rparen),
                (false, TokenKind::Rbrace) => Some(TokenKind::Lbrace),
                (false, TokenKind::Rbrack) => Some(TokenKind::Lbrack),
                (false, TokenKind::Rparen) => Some(TokenKind::Lparen),
                _ => None,
            };
            // The block is skipped to its closing token whatever its value (puppet-lint
            // passes its options in the kind list there, so the value filter is dropped).
            let mut landed = Some(id);
            if let Some(closing) = closing {
                landed = self.find_token_of(id, forward, &[closing], None);
            }
            iter = step(landed?);
        }
        None
    }

    pub fn next_token_of(&self, from: TokenId, kinds: &[TokenKind]) -> Option<TokenId> {
        self.find_token_of(from, true, kinds, None)
    }

    pub fn prev_token_of(&self, from: TokenId, kinds: &[TokenKind]) -> Option<TokenId> {
        self.find_token_of(from, false, kinds, None)
    }
}
