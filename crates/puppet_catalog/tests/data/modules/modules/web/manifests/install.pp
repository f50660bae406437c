class web::install { package { 'nginx': ensure => present } }
