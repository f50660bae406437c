define web::vhost::site (String $docroot, Array[String] $aliases = []) {
  file { "/etc/nginx/sites-enabled/${title}.conf":
    ensure  => file,
    content => "server_name ${name};\nroot ${docroot}/${name};\n",
    require => Package['nginx'],
    notify  => Service['nginx'],
  }
}
