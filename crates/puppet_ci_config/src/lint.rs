//! The `lint:` section: which puppet-lint checks `puppet-ci lint` and the lint stage of
//! `puppet-ci all` run, with puppet-lint's options, and what fails the stage. It says what
//! `.puppet-lint.rc` says, and is applied after it.

use serde::Deserialize;

/// puppet-lint 4.3.0's check names, in its order (`puppet_lint` checks that its rules
/// are exactly these).
pub const CHECKS: [&str; 40] = [
    "arrow_on_right_operand_line",
    "autoloader_layout",
    "class_inherits_from_params_class",
    "code_on_top_scope",
    "inherits_across_namespaces",
    "names_containing_dash",
    "names_containing_uppercase",
    "nested_classes_or_defines",
    "parameter_order",
    "right_to_left_relationship",
    "variable_scope",
    "slash_comments",
    "star_comments",
    "case_without_default",
    "selector_inside_resource",
    "documentation",
    "unquoted_node_name",
    "duplicate_params",
    "ensure_first_param",
    "ensure_not_symlink_target",
    "file_mode",
    "unquoted_file_mode",
    "unquoted_resource_title",
    "double_quoted_strings",
    "only_variable_string",
    "puppet_url_without_modules",
    "quoted_booleans",
    "single_quote_string_with_variables",
    "variables_not_enclosed",
    "variable_contains_dash",
    "variable_is_lowercase",
    "140chars",
    "2sp_soft_tabs",
    "80chars",
    "arrow_alignment",
    "hard_tabs",
    "space_before_arrow",
    "trailing_whitespace",
    "legacy_facts",
    "top_scope_facts",
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lint {
    /// Run exactly these checks (`--only-checks`); `enable` and `disable` apply after it.
    #[serde(default)]
    pub only_checks: Option<Vec<String>>,
    /// Checks to turn on (`--<check>-check`), e.g. `80chars`.
    #[serde(default)]
    pub enable: Vec<String>,
    /// Checks to turn off (`--no-<check>-check`).
    #[serde(default)]
    pub disable: Vec<String>,
    /// `--relative`: `autoloader_layout` ignores the name of the module's own folder.
    #[serde(default)]
    pub relative: bool,
    /// `--ignore-paths`: `File.fnmatch` patterns of files not to lint.
    #[serde(default)]
    pub ignore_paths: Option<Vec<String>>,
    /// `--top-scope-variables`: top-scope variables `top_scope_facts` accepts.
    #[serde(default)]
    pub top_scope_variables: Vec<String>,
    /// What fails `puppet-ci lint` and the lint stage: `error` (the default), `warning`
    /// (as `--fail-on-warnings`), or `nothing` (report only).
    #[serde(default)]
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Nothing,
}
