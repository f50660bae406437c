/*
 * External scanner shared by the `puppet` and `epp` grammars.
 *
 * It does what Puppet's lexer (puppet/pops/parser/lexer2.rb and its support modules)
 * decides from context that a context-free lexer cannot:
 *   - `(` is WSLPAREN when only blanks precede it on its line, else LPAREN;
 *   - `[` is LISTSTART when preceded by whitespace (or at the start), else LBRACK;
 *   - `/` is a regex where the parser accepts one and not a division, else DIV;
 *   - heredocs: `@(TAG:syntax/escapes)` and, at the next newline, the body lines up to
 *     the end line, with escapes and interpolation as the heredoc's tag asks;
 *   - double quoted string content, escapes and `$var` / `${` interpolation starts;
 *   - the first token of `${...}` that the lexer turns into a variable (`${type[0]}`);
 *   - EPP (when PUPPET_SCANNER_EPP is 1): template text, `<%` `<%-` `<%=` `%>` `-%>`.
 *
 * The including file defines PUPPET_SCANNER_EPP and PUPPET_SCANNER_NAME(suffix).
 */

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum TokenType {
  LPAREN,
  WSLPAREN,
  LBRACK,
  LISTSTART,
  REGEX,
  DIV,
  HEREDOC_START,
  HEREDOC_BODY_START,
  HEREDOC_CONTENT,
  HEREDOC_ESCAPE,
  HEREDOC_END,
  DQ_CONTENT,
  DQ_ESCAPE,
  INTERPOLATION_START,
  INTERPOLATION_VARIABLE,
  ERROR_SENTINEL,
  UNCLOSED_STRING,
  TYPE,
  WORD,
  INTERPOLATED_NAME,
  TEMPLATE_TEXT,
  TEMPLATE_TRIVIA,
  EPP_OPEN,
  RENDER_OPEN,
  EPP_CLOSE,
  RENDER_CLOSE,
};

#define MAX_TAG 120
#define MAX_HEREDOCS 6

/* Heredoc escape flags (the `/trnsuL$` part of the heredoc spec). */
#define ESC_ENABLED 0x01 /* any escapes: `\\` is always one then */
#define ESC_T 0x02
#define ESC_R 0x04
#define ESC_N 0x08
#define ESC_S 0x10
#define ESC_U 0x20
#define ESC_L 0x40
#define ESC_DOLLAR 0x80

enum EppMode { EPP_TEXT = 0, EPP_CODE = 1, EPP_EXPR = 2 };

typedef struct {
  uint8_t interpolate;
  uint8_t escapes;
  uint8_t tag_length;
  char tag[MAX_TAG];
} Heredoc;

typedef struct {
  /* Heredocs whose `@(...)` was seen; the first one is the one whose body is read. */
  Heredoc heredocs[MAX_HEREDOCS];
  uint8_t heredoc_count;
  /* Reading the body of heredocs[0]. */
  bool in_body;
  /* In a body, at the start of a line (the end line check is due). */
  bool line_start;
  /* A heredoc body ended and the next heredoc of the same line starts right away. */
  bool start_now;
  uint8_t epp_mode;
  /* The last EPP tag was `-%>`: trim the blanks and line break that follow. */
  bool skip_leading;
  /* The last token was a `${` whose first token is to be read as a variable name. */
  bool name_next;
} Scanner;

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }
static inline void skip(TSLexer *lexer) { lexer->advance(lexer, true); }

static inline bool is_word_char(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_';
}

static inline bool is_hex(int32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool is_blank(int32_t c) { return c == ' ' || c == '\t'; }
static inline bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }
static inline bool is_upper(int32_t c) { return c >= 'A' && c <= 'Z'; }
static inline bool is_lower_start(int32_t c) { return (c >= 'a' && c <= 'z') || c == '_'; }

/* Whitespace between tokens: ASCII space characters and Ruby's Unicode [[:blank:]]. */
static inline bool is_space(int32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' ||
         c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

/* ------------------------------------------------------------------ state */

static unsigned serialize(Scanner *s, char *buffer) {
  unsigned size = 0;
  buffer[size++] = (char)((s->in_body ? 1 : 0) | (s->line_start ? 2 : 0) |
                          (s->start_now ? 4 : 0) | (s->skip_leading ? 8 : 0) |
                          (s->name_next ? 16 : 0));
  buffer[size++] = (char)s->epp_mode;
  buffer[size++] = (char)s->heredoc_count;
  for (unsigned i = 0; i < s->heredoc_count; i++) {
    Heredoc *h = &s->heredocs[i];
    if (size + 3 + h->tag_length > TREE_SITTER_SERIALIZATION_BUFFER_SIZE) break;
    buffer[size++] = (char)h->interpolate;
    buffer[size++] = (char)h->escapes;
    buffer[size++] = (char)h->tag_length;
    memcpy(buffer + size, h->tag, h->tag_length);
    size += h->tag_length;
  }
  return size;
}

static void deserialize(Scanner *s, const char *buffer, unsigned length) {
  /* Called before every scan: reset only the fields, not the heredoc slots (a memset of
   * the whole struct was a tenth of the scanner's time). */
  s->heredoc_count = 0;
  s->in_body = false;
  s->line_start = false;
  s->start_now = false;
  s->epp_mode = EPP_TEXT;
  s->skip_leading = false;
  s->name_next = false;
  if (length < 3) return;
  unsigned size = 0;
  uint8_t flags = (uint8_t)buffer[size++];
  s->in_body = flags & 1;
  s->line_start = (flags & 2) != 0;
  s->start_now = (flags & 4) != 0;
  s->skip_leading = (flags & 8) != 0;
  s->name_next = (flags & 16) != 0;
  s->epp_mode = (uint8_t)buffer[size++];
  uint8_t count = (uint8_t)buffer[size++];
  for (unsigned i = 0; i < count && i < MAX_HEREDOCS && size + 3 <= length; i++) {
    Heredoc *h = &s->heredocs[i];
    h->interpolate = (uint8_t)buffer[size++];
    h->escapes = (uint8_t)buffer[size++];
    h->tag_length = (uint8_t)buffer[size++];
    if (h->tag_length > MAX_TAG || size + h->tag_length > length) break;
    memcpy(h->tag, buffer + size, h->tag_length);
    size += h->tag_length;
    s->heredoc_count = (uint8_t)(i + 1);
  }
}

static void pop_heredoc(Scanner *s) {
  if (s->heredoc_count == 0) return;
  memmove(&s->heredocs[0], &s->heredocs[1], sizeof(Heredoc) * (s->heredoc_count - 1));
  s->heredoc_count--;
}

/* ----------------------------------------------------------- heredoc lines */

/*
 * Puppet's end line pattern is not anchored at the line start:
 *   /([[:blank:]]*)(?:([|])[[:blank:]]*)?(?:(\-)[[:blank:]]*)?TAG[[:blank:]]*\r?(?:\n|\z)/
 * so a line is the end line when, without its line break, an optional `\r` and trailing
 * blanks, it ends with TAG.
 */
static bool line_ends_with_tag(const Heredoc *h, const char *line, unsigned length) {
  while (length > 0 && is_blank(line[length - 1])) length--;
  if (length < h->tag_length) return false;
  return memcmp(line + length - h->tag_length, h->tag, h->tag_length) == 0;
}

#define LINE_KEEP 512

static inline void record(char *line, unsigned *length, int32_t c) {
  if (*length >= LINE_KEEP) {
    memmove(line, line + LINE_KEEP / 2, *length - LINE_KEEP / 2);
    *length -= LINE_KEEP / 2;
  }
  line[(*length)++] = c > 0x7f ? (char)0xff : (char)c;
}

/* Whether a heredoc line (without its line break) is the end line. */
static bool line_is_end(const Heredoc *h, const char *line, unsigned length) {
  /* `\r` is only allowed right before the line break, after the blanks. */
  if (length > 0 && line[length - 1] == '\r') length--;
  return line_ends_with_tag(h, line, length);
}

/*
 * Reads the rest of the line (lookahead only: mark_end is not called) and tells if it
 * is the end line. `line`/`length` hold what was already read of the line.
 */
static bool rest_is_end_line(const Heredoc *h, TSLexer *lexer, char *line, unsigned length) {
  while (!lexer->eof(lexer) && lexer->lookahead != '\n') {
    record(line, &length, lexer->lookahead);
    advance(lexer);
  }
  return line_is_end(h, line, length);
}

/* ------------------------------------------------------- interpolation */

/*
 * At `$`: consumes `${` or `$name` (interpolation_support PATTERN_VARIABLE
 * `(::)?(\w+::)*\w+`) and returns the token, or returns false having consumed the `$`
 * (and maybe more text) when the `$` starts no interpolation (it is then text).
 */
static bool scan_dollar(TSLexer *lexer) {
  advance(lexer); /* $ */
  if (lexer->lookahead == '{') {
    advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = INTERPOLATION_START;
    return true;
  }
  if (lexer->lookahead == ':') {
    advance(lexer);
    if (lexer->lookahead != ':') return false;
    advance(lexer);
  }
  if (!is_word_char(lexer->lookahead)) return false;
  for (;;) {
    while (is_word_char(lexer->lookahead)) advance(lexer);
    lexer->mark_end(lexer);
    if (lexer->lookahead != ':') break;
    advance(lexer);
    if (lexer->lookahead != ':') break;
    advance(lexer);
    if (!is_word_char(lexer->lookahead)) break;
  }
  lexer->result_symbol = INTERPOLATION_VARIABLE;
  return true;
}

/*
 * Names made variables. Puppet's lexer reads the tokens of `${...}` up to its closing
 * brace, then (interpolation_support enqueue_until / transform_to_variable) turns the
 * first token into a VARIABLE when it is a NAME, a WORD, a keyword or a NUMBER and it is
 * either the only token or followed by `.` or LBRACK (a `[` with no blank right before
 * it): `${type[0]}` is `$type[0]`, `${node.x}` is `$node.x`, `${true}` is `$true`. When
 * the scanner returns `${`, it looks ahead for that case and sets `name_next`; the next
 * token is then the name, as INTERPOLATED_NAME.
 */

/* The lookahead after `${`: what it read of a heredoc line, for the end line check. */
typedef struct {
  const Heredoc *heredoc; /* NULL: not at the start of a heredoc line */
  char *line;
  unsigned length;
  bool line_checked;
  bool end_line;
} Lookahead;

static inline void look(TSLexer *lexer, Lookahead *ahead) {
  if (ahead->heredoc && !ahead->line_checked) record(ahead->line, &ahead->length, lexer->lookahead);
  advance(lexer);
}

/* At a line break: whether it ends a heredoc line that is the end line (checked once). */
static bool reaches_end_line(TSLexer *lexer, Lookahead *ahead) {
  if (lexer->lookahead != '\n' || !ahead->heredoc || ahead->line_checked) return false;
  ahead->line_checked = true;
  ahead->end_line = line_is_end(ahead->heredoc, ahead->line, ahead->length);
  return ahead->end_line;
}

/*
 * Skips blanks, line breaks and comments. Returns false at a `/` that starts no comment,
 * at an unclosed comment, or at the line break of a heredoc line that is the end line
 * (then `end_line` is set and the lexer stays at that line break). `blank` tells if the
 * last character skipped was a blank or a line break.
 */
static bool skip_trivia(TSLexer *lexer, Lookahead *ahead, bool *blank) {
  for (;;) {
    if (lexer->eof(lexer)) return true;
    int32_t c = lexer->lookahead;
    if (reaches_end_line(lexer, ahead)) return false;
    if (is_space(c)) {
      *blank = true;
      look(lexer, ahead);
    } else if (c == '#') {
      while (!lexer->eof(lexer) && lexer->lookahead != '\n') look(lexer, ahead);
    } else if (c == '/') {
      look(lexer, ahead);
      if (lexer->lookahead != '*') return false; /* a regex or a division */
      look(lexer, ahead);
      for (;;) {
        if (lexer->eof(lexer)) return false;
        int32_t d = lexer->lookahead;
        if (reaches_end_line(lexer, ahead)) return false;
        look(lexer, ahead);
        if (d == '*' && lexer->lookahead == '/') break;
      }
      look(lexer, ahead);
      *blank = false;
    } else {
      return true;
    }
  }
}

enum NameEnd { NAME_NONE, NAME_READ, NAME_BEFORE_DOT };

/*
 * Reads a NAME, WORD or keyword (lexer2 PATTERN_BARE_WORD) or a NUMBER (PATTERN_NUMBER
 * as assert_numeric accepts it), calling mark_end after it when `mark`. NAME_BEFORE_DOT:
 * a number followed by a dot that starts no fraction (`1.foo`), the dot read. NAME_NONE:
 * no such token, or one that can be followed by none of `.`, `[` and `}` (a word ending
 * in `-`, a word followed by `::` and no name, an illegal number).
 */
static enum NameEnd read_name(TSLexer *lexer, Lookahead *ahead, bool mark) {
  int32_t c = lexer->lookahead;
  if (c == ':') {
    look(lexer, ahead);
    if (lexer->lookahead != ':') return NAME_NONE;
    look(lexer, ahead);
    c = lexer->lookahead;
    if (!is_lower_start(c)) return NAME_NONE;
  }
  if (is_lower_start(c)) {
    for (;;) {
      /* A segment [a-z_]([\w-]*\w)?, then `::` and the next segment. */
      bool dash = false;
      while (is_word_char(lexer->lookahead) || lexer->lookahead == '-') {
        dash = lexer->lookahead == '-';
        look(lexer, ahead);
      }
      if (dash) return NAME_NONE;
      if (lexer->lookahead != ':') break;
      look(lexer, ahead);
      if (lexer->lookahead != ':') return NAME_NONE;
      look(lexer, ahead);
      if (!is_lower_start(lexer->lookahead)) return NAME_NONE;
    }
  } else if (is_digit(c)) {
    look(lexer, ahead);
    if (c == '0' && (lexer->lookahead == 'x' || lexer->lookahead == 'X')) {
      look(lexer, ahead);
      if (!is_hex(lexer->lookahead)) return NAME_NONE;
      while (is_hex(lexer->lookahead)) look(lexer, ahead);
    } else {
      /* assert_numeric: a number starting with 0 and a non-dot must be ^0[0-7]+$. */
      bool octal = c == '0' && lexer->lookahead != '.' && is_word_char(lexer->lookahead);
      while (is_digit(lexer->lookahead)) {
        if (octal && lexer->lookahead > '7') return NAME_NONE;
        look(lexer, ahead);
      }
      if (lexer->lookahead == '.') {
        if (mark) lexer->mark_end(lexer);
        look(lexer, ahead);
        if (!is_digit(lexer->lookahead)) return NAME_BEFORE_DOT;
        if (octal) return NAME_NONE;
        while (is_digit(lexer->lookahead)) look(lexer, ahead);
      }
      if (lexer->lookahead == 'e' || lexer->lookahead == 'E') {
        if (octal) return NAME_NONE;
        look(lexer, ahead);
        if (lexer->lookahead == '-') look(lexer, ahead);
        if (!is_digit(lexer->lookahead)) return NAME_NONE;
        while (is_digit(lexer->lookahead)) look(lexer, ahead);
      }
    }
    if (is_word_char(lexer->lookahead)) return NAME_NONE;
  } else {
    return NAME_NONE;
  }
  if (mark) lexer->mark_end(lexer);
  return NAME_READ;
}

/*
 * Right after `${` (lookahead only): whether its first token is one the lexer makes a
 * variable. With `ahead->heredoc`, the `${` starts a heredoc line, and the line is
 * checked for being the end line as its line break is reached.
 */
static bool name_is_next(TSLexer *lexer, Lookahead *ahead) {
  bool blank = false;
  if (!skip_trivia(lexer, ahead, &blank)) return false;
  enum NameEnd end = read_name(lexer, ahead, false);
  if (end == NAME_NONE) return false;
  if (end == NAME_BEFORE_DOT) return true;
  blank = false;
  if (!skip_trivia(lexer, ahead, &blank) || lexer->eof(lexer)) return false;
  int32_t c = lexer->lookahead;
  return c == '.' || c == '}' || (c == '[' && !blank);
}

/* After `\u`: 4 hex digits or `{` 1 to 6 hex digits `}` (slurp_support.rb). */
static bool scan_unicode_escape(TSLexer *lexer) {
  if (lexer->lookahead == '{') {
    advance(lexer);
    int digits = 0;
    while (is_hex(lexer->lookahead) && digits < 7) {
      advance(lexer);
      digits++;
    }
    if (digits < 1 || digits > 6 || lexer->lookahead != '}') return false;
    advance(lexer);
    return true;
  }
  for (int i = 0; i < 4; i++) {
    if (!is_hex(lexer->lookahead)) return false;
    advance(lexer);
  }
  return true;
}

/*
 * At `\`: consumes a recognized escape and returns true. `flags` are heredoc escape
 * flags; double quoted strings use all of them plus `\"` and `\'`.
 */
static bool scan_escape(TSLexer *lexer, uint8_t flags, bool double_quoted, bool *line_break) {
  advance(lexer); /* \ */
  int32_t c = lexer->lookahead;
  bool ok = false;
  switch (c) {
    case '\\': ok = true; break;
    case '"':
    case '\'': ok = double_quoted; break;
    case 't': ok = flags & ESC_T; break;
    case 'r': ok = flags & ESC_R; break;
    case 'n': ok = flags & ESC_N; break;
    case 's': ok = flags & ESC_S; break;
    case '$': ok = flags & ESC_DOLLAR; break;
    case '\n':
      ok = flags & ESC_L;
      *line_break = ok;
      break;
    case '\r':
      if (!(flags & ESC_L)) return false;
      advance(lexer);
      if (lexer->lookahead != '\n') return false;
      *line_break = true;
      break;
    case 'u':
      if (!(flags & ESC_U)) return false;
      advance(lexer);
      if (!scan_unicode_escape(lexer)) return false;
      lexer->mark_end(lexer);
      return true;
    default: return false;
  }
  if (!ok) return false;
  advance(lexer);
  lexer->mark_end(lexer);
  return true;
}

#define DQ_FLAGS (ESC_ENABLED | ESC_T | ESC_R | ESC_N | ESC_S | ESC_U | ESC_L | ESC_DOLLAR)

/* How a double quoted string's segment ends (interpolation_support's slurp_dqstring). */
enum SegmentEnd { SEGMENT_QUOTE, SEGMENT_INTERPOLATION, SEGMENT_VARIABLE, SEGMENT_EOF };

/*
 * Reads on (lookahead only) to the end of the current string segment: the closing quote,
 * `${` (consumed), `$` followed by a variable name (the `$` consumed, the name not), or
 * the end of the input. Shared by segment_is_closed and prescan_string.
 */
static enum SegmentEnd read_segment(TSLexer *lexer) {
  for (;;) {
    if (lexer->eof(lexer)) return SEGMENT_EOF;
    int32_t c = lexer->lookahead;
    advance(lexer);
    if (c == '"') return SEGMENT_QUOTE;
    if (c == '\\') {
      if (!lexer->eof(lexer)) advance(lexer);
    } else if (c == '$') {
      if (lexer->lookahead == '{') {
        advance(lexer);
        return SEGMENT_INTERPOLATION;
      }
      if (is_word_char(lexer->lookahead)) return SEGMENT_VARIABLE;
      if (lexer->lookahead == ':') {
        advance(lexer);
        if (lexer->lookahead != ':') continue;
        advance(lexer);
        if (is_word_char(lexer->lookahead)) return SEGMENT_VARIABLE;
      }
    }
  }
}

/*
 * Whether the current string segment ends before the input does. False: Puppet reports
 * UNCLOSED_QUOTE where the segment started.
 */
static bool segment_is_closed(TSLexer *lexer) { return read_segment(lexer) != SEGMENT_EOF; }

/* Inside "...": content up to `"`, `\` or `$`, or one escape or interpolation start. */
static bool scan_dq(Scanner *s, TSLexer *lexer) {
  int32_t c = lexer->lookahead;
  if (lexer->eof(lexer)) {
    lexer->result_symbol = ERROR_SENTINEL;
    lexer->mark_end(lexer);
    return true;
  }
  if (c == '"') return false;
  if (c == '\\') {
    bool line_break = false;
    if (scan_escape(lexer, DQ_FLAGS, true, &line_break)) {
      lexer->result_symbol = DQ_ESCAPE;
      if (!segment_is_closed(lexer)) lexer->result_symbol = ERROR_SENTINEL;
      return true;
    }
    /* Not an escape: the backslash is text; continue as content. */
  } else if (c == '$') {
    if (scan_dollar(lexer)) {
      if (lexer->result_symbol == INTERPOLATION_START) {
        Lookahead ahead = {0};
        s->name_next = name_is_next(lexer, &ahead);
      }
      return true;
    }
  } else {
    advance(lexer);
  }
  for (;;) {
    lexer->mark_end(lexer);
    c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '"' || c == '\\' || c == '$') break;
    advance(lexer);
  }
  lexer->result_symbol = segment_is_closed(lexer) ? DQ_CONTENT : ERROR_SENTINEL;
  return true;
}

/* ---------------------------------------------------------------- heredoc */

/* At `@(`: reads the spec `@(TAG[:syntax][/escapes])` (heredoc_support PATTERN_HEREDOC). */
static bool read_heredoc_spec(Scanner *s, TSLexer *lexer) {
  advance(lexer); /* ( */
  char tag[MAX_TAG + 2];
  unsigned length = 0;
  while (!lexer->eof(lexer) && lexer->lookahead != ':' && lexer->lookahead != '/' &&
         lexer->lookahead != ')' && lexer->lookahead != '\r' && lexer->lookahead != '\n') {
    if (length >= MAX_TAG) return false;
    int32_t c = lexer->lookahead;
    if (c > 0x7f) return false;
    tag[length++] = (char)c;
    advance(lexer);
  }
  /* endtag.strip! */
  unsigned start = 0;
  while (start < length && is_space(tag[start])) start++;
  while (length > start && is_space(tag[length - 1])) length--;
  bool interpolate = false;
  if (length - start >= 2 && tag[start] == '"' && tag[length - 1] == '"') {
    interpolate = true;
    start++;
    length--;
    while (start < length && is_space(tag[start])) start++;
    while (length > start && is_space(tag[length - 1])) length--;
  }
  if (length <= start) return false;
  if (lexer->lookahead == ':') {
    advance(lexer);
    while (is_blank(lexer->lookahead)) advance(lexer);
    if (!(lexer->lookahead >= 'a' && lexer->lookahead <= 'z')) return false;
    advance(lexer);
    int n = 0;
    while (is_word_char(lexer->lookahead) || lexer->lookahead == '+') {
      advance(lexer);
      n++;
    }
    if (n == 0) return false;
    while (is_blank(lexer->lookahead)) advance(lexer);
  }
  uint8_t escapes = 0;
  if (lexer->lookahead == '/') {
    advance(lexer);
    escapes = ESC_ENABLED;
    uint8_t seen = 0;
    int n = 0;
    while (is_word_char(lexer->lookahead) || lexer->lookahead == '$') {
      uint8_t flag;
      switch (lexer->lookahead) {
        case 't': flag = ESC_T; break;
        case 'r': flag = ESC_R; break;
        case 'n': flag = ESC_N; break;
        case 's': flag = ESC_S; break;
        case 'u': flag = ESC_U; break;
        case 'L': flag = ESC_L; break;
        case '$': flag = ESC_DOLLAR; break;
        default: return false;
      }
      if (seen & flag) return false;
      seen |= flag;
      n++;
      advance(lexer);
    }
    escapes |= n == 0 ? (ESC_T | ESC_R | ESC_N | ESC_S | ESC_U | ESC_L | ESC_DOLLAR) : seen;
    while (is_blank(lexer->lookahead)) advance(lexer);
  }
  if (lexer->lookahead != ')') return false;
  advance(lexer);
  lexer->mark_end(lexer);
  if (s->heredoc_count >= MAX_HEREDOCS) return false;
  Heredoc *h = &s->heredocs[s->heredoc_count++];
  h->interpolate = interpolate;
  h->escapes = escapes;
  h->tag_length = (uint8_t)(length - start);
  memcpy(h->tag, tag + start, length - start);
  lexer->result_symbol = HEREDOC_START;
  return true;
}

/*
 * At `@(`: a heredoc start, or an error token when lexer2 would reject the spec
 * (HEREDOC_INVALID_SYNTAX, HEREDOC_INVALID_ESCAPE, HEREDOC_MULTIPLE_AT_ESCAPES, ...).
 */
static bool scan_heredoc_start(Scanner *s, TSLexer *lexer) {
  advance(lexer); /* @ */
  if (lexer->lookahead != '(') return false;
  lexer->mark_end(lexer);
  if (read_heredoc_spec(s, lexer)) return true;
  lexer->result_symbol = ERROR_SENTINEL;
  return true;
}

/*
 * In a heredoc body: one content run (up to a `$`/`\` candidate or the end of the line,
 * line break included), one escape or one interpolation start; or, at a line start, the
 * end line when the line is one.
 */
/*
 * At the start of the first line of heredocs[0]'s text: a zero-width body start when an
 * end line follows, else an error token (HEREDOC_WITHOUT_END_TAGGED_LINE, which Puppet
 * reports at this position).
 */
static bool scan_heredoc_body_start(Scanner *s, TSLexer *lexer) {
  lexer->mark_end(lexer);
  char line[LINE_KEEP];
  while (!lexer->eof(lexer)) {
    if (rest_is_end_line(&s->heredocs[0], lexer, line, 0)) {
      s->in_body = true;
      s->line_start = true;
      s->start_now = false;
      lexer->result_symbol = HEREDOC_BODY_START;
      return true;
    }
    if (!lexer->eof(lexer)) advance(lexer); /* \n */
  }
  s->heredoc_count = 0;
  s->start_now = false;
  lexer->result_symbol = ERROR_SENTINEL;
  return true;
}

static bool scan_heredoc_body(Scanner *s, TSLexer *lexer) {
  Heredoc *h = &s->heredocs[0];
  uint8_t flags = h->escapes;
  bool escapes = flags & ESC_ENABLED;
  bool check_end = s->line_start;
  char line[LINE_KEEP];
  unsigned length = 0;
  if (lexer->eof(lexer)) return false;

  int32_t c = lexer->lookahead;
  bool consumed = false;
  if (h->interpolate && c == '$') {
    consumed = true;
    if (scan_dollar(lexer)) {
      Lookahead ahead = {check_end ? h : NULL, line, 0, false, false};
      if (lexer->result_symbol == INTERPOLATION_START) s->name_next = name_is_next(lexer, &ahead);
      if (check_end && (ahead.line_checked ? ahead.end_line : rest_is_end_line(h, lexer, line, ahead.length))) {
        s->name_next = false;
        if (!lexer->eof(lexer)) advance(lexer);
        goto end_line;
      }
      s->line_start = false;
      return true;
    }
  } else if (escapes && c == '\\') {
    consumed = true;
    bool line_break = false;
    if (scan_escape(lexer, flags, false, &line_break)) {
      lexer->result_symbol = HEREDOC_ESCAPE;
      if (check_end && !line_break && rest_is_end_line(h, lexer, line, 0)) {
        if (!lexer->eof(lexer)) advance(lexer);
        goto end_line;
      }
      s->line_start = line_break;
      return true;
    }
  }

  bool ended_line = false;
  for (;;) {
    lexer->mark_end(lexer);
    if (lexer->eof(lexer)) break;
    c = lexer->lookahead;
    if (consumed && ((h->interpolate && c == '$') || (escapes && c == '\\'))) break;
    if (check_end) record(line, &length, c);
    advance(lexer);
    consumed = true;
    if (c == '\n') {
      lexer->mark_end(lexer);
      ended_line = true;
      break;
    }
  }
  if (check_end) {
    if (ended_line || lexer->eof(lexer)) {
      if (ended_line) length--;
      if (length > 0 && line[length - 1] == '\r') length--;
      if (line_ends_with_tag(h, line, length)) goto end_line;
    } else if (rest_is_end_line(h, lexer, line, length)) {
      if (!lexer->eof(lexer)) advance(lexer);
      goto end_line;
    }
  }
  s->line_start = ended_line;
  lexer->result_symbol = HEREDOC_CONTENT;
  return true;

end_line:
  lexer->mark_end(lexer);
  lexer->result_symbol = HEREDOC_END;
  pop_heredoc(s);
  s->in_body = false;
  s->line_start = false;
  s->start_now = s->heredoc_count > 0;
  return true;
}

/* -------------------------------------------------------------------- EPP */

#if PUPPET_SCANNER_EPP

/*
 * Text mode: the text up to the next `<%`, `<%-` or `<%=` (epp_support.rb EppScanner),
 * with `<%%`, `%%>` and `<%# comments %>` inside it. It is TEMPLATE_TEXT when Puppet
 * would render it (a RENDER_STRING token), else TEMPLATE_TRIVIA. At a tag, the tag.
 */
static bool scan_template(Scanner *s, TSLexer *lexer, const bool *valid) {
  bool skip_leading = s->skip_leading;
  /* The input ended right after a comment or a `<%%`: EppScanner's loop then ends
   * without returning its text, and Puppet renders nothing of this segment. */
  bool ended_after_tag = false;
  unsigned raw = 0;
  long processed = 0;
  long trailing_blanks = 0;
  bool error = false;

  for (;;) {
    if (skip_leading && !lexer->eof(lexer)) ended_after_tag = false;
    if (skip_leading) {
      /* part.sub!(/^[ \t]*\r?(?:\n|\z)?/, '') */
      while (is_blank(lexer->lookahead)) {
        advance(lexer);
        raw++;
      }
      if (lexer->lookahead == '\r') {
        advance(lexer);
        raw++;
      }
      if (lexer->lookahead == '\n') {
        advance(lexer);
        raw++;
      }
      skip_leading = false;
    }
    lexer->mark_end(lexer);
    if (lexer->eof(lexer)) break;
    int32_t c = lexer->lookahead;
    if (c == '<') {
      advance(lexer);
      if (lexer->lookahead != '%') {
        raw++;
        processed++;
        trailing_blanks = 0;
        continue;
      }
      advance(lexer);
      int32_t n = lexer->lookahead;
      if (n == '%') {
        /* `<%%` is a literal `<%`. */
        advance(lexer);
        raw += 3;
        processed += 2;
        trailing_blanks = 0;
        ended_after_tag = true;
        continue;
      }
      if (n == '#') {
        /* A comment, up to the first `%>` not preceded by `%`. */
        advance(lexer);
        raw += 3;
        bool trim_before = lexer->lookahead == '-';
        int32_t prev = '#';
        bool closed = false;
        while (!lexer->eof(lexer)) {
          int32_t d = lexer->lookahead;
          advance(lexer);
          raw++;
          if (d == '%' && prev != '%' && lexer->lookahead == '>') {
            advance(lexer);
            raw++;
            closed = true;
            break;
          }
          prev = d;
        }
        if (!closed) {
          error = true;
          lexer->mark_end(lexer);
          break;
        }
        if (trim_before) {
          processed -= trailing_blanks;
          trailing_blanks = 0;
        }
        if (prev == '-') skip_leading = true;
        ended_after_tag = true;
        continue;
      }
      /* A tag: the text ends before it. */
      if (raw == 0) {
        if (n == '=') {
          advance(lexer);
          lexer->mark_end(lexer);
          lexer->result_symbol = RENDER_OPEN;
          s->epp_mode = EPP_EXPR;
        } else {
          if (n == '-') advance(lexer);
          lexer->mark_end(lexer);
          lexer->result_symbol = EPP_OPEN;
          s->epp_mode = EPP_CODE;
        }
        s->skip_leading = false;
        return true;
      }
      if (n == '-') {
        processed -= trailing_blanks;
        trailing_blanks = 0;
      }
      lexer->result_symbol = processed > 0 ? TEMPLATE_TEXT : TEMPLATE_TRIVIA;
      s->skip_leading = false;
      return true;
    }
    advance(lexer);
    raw++;
    processed++;
    trailing_blanks = is_blank(c) ? trailing_blanks + 1 : 0;
    ended_after_tag = false;
  }
  if (error) {
    lexer->result_symbol = ERROR_SENTINEL;
    return true;
  }
  if (raw == 0) return false;
  /* At the end of input Puppet renders the text even when it is empty, unless the input
   * ended right after a comment or `<%%`. */
  lexer->result_symbol = ended_after_tag ? TEMPLATE_TRIVIA : TEMPLATE_TEXT;
  s->skip_leading = false;
  (void)valid;
  return true;
}

#endif

/* ---------------------------------------------------------------- regex */

/* ----------------------------------------------- tokens lexer2 rejects */


/*
 * At a digit: Puppet's PATTERN_NUMBER must match up to a word boundary and assert_numeric
 * must accept the text (hex digits, octal digits after a leading 0). Returns true when the
 * number is illegal, having consumed it; false (nothing to emit) when it is fine.
 */
static bool scan_illegal_number(TSLexer *lexer) {
  int32_t first = lexer->lookahead;
  advance(lexer);
  bool illegal = false;
  if (first == '0' && (lexer->lookahead == 'x' || lexer->lookahead == 'X')) {
    advance(lexer);
    if (!is_hex(lexer->lookahead)) illegal = true;
    while (is_hex(lexer->lookahead)) advance(lexer);
  } else {
    /* assert_numeric: text starting with 0 and a non-dot must be ^0[0-7]+$. */
    bool octal = first == '0' && lexer->lookahead != '.' && is_word_char(lexer->lookahead);
    while (is_digit(lexer->lookahead)) {
      if (lexer->lookahead > '7' && octal) illegal = true;
      advance(lexer);
    }
    if (lexer->lookahead == '.') {
      advance(lexer);
      /* `1.` followed by a non-digit: the number was `1`, then a dot. */
      if (!is_digit(lexer->lookahead)) return false;
      if (octal) illegal = true;
      while (is_digit(lexer->lookahead)) advance(lexer);
    }
    if (lexer->lookahead == 'e' || lexer->lookahead == 'E') {
      advance(lexer);
      if (lexer->lookahead == '-') advance(lexer);
      if (!is_digit(lexer->lookahead) || octal) illegal = true;
      while (is_digit(lexer->lookahead)) advance(lexer);
    }
  }
  if (is_word_char(lexer->lookahead)) {
    illegal = true;
    while (is_word_char(lexer->lookahead)) advance(lexer);
  }
  if (!illegal) return false;
  lexer->mark_end(lexer);
  return true;
}

/*
 * At an upper case letter (after an optional `::`, already consumed): lexer2's
 * PATTERN_CLASSREF, a `type` token; followed by `::` it is an illegal class reference
 * (`Foo::bar`), an error token. (The scanner lexes `type` and `word` because tree-sitter
 * leaves them out of its error-recovery lexer, which then loops on them.)
 */
static void scan_type(TSLexer *lexer) {
  for (;;) {
    while (is_word_char(lexer->lookahead)) advance(lexer);
    lexer->mark_end(lexer);
    if (lexer->lookahead != ':') break;
    advance(lexer);
    if (lexer->lookahead != ':') break;
    advance(lexer);
    if (!is_upper(lexer->lookahead)) {
      while (is_word_char(lexer->lookahead)) advance(lexer);
      lexer->mark_end(lexer);
      lexer->result_symbol = ERROR_SENTINEL;
      return;
    }
  }
  lexer->result_symbol = TYPE;
}


/*
 * At `[a-z_]` (after an optional `::`, already consumed): lexer2's PATTERN_BARE_WORD. A
 * `word` token when it is not a NAME (a segment starts with `_` or has a `-`); false for
 * a NAME, which the grammar's own lexer takes (it also finds the keywords).
 */
static bool scan_word(TSLexer *lexer) {
  bool special = false;
  for (;;) {
    /* A segment: [a-z_]([\w-]*\w)? */
    if (lexer->lookahead == '_') special = true;
    advance(lexer);
    lexer->mark_end(lexer);
    bool dash = false;
    while (is_word_char(lexer->lookahead) || lexer->lookahead == '-') {
      bool is_dash = lexer->lookahead == '-';
      advance(lexer);
      if (is_dash) {
        dash = true;
      } else {
        lexer->mark_end(lexer);
        if (dash) special = true;
      }
    }
    if (lexer->lookahead != ':') break;
    advance(lexer);
    if (lexer->lookahead != ':') break;
    advance(lexer);
    if (!is_lower_start(lexer->lookahead)) break;
  }
  if (!special) return false;
  lexer->result_symbol = WORD;
  return true;
}

/*
 * Whether the next character starts a token of the grammar (whitespace is skipped), so
 * that tree-sitter's unrecognized-character path, which can make error recovery loop
 * forever, is never taken. May consume characters (then sets *consumed).
 */
static bool starts_token(TSLexer *lexer, bool *consumed) {
  int32_t c = lexer->lookahead;
  if (is_word_char(c)) return true;
  switch (c) {
    case '"': case '@': case '#': case '/': case '*': case '(': case ')': case '[':
    case ']': case '{': case '}': case ',': case ';': case ':': case '.': case '?':
    case '!': case '=': case '+': case '-': case '%': case '<': case '>': case '|':
      return true;
    case '~':
      /* `~>` only: a lone `~` is lexed by Puppet but no rule uses it. */
      advance(lexer);
      *consumed = true;
      return lexer->lookahead == '>';
    case '$':
      /* A variable; a `$` that starts none is lexer2's empty VARIABLE, an error here. */
      advance(lexer);
      *consumed = true;
      if (is_word_char(lexer->lookahead)) return true;
      if (lexer->lookahead != ':') return false;
      advance(lexer);
      if (lexer->lookahead != ':') return false;
      advance(lexer);
      return is_word_char(lexer->lookahead);
    case '\'': {
      /* A single quoted string must be closed (UNCLOSED_QUOTE at the quote). */
      advance(lexer);
      *consumed = true;
      for (;;) {
        if (lexer->eof(lexer)) return false;
        int32_t d = lexer->lookahead;
        advance(lexer);
        if (d == '\\' && !lexer->eof(lexer)) {
          advance(lexer);
        } else if (d == '\'') {
          return true;
        }
      }
    }
    default:
      return false;
  }
}

/* ------------------------------------------------ unclosed strings */

static bool prescan_string(TSLexer *lexer, unsigned depth);

/* After `${`: skips the expression to its closing brace (false: the input ended). */
static bool prescan_interpolation(TSLexer *lexer, unsigned depth) {
  unsigned braces = 0;
  for (;;) {
    if (lexer->eof(lexer)) return false;
    int32_t c = lexer->lookahead;
    advance(lexer);
    switch (c) {
      case '{': braces++; break;
      case '}':
        if (braces == 0) return true;
        braces--;
        break;
      case '"':
        if (!prescan_string(lexer, depth + 1)) return false;
        break;
      case '\'':
        for (;;) {
          if (lexer->eof(lexer)) return false;
          int32_t d = lexer->lookahead;
          advance(lexer);
          if (d == '\\' && !lexer->eof(lexer)) {
            advance(lexer);
          } else if (d == '\'') {
            break;
          }
        }
        break;
      case '#':
        while (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
        break;
      default: break;
    }
  }
}

/*
 * After an opening `"`: reads (lookahead only) to the closing quote as lexer2's
 * interpolate_dq does, calling mark_end at the start of every segment. Returns false
 * when the input ends first: the last mark is then where Puppet reports UNCLOSED_QUOTE.
 */
static bool prescan_string(TSLexer *lexer, unsigned depth) {
  if (depth > 32) return true;
  lexer->mark_end(lexer);
  for (;;) {
    switch (read_segment(lexer)) {
      case SEGMENT_QUOTE: return true;
      case SEGMENT_EOF: return false;
      case SEGMENT_INTERPOLATION:
        if (!prescan_interpolation(lexer, depth)) return false;
        lexer->mark_end(lexer);
        break;
      case SEGMENT_VARIABLE:
        /* The name `(\w+::)*\w+`: the next segment starts after it. */
        while (is_word_char(lexer->lookahead)) {
          while (is_word_char(lexer->lookahead)) advance(lexer);
          lexer->mark_end(lexer);
          if (lexer->lookahead != ':') break;
          advance(lexer);
          if (lexer->lookahead != ':') break;
          advance(lexer);
        }
        lexer->mark_end(lexer);
        break;
    }
  }
}

/* ------------------------------------------------------------------- scan */

static bool scan(Scanner *s, TSLexer *lexer, const bool *valid) {
  bool recovery = valid[ERROR_SENTINEL];
  /* Set by the `${` just read: good for the next token only. */
  bool name_next = s->name_next;
  s->name_next = false;

  if (s->in_body && s->heredoc_count > 0 && (valid[HEREDOC_CONTENT] || valid[HEREDOC_END])) {
    return scan_heredoc_body(s, lexer);
  }

  if (s->start_now && s->heredoc_count > 0 && valid[HEREDOC_BODY_START]) {
    return scan_heredoc_body_start(s, lexer);
  }

  if (!recovery && (valid[DQ_CONTENT] || valid[DQ_ESCAPE])) {
    return scan_dq(s, lexer);
  }

#if PUPPET_SCANNER_EPP
  if (s->epp_mode == EPP_TEXT) {
    return scan_template(s, lexer, valid);
  }
#endif

  unsigned skipped = 0;
  bool newline = false;
  while (is_space(lexer->lookahead)) {
    if (lexer->lookahead == '\n' && s->heredoc_count > 0 && !s->in_body &&
        valid[HEREDOC_BODY_START]) {
      skip(lexer);
      return scan_heredoc_body_start(s, lexer);
    }
    if (lexer->lookahead == '\n') newline = true;
    skip(lexer);
    skipped++;
  }

  if (lexer->eof(lexer)) {
    /* A heredoc without text, or an EPP tag left open, is an error (lexer2 raises). */
#if PUPPET_SCANNER_EPP
    if (s->epp_mode == EPP_CODE && !recovery) {
      lexer->result_symbol = ERROR_SENTINEL;
      lexer->mark_end(lexer);
      s->epp_mode = EPP_TEXT;
      return true;
    }
#endif
    if (s->heredoc_count > 0 && !s->in_body && !recovery) {
      s->heredoc_count = 0;
      lexer->result_symbol = ERROR_SENTINEL;
      lexer->mark_end(lexer);
      return true;
    }
    return false;
  }

  int32_t c = lexer->lookahead;

  /* The first token of `${...}` that is a variable (comments before it are extras). */
  if (name_next && valid[INTERPOLATED_NAME] && c != '#' && c != '/') {
    if (read_name(lexer, &(Lookahead){0}, true) == NAME_NONE) return false;
    lexer->result_symbol = INTERPOLATED_NAME;
    return true;
  }

#if PUPPET_SCANNER_EPP
  if (s->epp_mode != EPP_TEXT && (c == '%' || c == '-')) {
    bool trim = c == '-';
    advance(lexer);
    if (trim) {
      if (lexer->lookahead != '%') return false;
      advance(lexer);
    }
    if (lexer->lookahead != '>') return false;
    advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = s->epp_mode == EPP_EXPR ? RENDER_CLOSE : EPP_CLOSE;
    s->epp_mode = EPP_TEXT;
    /* Puppet reads the body of a heredoc opened on this line from the following lines,
     * which the template also renders as text: no heredoc_body node then (NODES.md). */
    s->heredoc_count = 0;
    s->start_now = false;
    s->skip_leading = trim;
    return true;
  }
#endif

  bool consumed = false;
  if (!starts_token(lexer, &consumed)) {
    /* A character no Puppet token starts with (lexer2's OTHER token) or a token lexer2
     * rejects: an error token. */
    if (!consumed) advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = ERROR_SENTINEL;
    return true;
  }
  if (consumed) return false;

  if (is_digit(c)) {
    bool illegal = scan_illegal_number(lexer);
    if (illegal) lexer->result_symbol = ERROR_SENTINEL;
    return illegal;
  }
  if (c == ':') {
    advance(lexer);
    if (lexer->lookahead != ':') return false;
    advance(lexer);
    c = lexer->lookahead;
    if (!is_upper(c) && !is_lower_start(c)) return false;
  }
  if (is_upper(c)) {
    scan_type(lexer);
    return true;
  }
  if (is_lower_start(c)) return scan_word(lexer);

  /* `(`, `[` and `/` are only external tokens: emit them even where the parser does not
   * expect them, so that it sees a token (and an error), not an unknown character. */
  if (c == '(') {
    bool line_start = newline || lexer->get_column(lexer) == skipped;
    advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = line_start ? WSLPAREN : LPAREN;
    return true;
  }

  if (c == '[') {
    bool after_space = skipped > 0 || lexer->get_column(lexer) == 0;
    advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = after_space ? LISTSTART : LBRACK;
    return true;
  }

  if (c == '"') {
    /* Puppet lexes a whole double quoted string, interpolations included, before parsing
     * it: an unclosed one is an error at the start of its last segment, even when the
     * parser would stop earlier. Closed: the grammar's own lexer takes the quote. */
    advance(lexer);
    if (prescan_string(lexer, 0)) return false;
    lexer->result_symbol = UNCLOSED_STRING;
    return true;
  }

  if (c == '@' && valid[HEREDOC_START]) {
    return scan_heredoc_start(s, lexer);
  }

  if (c == '/') {
    advance(lexer);
    if (lexer->lookahead == '*') {
      /* A comment; unclosed, an error token (UNCLOSED_MLCOMMENT at its start). */
      advance(lexer);
      lexer->mark_end(lexer);
      for (;;) {
        if (lexer->eof(lexer)) {
          lexer->result_symbol = ERROR_SENTINEL;
          return true;
        }
        int32_t d = lexer->lookahead;
        advance(lexer);
        if (d == '*' && lexer->lookahead == '/') return false;
      }
    }
    if (valid[REGEX] && !valid[DIV]) {
      /* scan_regex expects to be at the `/`; redo its first step here. */
      lexer->mark_end(lexer);
      lexer->result_symbol = DIV;
      unsigned backslashes = 0;
      for (;;) {
        if (lexer->eof(lexer)) return true;
        int32_t d = lexer->lookahead;
        advance(lexer);
        if (d == '/') {
          if (backslashes % 2 == 0) break;
          backslashes = 0;
          continue;
        }
        backslashes = d == '\\' ? backslashes + 1 : 0;
      }
      lexer->mark_end(lexer);
      lexer->result_symbol = REGEX;
      return true;
    }
    lexer->mark_end(lexer);
    lexer->result_symbol = DIV;
    return true;
  }

  return false;
}

/* ------------------------------------------------------------- interface */

void *PUPPET_SCANNER_NAME(create)(void) {
  Scanner *s = calloc(1, sizeof(Scanner));
  return s;
}

void PUPPET_SCANNER_NAME(destroy)(void *payload) { free(payload); }

unsigned PUPPET_SCANNER_NAME(serialize)(void *payload, char *buffer) {
  return serialize((Scanner *)payload, buffer);
}

void PUPPET_SCANNER_NAME(deserialize)(void *payload, const char *buffer, unsigned length) {
  deserialize((Scanner *)payload, buffer, length);
}

bool PUPPET_SCANNER_NAME(scan)(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  return scan((Scanner *)payload, lexer, valid_symbols);
}
