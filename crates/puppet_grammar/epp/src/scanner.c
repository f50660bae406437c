/* External scanner of the `epp` grammar: see ../../common/scanner.h. */
#define PUPPET_SCANNER_EPP 1
#define PUPPET_SCANNER_NAME(suffix) tree_sitter_epp_external_scanner_##suffix
#include "../../common/scanner.h"
