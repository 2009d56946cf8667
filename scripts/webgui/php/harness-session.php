<?php
// The session cookie as the WebGUI names it (per host), HttpOnly and SameSite=Strict.
ini_set('session.use_strict_mode', '1');
ini_set('session.cookie_samesite', 'Strict');
session_name('unraid_' . md5(strstr(($_SERVER['HTTP_HOST'] ?? 'localhost') . ':', ':', true)));
session_set_cookie_params(0, '/', null, false, true);
