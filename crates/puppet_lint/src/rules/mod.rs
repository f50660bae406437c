//! The 40 rules, one file each, in puppet-lint 4.3.0's check order (the order its
//! problems are reported and its fixes applied in).

mod arrow_alignment;
mod ast;
mod arrow_on_right_operand_line;
mod autoloader_layout;
mod case_without_default;
mod class_inherits_from_params_class;
mod code_on_top_scope;
mod documentation;
mod double_quoted_strings;
mod duplicate_params;
mod ensure_first_param;
mod ensure_not_symlink_target;
mod file_mode;
mod hard_tabs;
mod inherits_across_namespaces;
mod legacy_facts;
mod line_140chars;
mod line_80chars;
mod line_length;
mod names_containing_dash;
mod names_containing_uppercase;
mod nested_classes_or_defines;
mod only_variable_string;
mod parameter_order;
mod puppet_url_without_modules;
mod quoted_booleans;
mod right_to_left_relationship;
mod selector_inside_resource;
mod single_quote_string_with_variables;
mod slash_comments;
mod soft_tabs_2sp;
mod space_before_arrow;
mod star_comments;
mod top_scope_facts;
mod trailing_whitespace;
mod unquoted_file_mode;
mod unquoted_node_name;
mod unquoted_resource_title;
mod variable_contains_dash;
mod variable_is_lowercase;
mod variable_scope;
mod variables_not_enclosed;

pub use autoloader_layout::expected_path;
pub use legacy_facts::is_legacy_fact;
pub use top_scope_facts::allowlist_regex;

use crate::rule::Rule;

/// Every rule, in puppet-lint's order.
pub static RULES: &[&dyn Rule] = &[
    &arrow_on_right_operand_line::ArrowOnRightOperandLine,
    &autoloader_layout::AutoloaderLayout,
    &class_inherits_from_params_class::ClassInheritsFromParamsClass,
    &code_on_top_scope::CodeOnTopScope,
    &inherits_across_namespaces::InheritsAcrossNamespaces,
    &names_containing_dash::NamesContainingDash,
    &names_containing_uppercase::NamesContainingUppercase,
    &nested_classes_or_defines::NestedClassesOrDefines,
    &parameter_order::ParameterOrder,
    &right_to_left_relationship::RightToLeftRelationship,
    &variable_scope::VariableScope,
    &slash_comments::SlashComments,
    &star_comments::StarComments,
    &case_without_default::CaseWithoutDefault,
    &selector_inside_resource::SelectorInsideResource,
    &documentation::Documentation,
    &unquoted_node_name::UnquotedNodeName,
    &duplicate_params::DuplicateParams,
    &ensure_first_param::EnsureFirstParam,
    &ensure_not_symlink_target::EnsureNotSymlinkTarget,
    &file_mode::FileMode,
    &unquoted_file_mode::UnquotedFileMode,
    &unquoted_resource_title::UnquotedResourceTitle,
    &double_quoted_strings::DoubleQuotedStrings,
    &only_variable_string::OnlyVariableString,
    &puppet_url_without_modules::PuppetUrlWithoutModules,
    &quoted_booleans::QuotedBooleans,
    &single_quote_string_with_variables::SingleQuoteStringWithVariables,
    &variables_not_enclosed::VariablesNotEnclosed,
    &variable_contains_dash::VariableContainsDash,
    &variable_is_lowercase::VariableIsLowercase,
    &line_140chars::Line140Chars,
    &soft_tabs_2sp::SoftTabs2sp,
    &line_80chars::Line80Chars,
    &arrow_alignment::ArrowAlignment,
    &hard_tabs::HardTabs,
    &space_before_arrow::SpaceBeforeArrow,
    &trailing_whitespace::TrailingWhitespace,
    &legacy_facts::LegacyFacts,
    &top_scope_facts::TopScopeFacts,
];
