class base (
  String $motd = "Managed ${facts['os']['name']} ${facts['os']['release']['major']}",
) {
  file { '/etc/motd': ensure => file, content => $motd }
  package { ['curl', 'vim']: ensure => installed }
  Package['curl'] -> File['/etc/motd']
}
