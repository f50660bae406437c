/* External scanner of the `puppet` grammar: see ../../common/scanner.h. */
#define PUPPET_SCANNER_EPP 0
#define PUPPET_SCANNER_NAME(suffix) tree_sitter_puppet_external_scanner_##suffix
#include "../../common/scanner.h"
