class web (Integer $port = 80) {
  contain web::install
  require base
  service { 'nginx': ensure => running, enable => true, subscribe => Class['web::install'] }
  file { '/etc/nginx/conf.d/port.conf': content => epp('web/port.epp', { 'port' => $port }) }
}
