class rich($s = Sensitive('secret')) {
  notify { 'rich':
    message => { 'b' => 1, 'a' => [1.5, 1e20, -3, true, undef, default, /re.*x/] },
  }
  file { '/tmp/secret': content => $s, mode => '0600' }
  exec { 'x': command => '/bin/true', unless => ['a', 'b'], timeout => 1.25 }
}
define thing($v) { notify { "thing ${title}": message => $v } }
stage { 'pre': before => Stage['main'] }
class early { notify { 'early': } }
class { 'early': stage => pre }
include rich
thing { 'one': v => { 1 => 'int key' } }
thing { 'two': v => Timestamp('2020-01-01T00:00:00Z') }
Notify['early'] ~> Exec['x']
@@notify { 'exported': tag => ['t1', 'T2'] }
@notify { 'virtual': }
notify { 'unicode ✓ "q" \\ / </script>': message => "tab\tnl\n" }
node default { notify { 'in node': } }
