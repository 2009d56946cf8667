// The page harness's nginx and php-fpm configuration, shaped like Unraid's: nchan loaded, a login
// (auth_request) in front of everything but /login, pages (/Settings/…, /Dashboard) rendered by one
// PHP script as the WebGUI's template.php does, other *.php run directly, and the CSRF prepend on every
// PHP request through the pool's auto_prepend_file.

/** php-fpm: one static pool on a private unix socket; the bridge's paths come in through env[]. */
export function fpmConf(p) {
  return `[global]
pid = ${p.dir}/fpm.pid
error_log = ${p.fpmLog}
daemonize = no

[www]
${p.asRoot ? 'user = root\ngroup = root\n' : ''}listen = ${p.fpmSocket}
listen.mode = 0666
pm = static
; a hanging-sidecar request holds a worker for 5 s: keep enough for the page's parallel reads
pm.max_children = 6
request_terminate_timeout = 120s
catch_workers_output = yes
clear_env = yes
env[PATH] = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
env[UNRAID_MCP_ADMIN_SOCKET] = ${p.socketLink}
env[UNRAID_MCP_VAR_INI] = ${p.varIni}
${p.rcScript ? `env[UNRAID_MCP_RC_SCRIPT] = ${p.rcScript}\n` : ''}env[HARNESS_LOGIN_USER] = ${p.login.user}
env[HARNESS_LOGIN_PASSWORD] = ${p.login.password}
${p.prepend ? `php_admin_value[auto_prepend_file] = ${p.prepend}\n` : ''}php_admin_value[session.save_path] = ${p.sessions}
php_admin_value[error_log] = ${p.fpmLog}
php_admin_flag[log_errors] = on
php_admin_flag[display_errors] = off
php_admin_flag[short_open_tag] = on
php_admin_value[post_max_size] = 20M
`;
}

/** nginx: 127.0.0.1 only; everything behind the harness login as Unraid's auth_request does. */
export function nginxConf(p) {
  // fastcgi_params first: a parameter given twice reaches PHP with its last value.
  const params = 'include /etc/nginx/fastcgi_params;';
  const php = `fastcgi_pass unix:${p.fpmSocket};`;
  return `load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
daemon off;
${p.asRoot ? 'user root;\n' : ''}worker_processes 1;
pid ${p.dir}/nginx.pid;
error_log ${p.nginxLog} warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  types { application/javascript mjs; }
  default_type application/octet-stream;
  access_log ${p.dir}/access.log;
  client_body_temp_path ${p.dir}/tmp/body;
  fastcgi_temp_path ${p.dir}/tmp/fastcgi;
  proxy_temp_path ${p.dir}/tmp/proxy;
  uwsgi_temp_path ${p.dir}/tmp/uwsgi;
  scgi_temp_path ${p.dir}/tmp/scgi;
  # Large enough that the bridge's own 1 MB limit is what a page request meets.
  client_max_body_size 20m;
  server {
    listen 127.0.0.1:${p.port};
    root ${p.docroot};
    auth_request /auth-request.php;
    error_page 401 @login;
    location @login { return 302 /login; }
    location = /auth-request.php {
      ${params}
      internal;
      fastcgi_pass_request_body off;
      fastcgi_param CONTENT_LENGTH "";
      fastcgi_param SCRIPT_FILENAME $document_root/auth-request.php;
      fastcgi_param SCRIPT_NAME /auth-request.php;
      ${php}
    }
    location = /login {
      ${params}
      auth_request off;
      fastcgi_param SCRIPT_FILENAME $document_root/login.php;
      fastcgi_param SCRIPT_NAME /login.php;
      ${php}
    }
    location = / { return 302 /Settings/UnraidMCP; }
    location ~ /\\. { return 404; }
    location ~ ^/[A-Z] {
      ${params}
      fastcgi_param SCRIPT_FILENAME $document_root/webGui/render-page.php;
      fastcgi_param SCRIPT_NAME /webGui/render-page.php;
      ${php}
    }
    location ~ ^/sub/(\\w+)$ {
      nchan_subscriber;
      nchan_channel_id $1;
    }
    location ~ ^/pub/(\\w+)$ {
      auth_request off;
      allow 127.0.0.1;
      deny all;
      nchan_publisher;
      nchan_channel_id $1;
      nchan_message_buffer_length $arg_buffer_length;
    }
    location ~ ^/webGui/(render-page|unraid-helpers|harness-session)\\.php$ { return 404; }
    location ~ \\.php$ {
      ${params}
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_param SCRIPT_NAME $fastcgi_script_name;
      fastcgi_read_timeout 60s;
      ${php}
    }
    location ~ \\.(js|css|woff2?)$ {
      gzip on;
      gzip_types text/css application/javascript;
      if ($args ~ "v=") { expires max; }
    }
  }
}
`;
}
