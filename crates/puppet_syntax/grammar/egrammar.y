/*
 * Puppet's expression grammar, `lib/puppet/pops/parser/egrammar.ra` of Puppet 7.23.0
 * (Apache License 2.0, Puppet, Inc.), in yacc form for grmtools: the productions and the
 * precedence declarations as they are, the Ruby actions dropped, the precedence list
 * reversed (Racc lists the highest first, yacc the lowest). `=TOKEN` after a production
 * became `%prec TOKEN`. Converted mechanically; see docs/dev/syntax-errors.md.
 *
 * build.rs makes the LR tables from it (grmtools' lrtable, Pager's algorithm: the same
 * conflicts resolved the same way as Racc's LALR(1), none left over), used only to find
 * where Puppet's parser stops in a file our tree-sitter grammar rejects.
 */
%start program
%token AND APPENDS APPLY AT ATAT ATTR BOOLEAN CASE CLASS CLASSREF COLON COMMA DEFAULT DEFINE DELETES DIV DOT DQMID DQPOST DQPRE ELSE ELSIF EPP_END EPP_END_TRIM EPP_START EQUALS FALSE FARROW FUNCTION GREATEREQUAL GREATERTHAN HEREDOC HIGH IF IN INHERITS IN_EDGE IN_EDGE_SUB ISEQUAL LAMBDA LBRACE LBRACK LCOLLECT LESSEQUAL LESSTHAN LISTSTART LLCOLLECT LOW LPAREN LSHIFT MATCH MINUS MODULO NAME NODE NOMATCH NOT NOTEQUAL NUMBER OR OUT_EDGE OUT_EDGE_SUB PARROW PIPE PLAN PLUS PRIVATE QMARK RBRACE RBRACK RCOLLECT REGEX RENDER_EXPR RENDER_STRING RPAREN RRCOLLECT RSHIFT SELBRACE SEMIC SPLAT STRING SUBLOCATE SYMBOL TIMES TRUE TYPE UMINUS UNDEF UNLESS VARIABLE WORD WSLPAREN
%left LOW
%nonassoc RENDER_STRING
%nonassoc RENDER_EXPR
%left COMMA
%left FARROW
%left IN_EDGE OUT_EDGE IN_EDGE_SUB OUT_EDGE_SUB
%right APPENDS DELETES EQUALS
%right AT ATAT
%left RBRACE
%left SELBRACE
%left LBRACE
%left OR
%left AND
%left QMARK
%left GREATEREQUAL GREATERTHAN LESSTHAN LESSEQUAL
%left NOTEQUAL ISEQUAL
%left LSHIFT RSHIFT
%left MINUS PLUS
%left TIMES DIV MODULO
%left MATCH NOMATCH
%left IN
%nonassoc UMINUS
%nonassoc SPLAT
%right NOT
%left LCOLLECT LLCOLLECT
%left RBRACK
%left LBRACK LISTSTART
%nonassoc EPP_START
%left DOT
%left RPAREN
%left LPAREN WSLPAREN
%left PIPE
%left SEMIC
%left HIGH
%%
program
  : statements
  | epp_expression
  | 
  ;
statements
  : syntactic_statements
  ;
syntactic_statements
  : syntactic_statement
  | syntactic_statements SEMIC syntactic_statement
  | syntactic_statements syntactic_statement
  ;
syntactic_statement
  : assignment %prec LOW
  | syntactic_statement COMMA assignment %prec LOW
  ;
assignment
  : relationship %prec LOW
  | relationship EQUALS assignment
  | relationship APPENDS assignment
  | relationship DELETES assignment
  ;
argument
  : assignment
  | hashpair
  ;
arguments
  : argument
  | arguments COMMA argument
  ;
relationship
  : resource %prec LOW
  | relationship IN_EDGE resource
  | relationship IN_EDGE_SUB resource
  | relationship OUT_EDGE resource
  | relationship OUT_EDGE_SUB resource
  ;
resource
  : expression %prec LOW
  | AT resource
  | ATAT resource
  | resource LBRACE expression COLON attribute_operations additional_resource_bodies RBRACE
  | CLASS LBRACE resource_bodies endsemi RBRACE
  | resource LBRACE attribute_operations endcomma RBRACE
  ;
resource_body
  : expression COLON attribute_operations endcomma
  ;
resource_bodies
  : resource_body %prec HIGH
  | resource_bodies SEMIC resource_body %prec HIGH
  ;
additional_resource_bodies
  : endcomma
  | endcomma SEMIC
  | endcomma SEMIC resource_bodies endsemi
  ;
expression
  : primary_expression
  | call_function_expression
  | bracketed_expression
  | expression IN expression
  | expression MATCH expression
  | expression NOMATCH expression
  | expression PLUS expression
  | expression MINUS expression
  | expression DIV expression
  | expression TIMES expression
  | expression MODULO expression
  | expression LSHIFT expression
  | expression RSHIFT expression
  | MINUS expression %prec UMINUS
  | TIMES expression %prec SPLAT
  | expression NOTEQUAL expression
  | expression ISEQUAL expression
  | expression GREATERTHAN expression
  | expression GREATEREQUAL expression
  | expression LESSTHAN expression
  | expression LESSEQUAL expression
  | NOT expression
  | expression AND expression
  | expression OR expression
  | expression QMARK selector_entries
  | LPAREN assignment RPAREN
  | WSLPAREN assignment RPAREN
  ;
bracketed_expression
  : expression LBRACK access_args endcomma RBRACK %prec LBRACK
  ;
access_args
  : access_arg
  | access_args COMMA access_arg
  ;
access_arg
  : expression
  | hashpair
  ;
expressions
  : expression
  | expressions COMMA expression
  ;
primary_expression
  : variable
  | call_method_with_lambda_expression
  | collection_expression
  | case_expression
  | if_expression
  | unless_expression
  | definition_expression
  | hostclass_expression
  | plan_expression
  | apply_expression
  | node_definition_expression
  | epp_render_expression
  | function_definition
  | type_alias
  | type_definition
  | reserved_word
  | array
  | hash
  | regex
  | quotedtext
  | type
  | NUMBER
  | BOOLEAN
  | DEFAULT
  | UNDEF
  | NAME
  ;
call_function_expression
  : call_function_start arguments endcomma RPAREN
  | call_function_start RPAREN
  | call_function_start arguments endcomma RPAREN lambda
  | call_function_start RPAREN lambda
  ;
call_function_start
  : expression LPAREN
  | TYPE LPAREN
  ;
call_method_with_lambda_expression
  : call_method_expression %prec LOW
  | call_method_expression lambda
  ;
call_method_expression
  : named_access LPAREN arguments RPAREN
  | named_access LPAREN RPAREN
  | named_access %prec LOW
  ;
named_access
  : expression DOT NAME
  | expression DOT TYPE
  ;
lambda
  : lambda_parameter_list opt_return_type lambda_rest
  ;
lambda_rest
  : LBRACE statements RBRACE
  | LBRACE RBRACE
  ;
lambda_parameter_list
  : PIPE PIPE
  | PIPE parameters endcomma PIPE
  ;
if_expression
  : IF if_part
  ;
if_part
  : expression LBRACE statements RBRACE else
  | expression LBRACE RBRACE else
  ;
else
  : 
  | ELSIF if_part
  | ELSE LBRACE statements RBRACE
  | ELSE LBRACE RBRACE
  ;
unless_expression
  : UNLESS expression LBRACE statements RBRACE unless_else
  | UNLESS expression LBRACE RBRACE unless_else
  ;
unless_else
  : 
  | ELSE LBRACE statements RBRACE
  | ELSE LBRACE RBRACE
  ;
case_expression
  : CASE expression LBRACE case_options RBRACE
  ;
case_options
  : case_option
  | case_options case_option
  ;
case_option
  : expressions COLON LBRACE options_statements RBRACE
  ;
options_statements
  : nil
  | statements
  ;
selector_entries
  : selector_entry
  | SELBRACE selector_entry_list endcomma RBRACE
  ;
selector_entry_list
  : selector_entry
  | selector_entry_list COMMA selector_entry
  ;
selector_entry
  : expression FARROW expression
  ;
collection_expression
  : expression collect_query LBRACE attribute_operations endcomma RBRACE
  | expression collect_query %prec LOW
  ;
collect_query
  : LCOLLECT optional_query RCOLLECT
  | LLCOLLECT optional_query RRCOLLECT
  ;
optional_query
  : nil
  | expression
  ;
attribute_operations
  : 
  | attribute_operation
  | attribute_operations COMMA attribute_operation
  ;
attribute_name
  : NAME
  | keyword
  ;
attribute_operation
  : attribute_name FARROW expression
  | attribute_name PARROW expression
  | TIMES FARROW expression
  ;
definition_expression
  : DEFINE classname parameter_list LBRACE opt_statements RBRACE
  ;
plan_expression
  : PLAN stacked_classname parameter_list LBRACE opt_statements RBRACE
  ;
apply_expression
  : APPLY LPAREN arguments endcomma RPAREN LBRACE statements RBRACE
  | APPLY LPAREN arguments endcomma RPAREN LBRACE RBRACE
  ;
hostclass_expression
  : CLASS stacked_classname parameter_list classparent LBRACE opt_statements RBRACE
  ;
stacked_classname
  : classname
  ;
opt_statements
  : statements
  | nil
  ;
classparent
  : nil
  | INHERITS classnameordefault
  ;
classnameordefault
  : classname
  | DEFAULT
  ;
node_definition_expression
  : NODE hostnames endcomma nodeparent LBRACE statements RBRACE
  | NODE hostnames endcomma nodeparent LBRACE RBRACE
  ;
hostnames
  : hostname
  | hostnames COMMA hostname
  ;
hostname
  : dotted_name
  | quotedtext
  | DEFAULT
  | regex
  ;
dotted_name
  : name_or_number
  | dotted_name DOT name_or_number
  ;
name_or_number
  : NAME
  | NUMBER
  ;
nodeparent
  : nil
  | INHERITS hostname
  ;
function_definition
  : FUNCTION classname parameter_list opt_return_type LBRACE opt_statements RBRACE
  ;
opt_return_type
  : RSHIFT type
  | RSHIFT type LBRACK access_args RBRACK
  | nil
  ;
classname
  : NAME
  | WORD
  | CLASSREF
  | CLASS
  | STRING
  ;
parameter_list
  : nil
  | LPAREN RPAREN
  | WSLPAREN RPAREN
  | LPAREN parameters endcomma RPAREN
  | WSLPAREN parameters endcomma RPAREN
  ;
parameters
  : parameter
  | parameters COMMA parameter
  ;
parameter
  : untyped_parameter
  | typed_parameter
  ;
untyped_parameter
  : regular_parameter
  | splat_parameter
  ;
regular_parameter
  : VARIABLE EQUALS expression
  | VARIABLE
  ;
splat_parameter
  : TIMES regular_parameter
  ;
typed_parameter
  : parameter_type untyped_parameter
  ;
parameter_type
  : type
  | type LBRACK access_args RBRACK
  ;
type_alias
  : type_alias_lhs EQUALS type hash
  | type_alias_lhs EQUALS type LBRACK access_args endcomma RBRACK
  | type_alias_lhs EQUALS type
  | type_alias_lhs EQUALS hash
  | type_alias_lhs EQUALS array
  ;
type_alias_lhs
  : TYPE parameter_type
  ;
type_definition
  : TYPE CLASSREF LBRACE optional_statements RBRACE
  | TYPE CLASSREF INHERITS CLASSREF LBRACE optional_statements RBRACE
  ;
variable
  : VARIABLE
  ;
reserved_word
  : PRIVATE
  | ATTR
  ;
array
  : LISTSTART collection_entries endcomma RBRACK
  | LISTSTART RBRACK
  | LBRACK collection_entries endcomma RBRACK
  | LBRACK RBRACK
  ;
hash
  : LBRACE hashpairs RBRACE
  | LBRACE hashpairs COMMA RBRACE
  | LBRACE RBRACE
  ;
hashpairs
  : hashpair
  | hashpairs COMMA hashpair
  ;
hashpair
  : hash_entry FARROW hash_entry
  ;
collection_entry
  : argument
  | collection_entry_keyword
  ;
hash_entry
  : assignment
  | collection_entry_keyword
  ;
collection_entries
  : collection_entry
  | collection_entries COMMA collection_entry
  ;
collection_entry_keyword
  : TYPE
  | FUNCTION
  ;
quotedtext
  : string
  | dq_string
  | heredoc
  ;
string
  : STRING
  | WORD
  ;
dq_string
  : dqpre dqrval
  ;
dqpre
  : DQPRE
  ;
dqpost
  : DQPOST
  ;
dqmid
  : DQMID
  ;
dqrval
  : text_expression dqtail
  ;
text_expression
  : assignment
  ;
dqtail
  : dqpost
  | dqmid dqrval
  ;
heredoc
  : HEREDOC sublocated_text
  ;
sublocated_text
  : SUBLOCATE string
  | SUBLOCATE dq_string
  ;
epp_expression
  : EPP_START epp_parameters_list optional_statements
  ;
optional_statements
  : 
  | statements
  ;
epp_parameters_list
  : %prec LOW
  | PIPE PIPE
  | PIPE parameters endcomma PIPE
  ;
epp_render_expression
  : RENDER_STRING
  | RENDER_EXPR expression epp_end
  | RENDER_EXPR LBRACE statements RBRACE epp_end
  ;
epp_end
  : EPP_END
  | EPP_END_TRIM
  ;
type
  : CLASSREF
  ;
regex
  : REGEX
  ;
endcomma
  : 
  | COMMA
  ;
endsemi
  : 
  | SEMIC
  ;
keyword
  : AND
  | CASE
  | CLASS
  | DEFAULT
  | DEFINE
  | ELSE
  | ELSIF
  | IF
  | IN
  | INHERITS
  | NODE
  | OR
  | UNDEF
  | UNLESS
  | TYPE
  | ATTR
  | FUNCTION
  | PRIVATE
  | PLAN
  | APPLY
  ;
nil
  : 
  ;
%%
