/**
 * The Puppet 7 language as a tree-sitter grammar, written from Puppet's own racc grammar
 * (puppet/pops/parser/egrammar.ra) and lexer (lexer2.rb and its support modules).
 *
 * This file builds both grammars of the crate: `puppet` (.pp manifests) and `epp`
 * (templates). EPP is the same language with template text and tags added, exactly as
 * egrammar.ra does it (RENDER_STRING and RENDER_EXPR are primary expressions there).
 *
 * Node kinds and field names are a contract with crates/puppet_syntax: see NODES.md.
 */

// Operator precedence, from egrammar.ra's `prechigh ... preclow` table (higher binds
// tighter). Note that Puppet ranks == and != above < > <= >=.
const PREC = {
  farrow: 1,
  or: 2,
  and: 3,
  select: 4,
  compare: 5,
  equal: 6,
  shift: 7,
  add: 8,
  mul: 9,
  match: 10,
  in: 11,
  uminus: 12,
  splat: 13,
  not: 14,
  collect: 15,
  access: 16,
  dot: 17,
  call: 18,
  lambda: 19,
};

// Every keyword of lexer2.rb's KEYWORDS table. They are reserved: never a NAME.
const KEYWORDS = [
  'case', 'class', 'default', 'define', 'if', 'elsif', 'else', 'inherits', 'node', 'and',
  'or', 'undef', 'false', 'true', 'in', 'unless', 'function', 'type', 'attr', 'private',
];

// egrammar.ra's `keyword` rule: keywords usable as attribute names.
const ATTRIBUTE_KEYWORDS = [
  'and', 'case', 'class', 'default', 'define', 'else', 'elsif', 'if', 'in', 'inherits',
  'node', 'or', 'undef', 'unless', 'type', 'attr', 'function', 'private',
];

// A left-associative binary operator expression with `left`, `operator` and `right`.
function binary($, precedence, operator) {
  return prec.left(precedence, seq(
    field('left', $._expression),
    field('operator', operator),
    field('right', $._expression),
  ));
}

function commaSep1(rule) {
  return seq(rule, repeat(seq(',', rule)));
}

function defineGrammar(dialect) {
  const epp = dialect === 'epp';

  const externals = $ => {
    const list = [
      $._lparen,
      $._wslparen,
      $._lbrack,
      $._liststart,
      $.regex,
      $._div,
      $.heredoc_start,
      $._heredoc_body_start,
      $._heredoc_content,
      $._heredoc_escape,
      $.heredoc_end,
      $._dq_content,
      $._dq_escape,
      $._interpolation_start,
      $._interpolation_variable,
      $._error_sentinel,
      $._unclosed_string,
      $.type,
      $.word,
      $._interpolated_name,
    ];
    if (epp) {
      list.push(
        $.template_text,
        $.template_trivia,
        $.epp_open,
        $._render_open,
        $.epp_close,
        $._render_close,
      );
    }
    return list;
  };

  const extras = $ => {
    // lexer2 PATTERN_WS is [[:blank:]\r], which in Ruby includes the Unicode space separators.
    const list = [/[\s\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/, $.comment, $.heredoc_body];
    if (epp) {
      list.push($.template_trivia, $.epp_open, $.epp_close);
    }
    return list;
  };

  const rules = {
    // ---------------------------------------------------------------- program
    // egrammar: program: statements | epp_expression | (empty)
    ...(epp
      ? {
        template: $ => seq(
          optional(field('parameters', alias($._pipe_parameter_list, $.parameter_list))),
          optional($._statements),
        ),
      }
      : {
        program: $ => optional($._statements),
      }),

    // syntactic_statements: statements separated by nothing or by one ';'.
    _statements: $ => seq($._statement, repeat(seq(optional(';'), $._statement))),

    _statement: $ => choice($._assignment, $.statement_list),

    // egrammar's `syntactic_statement COMMA assignment`: assignments separated by commas on
    // the statement level. `include foo, bar` is the statement `include` followed by this
    // list, and `fail "boom"` two adjacent statements: Puppet joins them into calls in
    // Factory.transform_calls, and so does the lowering (see NODES.md). Parsing the name
    // as a statement of its own keeps the grammar free of conflicts: a separate
    // `NAME arguments` rule made every statement that starts with a name split the stack.
    statement_list: $ => seq(
      field('item', $._assignment),
      repeat1(seq(',', field('item', $._assignment))),
    ),

    // ------------------------------------------------------------- assignment
    _assignment: $ => choice($.assignment_expression, $._relationship),

    assignment_expression: $ => prec.right(seq(
      field('left', $._relationship),
      field('operator', choice('=', '+=', '-=')),
      field('right', $._assignment),
    )),

    _relationship: $ => choice($.relationship_expression, $._resource),

    relationship_expression: $ => prec.left(seq(
      field('left', $._relationship),
      field('operator', choice('->', '~>', '<-', '<~')),
      field('right', $._resource),
    )),

    // --------------------------------------------------------------- resource
    _resource: $ => choice(
      $._expression,
      $.resource_expression,
      $.untitled_resource,
      $.resource_form_expression,
    ),

    // `@` or `@@` before something that is not a resource: egrammar's `AT resource` /
    // `ATAT resource` accepts it and then raises "Virtual (@) can only be applied to a
    // Resource Expression" at the `@`. On a resource the form is a field of the resource.
    resource_form_expression: $ => prec.dynamic(-1, seq(
      field('form', choice('@', '@@')),
      field('expr', $._expression),
    )),

    // `file { 'title': attr => value; 'title2': ... }` and `class { 'name': }`.
    resource_expression: $ => prec(1, seq(
      choice(
        seq(
          optional(field('form', choice('@', '@@'))),
          field('type', choice($._expression, alias('class', $.name))),
        ),
        field('type', $._resource_as_type),
      ),
      '{',
      field('body', $.resource_body),
      repeat(seq(';', field('body', $.resource_body))),
      optional(';'),
      '}',
    )),

    // egrammar's resource rules are left-recursive (`resource LBRACE ...`): a resource
    // followed by braces parses, and Puppet then rejects it ("Expression is not valid as a
    // resource, resource-default, or resource-override").
    _resource_as_type: $ => prec(1, choice($.resource_expression, $.untitled_resource)),

    resource_body: $ => seq(
      field('title', $._expression),
      ':',
      optional(choice($._attribute_operations, ',')),
    ),

    // `resource LBRACE attribute_operations endcomma RBRACE`: resource defaults
    // (`File { }`), overrides (`File['x'] { }`), or a name followed by a hash-like body.
    untitled_resource: $ => prec(1, seq(
      choice(
        seq(optional(field('form', choice('@', '@@'))), field('type', $._expression)),
        field('type', $._resource_as_type),
      ),
      '{',
      optional(choice($._attribute_operations, ',')),
      '}',
    )),

    // attribute_operations endcomma
    _attribute_operations: $ => seq(
      commaSep1(field('operation', choice($.attribute_operation, $.attributes_operation))),
      optional(','),
    ),

    attribute_operation: $ => seq(
      field('name', $._attribute_name),
      field('operator', choice('=>', '+>')),
      field('value', $._expression),
    ),

    // `* => $hash`
    attributes_operation: $ => seq('*', '=>', field('value', $._expression)),

    _attribute_name: $ => choice(
      $.name,
      ...ATTRIBUTE_KEYWORDS.map(k => alias(k, $.name)),
    ),

    // ------------------------------------------------------------- expression
    _expression: $ => choice(
      $._primary_expression,
      $.call_named_function_expression,
      $.call_method_expression,
      $.access_expression,
      $.in_expression,
      $.match_expression,
      $.arithmetic_expression,
      $.comparison_expression,
      $.and_expression,
      $.or_expression,
      $.not_expression,
      $.unary_minus_expression,
      $.unfold_expression,
      $.selector_expression,
      $.paren_expression,
      $.collect_expression,
    ),

    in_expression: $ => binary($, PREC.in, 'in'),

    match_expression: $ => binary($, PREC.match, choice('=~', '!~')),

    arithmetic_expression: $ => choice(
      binary($, PREC.mul, choice('*', alias($._div, '/'), '%')),
      binary($, PREC.add, choice('+', '-')),
      binary($, PREC.shift, choice('<<', '>>')),
    ),

    comparison_expression: $ => choice(
      binary($, PREC.equal, choice('==', '!=')),
      binary($, PREC.compare, choice('<', '<=', '>', '>=')),
    ),

    and_expression: $ => binary($, PREC.and, 'and'),

    or_expression: $ => binary($, PREC.or, 'or'),

    not_expression: $ => prec.right(PREC.not, seq('!', field('expr', $._expression))),

    // A unary minus or splat that could also be read as a binary operator after a
    // statement-call name is read as the binary operator, as racc does (dynamic -2).
    unary_minus_expression: $ => prec.dynamic(-2, prec(PREC.uminus, seq(
      '-', field('expr', $._expression),
    ))),

    unfold_expression: $ => prec.dynamic(-2, prec(PREC.splat, seq(
      '*', field('expr', $._expression),
    ))),

    // `$x ? { a => b, default => c }` and the brace-less single entry `$x ? a => b`.
    selector_expression: $ => prec.left(PREC.select, seq(
      field('left', $._expression),
      '?',
      choice(
        field('entry', $.selector_entry),
        seq(
          alias($._selector_brace, '{'),
          commaSep1(field('entry', $.selector_entry)),
          optional(','),
          '}',
        ),
      ),
    )),

    _selector_brace: _ => token(prec(1, '{')),

    selector_entry: $ => prec.right(PREC.farrow, seq(
      field('matching', $._expression),
      '=>',
      field('value', $._expression),
    )),

    paren_expression: $ => choice(
      // `(` after other text on the line could also start call arguments; a call wins.
      prec.dynamic(-2, seq(alias($._lparen, '('), field('expr', $._assignment), ')')),
      seq(alias($._wslparen, '('), field('expr', $._assignment), ')'),
    ),

    access_expression: $ => prec.left(PREC.access, seq(
      field('left', $._expression),
      alias($._lbrack, '['),
      commaSep1(field('key', $._access_arg)),
      optional(','),
      ']',
    )),

    _access_arg: $ => choice($._expression, $.keyed_entry),

    // ------------------------------------------------------------------ calls
    call_named_function_expression: $ => prec.right(PREC.call, seq(
      field('functor', choice($._expression, alias('type', $.name))),
      alias($._lparen, '('),
      optional(seq(commaSep1(field('argument', $._argument)), optional(','))),
      ')',
      optional(field('lambda', $.lambda_expression)),
    )),

    _argument: $ => choice($._assignment, $.keyed_entry),

    // Right-associative so that a `|` after the call starts its lambda rather than ending
    // an enclosing parameter list (egrammar: PIPE outranks the call's LOW).
    call_method_expression: $ => prec.right(PREC.dot, seq(
      field('functor', $.named_access_expression),
      optional(seq(
        alias($._lparen, '('),
        optional(commaSep1(field('argument', $._argument))),
        ')',
      )),
      optional(field('lambda', $.lambda_expression)),
    )),

    named_access_expression: $ => prec.left(PREC.dot, seq(
      field('left', $._expression),
      '.',
      field('right', choice($.name, alias('type', $.name))),
    )),

    lambda_expression: $ => prec(PREC.lambda, seq(
      field('parameters', alias($._pipe_parameter_list, $.parameter_list)),
      optional($._return_type),
      field('body', $.block),
    )),

    _return_type: $ => seq('>>', field('return_type', $._parameter_type)),

    // ------------------------------------------------------------ conditionals
    block: $ => seq('{', optional($._statements), '}'),

    if_expression: $ => seq(
      'if',
      field('condition', $._expression),
      field('consequence', $.block),
      optional(field('alternative', choice($.elsif_clause, $.else_clause))),
    ),

    elsif_clause: $ => seq(
      'elsif',
      field('condition', $._expression),
      field('consequence', $.block),
      optional(field('alternative', choice($.elsif_clause, $.else_clause))),
    ),

    else_clause: $ => seq('else', field('body', $.block)),

    unless_expression: $ => seq(
      'unless',
      field('condition', $._expression),
      field('consequence', $.block),
      optional(field('alternative', $.else_clause)),
    ),

    case_expression: $ => seq(
      'case',
      field('test', $._expression),
      '{',
      repeat1(field('option', $.case_option)),
      '}',
    ),

    case_option: $ => seq(
      commaSep1(field('value', $._expression)),
      ':',
      field('body', $.block),
    ),

    // ------------------------------------------------------------- collection
    collect_expression: $ => prec.left(PREC.collect, seq(
      field('type', $._expression),
      field('query', choice($.virtual_query, $.exported_query)),
      optional(seq(
        '{',
        optional(choice($._attribute_operations, ',')),
        '}',
      )),
    )),

    virtual_query: $ => seq('<|', optional(field('expr', $._expression)), '|>'),

    exported_query: $ => seq('<<|', optional(field('expr', $._expression)), '|>>'),

    // ------------------------------------------------------------ definitions
    resource_type_definition: $ => seq(
      'define',
      field('name', $._classname),
      optional(field('parameters', $.parameter_list)),
      field('body', $.block),
    ),

    host_class_definition: $ => seq(
      'class',
      field('name', $._classname),
      optional(field('parameters', $.parameter_list)),
      optional(seq('inherits', field('parent', choice($._classname, $.default)))),
      field('body', $.block),
    ),

    _classname: $ => choice($.name, $.word, $.type),

    node_definition: $ => seq(
      'node',
      commaSep1(field('hostname', $._hostname)),
      optional(','),
      optional(seq('inherits', field('parent', $._hostname))),
      field('body', $.block),
    ),

    _hostname: $ => choice($.dotted_name, $._quotedtext, $.default, $.regex),

    dotted_name: $ => seq(
      choice($.name, $.number),
      repeat(seq('.', choice($.name, $.number))),
    ),

    function_definition: $ => seq(
      'function',
      field('name', $._classname),
      optional(field('parameters', $.parameter_list)),
      optional($._return_type),
      field('body', $.block),
    ),

    parameter_list: $ => seq(
      choice(alias($._lparen, '('), alias($._wslparen, '(')),
      optional(seq(commaSep1(field('parameter', $.parameter)), optional(','))),
      ')',
    ),

    _pipe_parameter_list: $ => seq(
      '|',
      optional(seq(commaSep1(field('parameter', $.parameter)), optional(','))),
      '|',
    ),

    parameter: $ => seq(
      optional(field('type', $._parameter_type)),
      optional(field('splat', '*')),
      field('name', $.variable),
      optional(seq('=', field('value', $._expression))),
    ),

    _parameter_type: $ => choice($.type, alias($._type_access, $.access_expression)),

    _type_access: $ => seq(
      field('left', $.type),
      alias($._lbrack, '['),
      commaSep1(field('key', $._access_arg)),
      ']',
    ),

    type_alias: $ => seq(
      'type',
      field('name', $._parameter_type),
      '=',
      field('value', choice(
        $.type,
        alias($._type_access_endcomma, $.access_expression),
        alias($._type_object, $.keyed_entry),
        $.hash,
        $.array,
      )),
    ),

    _type_access_endcomma: $ => prec(2, seq(
      field('left', $.type),
      alias($._lbrack, '['),
      commaSep1(field('key', $._access_arg)),
      optional(','),
      ']',
    )),

    _type_object: $ => prec(2, seq(field('key', $.type), field('value', $.hash))),

    type_definition: $ => seq(
      'type',
      field('name', $.type),
      optional(seq('inherits', field('parent', $.type))),
      field('body', $.block),
    ),

    // -------------------------------------------------------------- primaries
    _primary_expression: $ => choice(
      $.variable,
      // The first token of `${...}` that Puppet's lexer makes a variable (a name, bare
      // word, keyword or number, alone or followed by `.` or `[`: `${type[0]}`); the
      // external scanner emits it only there (interpolation_support transform_to_variable).
      alias($._interpolated_name, $.interpolated_variable),
      $.case_expression,
      $.if_expression,
      $.unless_expression,
      $.resource_type_definition,
      $.host_class_definition,
      $.node_definition,
      $.function_definition,
      $.type_alias,
      $.type_definition,
      $.reserved_word,
      $.array,
      $.hash,
      $.regex,
      $._quotedtext,
      $.type,
      $.number,
      $.boolean,
      $.default,
      $.undef,
      $.name,
      ...(epp ? [$.template_text, $.render_expression] : []),
    ),

    ...(epp
      ? {
        // `<%= expr %>` and `<%= { statements } %>` (egrammar epp_render_expression).
        render_expression: $ => seq(
          alias($._render_open, '<%='),
          choice(
            field('expr', $._expression),
            field('expr', alias($._render_block, $.block)),
          ),
          alias($._render_close, $.epp_close),
        ),
      }
      : {}),

    ...(epp ? { _render_block: $ => seq('{', $._statements, '}') } : {}),

    reserved_word: _ => choice('private', 'attr'),

    array: $ => seq(
      choice(alias($._liststart, '['), alias($._lbrack, '[')),
      optional(seq(commaSep1(field('element', $._collection_entry)), optional(','))),
      ']',
    ),

    _collection_entry: $ => choice($._argument, $._collection_entry_keyword),

    _collection_entry_keyword: $ => choice(alias('type', $.word), alias('function', $.word)),

    // `name {` is a resource (egrammar shifts LBRACE after `resource`), so after a
    // statement-call name a hash loses to an untitled_resource (dynamic -2).
    hash: $ => prec.dynamic(-2, seq(
      '{',
      optional(seq(commaSep1(field('entry', $.keyed_entry)), optional(','))),
      '}',
    )),

    keyed_entry: $ => prec.right(PREC.farrow, seq(
      field('key', $._hash_entry),
      '=>',
      field('value', $._hash_entry),
    )),

    _hash_entry: $ => choice($._assignment, $._collection_entry_keyword),

    _quotedtext: $ => choice(
      $.single_quoted_string,
      $.word,
      $.double_quoted_string,
      $.heredoc,
    ),

    single_quoted_string: _ => token(seq("'", repeat(choice(/[^'\\]/, /\\(.|\n)/)), "'")),

    double_quoted_string: $ => seq(
      '"',
      repeat(choice(
        alias($._dq_content, $.string_content),
        alias($._dq_escape, $.escape_sequence),
        $.interpolation,
        alias($._interpolation_variable, $.variable),
      )),
      '"',
    ),

    // `${expr}` inside double quoted strings and heredocs.
    interpolation: $ => seq(alias($._interpolation_start, '${'), field('expr', $._assignment), '}'),

    // `@(TAG:syntax/escapes)`; the text is in the next heredoc_body (see NODES.md).
    heredoc: $ => $.heredoc_start,

    heredoc_body: $ => seq(
      $._heredoc_body_start,
      repeat(choice(
        alias($._heredoc_content, $.string_content),
        alias($._heredoc_escape, $.escape_sequence),
        $.interpolation,
        alias($._interpolation_variable, $.variable),
      )),
      $.heredoc_end,
    ),

    boolean: _ => choice('true', 'false'),
    default: _ => 'default',
    undef: _ => 'undef',

    // lexer2.rb PATTERN_NAME: lower case segments, optional leading `::`.
    name: _ => /(::)?[a-z][a-zA-Z0-9_]*(::[a-z][a-zA-Z0-9_]*)*/,

    // `type` (lexer2 PATTERN_CLASSREF) and `word` (PATTERN_BARE_WORD that is not a NAME)
    // are lexed by the external scanner.

    // lexer2.rb PATTERN_DOLLAR_VAR.
    variable: _ => /\$(::)?([a-zA-Z0-9_]+::)*[a-zA-Z0-9_]+/,

    // lexer2.rb PATTERN_NUMBER (hex, octal, decimal, float, exponent).
    number: _ => /0[xX][0-9A-Fa-f]+|[0-9]+(\.[0-9]+)?([eE]-?[0-9]+)?/,

    comment: _ => token(choice(
      /#[^\n]*/,
      seq('/*', /[^*]*\*+([^/*][^*]*\*+)*/, '/'),
    )),
  };

  return grammar({
    name: dialect,
    externals,
    extras,
    word: $ => $.name,
    reserved: {
      global: _ => KEYWORDS,
    },
    conflicts: _ => [],
    supertypes: _ => [],
    rules,
  });
}

module.exports = defineGrammar;
