node /^web\d+\./ {
  include base
  class { 'web': port => 8080 }
  web::vhost::site { ['a.example.com', 'b.example.com']: docroot => '/srv/www' }
}
node default {
  include base
}
