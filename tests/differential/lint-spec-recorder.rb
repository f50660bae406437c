# A spec_helper for puppet-lint's own plugin specs that records every example it runs:
# the check, the code, the options, and what puppet-lint 4.3.0 found and fixed (one JSON
# line each in $LINT_CASES). tests/differential/lint-spec-parity replays them on puppet-ci.
require 'json'
require 'puppet-lint'

module RSpec::LintExampleGroup
  # Matchers the specs use; the recorder does not judge, so they only need to exist.
  class AnyProblem
    def initialize(*); end
    def on_line(*) = self
    def in_column(*) = self
    def with_reason(*) = self
    def matches?(*) = true
    def description = 'problem'
  end

  def method_missing(method, *args, &block)
    return AnyProblem.new if method.to_s.start_with?('contain_')
    super
  end

  def respond_to_missing?(method, *) = method.to_s.start_with?('contain_') || super

  def problems = subject.problems
  def manifest = subject.manifest

  def subject
    return @recorded_subject if @recorded_subject

    klass = PuppetLint::Checks.new
    filepath = respond_to?(:path) ? path : ''
    # The YAML examples stub File.extname to say '.yaml'.
    filepath = 'data.yaml' if filepath.empty? && File.extname('probe.pp') == '.yaml'
    klass.load_data(filepath, code)
    check_name = self.class.top_level_description.to_sym
    check = PuppetLint.configuration.check_object[check_name].new
    klass.problems = check.run
    klass.problems = check.fix_problems if PuppetLint.configuration.fix
    record = {
      check: check_name.to_s,
      example: RSpec.current_example&.full_description,
      code: code,
      path: filepath,
      fix: PuppetLint.configuration.fix ? true : false,
      relative: PuppetLint.configuration.relative ? true : false,
      top_scope_variables: PuppetLint.configuration.top_scope_variables,
      problems: klass.problems.map { |p| { check: p[:check].to_s, kind: p[:kind].to_s, message: p[:message], line: p[:line], column: p[:column] } },
      manifest: PuppetLint.configuration.fix ? klass.manifest : nil,
    }
    File.open(ENV.fetch('LINT_CASES'), 'a') { |f| f.puts(record.to_json) }
    @recorded_subject = klass
  end
end

module RSpec
  module Its
    def its(*) = nil
  end
end

RSpec.configure do |config|
  config.extend(RSpec::Its)
  config.include(RSpec::LintExampleGroup)
  config.expect_with(:rspec) { |c| c.syntax = :expect }
  # Each example starts from puppet-lint's defaults, as a fresh process would.
  config.before(:each) do
    PuppetLint.configuration.defaults
    PuppetLint.configuration.fix = false
    PuppetLint.configuration.relative = false
    PuppetLint.configuration.top_scope_variables = nil
  end
end
