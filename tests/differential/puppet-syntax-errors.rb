# Puppet's verdict on many files in one process, for tests/differential/syntax-mutations:
# reads paths (one a line) on stdin and prints one JSON line per file,
# {"path":P,"ok":true} or {"path":P,"ok":false,"message":M,"line":N,"column":N}, where the
# error is the first one `puppet parser validate` (`puppet epp validate` for .epp) reports.
# Usage: ruby tests/differential/puppet-syntax-errors.rb < paths.txt
require 'json'
require 'tmpdir'
require 'puppet'

state = Dir.mktmpdir('puppet-syntax-errors')
at_exit { FileUtils.rm_rf(state) }
Puppet.initialize_settings(['--confdir', "#{state}/conf", '--vardir', "#{state}/var", '--codedir', "#{state}/code",
                            '--logdir', "#{state}/log", '--rundir', "#{state}/run", '--basemodulepath', ''])
Puppet[:log_level] = 'err'

# Validation errors are logged one by one before Puppet raises "... Giving up".
class Collector
  attr_reader :messages
  def initialize; @messages = []; end
end
Puppet::Util::Log.newdesttype :syntax_errors_collector do
  match 'Collector'
  def initialize(collector); @collector = collector; end
  def handle(msg); @collector.messages << msg; end
end
LOGS = Collector.new
Puppet::Util::Log.close_all rescue nil
Puppet::Util::Log.newdestination(LOGS)

$stdin.each_line do |line|
  path = line.chomp
  next if path.empty?
  LOGS.messages.clear
  result = { 'path' => path }
  begin
    source = File.read(path, encoding: 'utf-8')
    parser = path.end_with?('.epp') ? Puppet::Pops::Parser::EvaluatingParser::EvaluatingEppParser.new : Puppet::Pops::Parser::EvaluatingParser.new
    parser.parse_string(source, path)
    result['ok'] = true
  rescue Puppet::ParseError => e
    logged = LOGS.messages.find { |m| m.level == :err }
    message = e.respond_to?(:basic_message) ? e.basic_message : e.message
    line_no = e.line
    column = e.pos
    if line_no.nil? && logged
      message = logged.message.to_s
      line_no = logged.line
      column = logged.pos
    end
    message = message.to_s.sub(/ \((?:file: [^)]*?, )?line: \d+(?:, column: \d+)?\)\z/, '').sub(/ \(file: [^)]*\)\z/, '')
    result.update('ok' => false, 'message' => message, 'line' => line_no, 'column' => column)
  rescue StandardError => e
    result.update('ok' => false, 'message' => e.message.to_s, 'line' => nil, 'column' => nil)
  end
  puts JSON.generate(result)
  $stdout.flush
end
