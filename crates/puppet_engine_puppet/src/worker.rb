# frozen_string_literal: true
#
# puppet-ci's Puppet engine worker: compiles catalogs with Puppet's own compiler, in one
# long-lived process, as puppetserver's catalog endpoint would (no PuppetDB, no network).
#
#   ruby worker.rb STATE_DIR
#
# Protocol: one JSON object per line. The worker first writes
# {"ready": true, "puppet_version": ..., "ruby_version": ...} (or {"ready": false, "error": ...}),
# then answers each request line {"id": N, "job": {...}} with one line:
#   {"id": N, "ok": true, "catalog": {...}, "seconds": S}
#   {"id": N, "ok": false, "error": {"kind": "compile"|"engine", "class", "message", "file",
#                                    "line", "column", "issue_code"}, "seconds": S}
# It exits when its standard input closes. Anything Puppet or user code prints goes to
# standard error, never into the protocol.

require 'json'

PROTOCOL = $stdout.dup
PROTOCOL.sync = true
$stdout.reopen($stderr)

def reply(object)
  PROTOCOL.write(JSON.generate(object) + "\n")
end

STATE_DIR = ARGV.fetch(0) { abort 'usage: worker.rb STATE_DIR' }

begin
  require 'puppet'
  Puppet.initialize_settings([
    '--confdir', File.join(STATE_DIR, 'conf'),
    '--vardir', File.join(STATE_DIR, 'var'),
    '--codedir', File.join(STATE_DIR, 'code'),
    '--logdir', File.join(STATE_DIR, 'log'),
    '--rundir', File.join(STATE_DIR, 'run'),
    '--environmentpath', File.join(STATE_DIR, 'code', 'environments'),
    '--basemodulepath', '',
    # A certname keeps Puppet from asking Facter for the host's name at start-up.
    '--certname', 'puppet-ci.engine',
    '--reports', 'none',
  ])
  Puppet[:log_level] = 'warning'
  # No PuppetDB: exported resources are not collected, as on a server without storeconfigs.
  Puppet[:storeconfigs] = false
rescue Exception => e # rubocop:disable Lint/RescueException
  reply('ready' => false, 'error' => "cannot load Puppet: #{e.class}: #{e.message}")
  exit 1
end

# Puppet's log messages of the current job; kept out of the protocol and off the terminal.
class PuppetCiLogs
  attr_reader :messages

  def initialize
    @messages = []
  end

  def clear
    @messages = []
  end
end

Puppet::Util::Log.newdesttype :puppet_ci_logs do
  match 'PuppetCiLogs'

  def initialize(logs)
    @logs = logs
  end

  def handle(message)
    @logs.messages << { 'level' => message.level.to_s, 'message' => message.message.to_s,
                        'file' => message.file, 'line' => message.line }
  end
end

LOGS = PuppetCiLogs.new
Puppet::Util::Log.close_all
Puppet::Util::Log.newdestination(LOGS)

# The global hiera.yaml when the request names none: a path that does not exist, so the
# global layer is Hiera 5's default (an empty hierarchy of its own data).
NO_HIERA_CONFIG = File.join(STATE_DIR, 'conf', 'no-hiera.yaml')

def compile(job)
  Puppet[:code] = job['code'].to_s
  Puppet[:strict_variables] = job['strict_variables'] ? true : false
  Puppet[:strict] = (job['strict'] || 'warning').to_sym
  Puppet[:hiera_config] = job['hiera_config'] || NO_HIERA_CONFIG

  name = job.fetch('node')
  manifest = job['manifest'] || Puppet::Node::Environment::NO_MANIFEST
  environment = Puppet::Node::Environment.create(job.fetch('environment').to_sym, job.fetch('modulepath'), manifest)
  environments =
    if job['environment_dir']
      # The environment folder gives Hiera its environment layer (hiera.yaml, data/).
      Puppet::Environments::StaticDirectory.new(environment.name, job['environment_dir'], environment)
    else
      Puppet::Environments::Static.new(environment)
    end

  node = Puppet::Node.new(name, environment: environment)
  node.classes = job['classes'] || []
  node.fact_merge(Puppet::Node::Facts.new(name, job.fetch('facts')))
  node.add_server_facts(job.fetch('server_facts'))
  trusted_job = job.fetch('trusted')
  trusted = Puppet::Context::TrustedInformation.new(
    trusted_job.fetch('authenticated'), trusted_job.fetch('certname'),
    trusted_job.fetch('extensions'), trusted_job.fetch('external')
  )
  node.trusted_data = trusted.to_h

  Puppet.override({ environments: environments, current_environment: environment,
                    trusted_information: trusted, rich_data: true }, 'puppet-ci compile') do
    # What Puppet::Parser::Compiler.compile does, without its re-raise that folds the
    # error's file and line into the message.
    environment.check_for_reparse
    errors = environment.validation_errors
    raise Puppet::Error, errors.first.to_s unless errors.empty?

    catalog = Puppet::Parser::Compiler.new(node).compile(&:to_resource)
    # The compiler terminus removes virtual (and exported) resources before sending.
    catalog.filter(&:virtual?).to_data_hash
  ensure
    Puppet::Type.clear_misses
  end
end

# The message without the location and node that Puppet appends to it.
def plain_message(error)
  message = error.respond_to?(:basic_message) && error.basic_message ? error.basic_message : Exception.instance_method(:to_s).bind_call(error)
  message.to_s.sub(/ on node \S+\z/, '')
end

# Exceptions that mean Puppet (or Ruby) itself broke, not the user's code. Everything
# else is the code's fault: Puppet raises Puppet::Error mostly, but also ArgumentError
# (a relationship to a missing resource), RuntimeError, and a deep recursion ends in
# SystemStackError.
INTERNAL_ERRORS = [NameError, TypeError, ScriptError, NoMemoryError, SystemCallError, IOError].freeze

def error_reply(error)
  kind = INTERNAL_ERRORS.any? { |internal| error.is_a?(internal) } ? 'engine' : 'compile'
  details = { 'kind' => kind, 'class' => error.class.name, 'message' => plain_message(error) }
  if error.respond_to?(:file)
    # Inline code has no file: Puppet says nil in most errors and '' in some.
    details['file'] = error.file.to_s.empty? ? nil : error.file
    details['line'] = error.line
    details['column'] = error.pos
  end
  details['issue_code'] = error.issue_code.to_s if error.respond_to?(:issue_code) && error.issue_code
  details['message'] = "#{error.class}: #{details['message']}" if kind == 'engine'
  details
end

reply('ready' => true, 'puppet_version' => Puppet.version.to_s, 'ruby_version' => RUBY_VERSION)

$stdin.each_line do |line|
  started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  id = nil
  result =
    begin
      request = JSON.parse(line)
      id = request['id']
      LOGS.clear
      { 'ok' => true, 'catalog' => compile(request.fetch('job')) }
    rescue Interrupt, SignalException
      exit 1
    rescue Exception => e # rubocop:disable Lint/RescueException
      { 'ok' => false, 'error' => error_reply(e) }
    end
  result['id'] = id
  result['seconds'] = (Process.clock_gettime(Process::CLOCK_MONOTONIC) - started).round(6)
  result['logs'] = LOGS.messages
  begin
    reply(result)
  rescue StandardError => e
    # A catalog JSON cannot hold (invalid UTF-8, NaN): an engine error, not a dead worker.
    reply('id' => id, 'ok' => false, 'seconds' => result['seconds'], 'logs' => [],
          'error' => { 'kind' => 'engine', 'class' => e.class.name, 'message' => "cannot write the catalog as JSON: #{e.message}" })
  end
end
