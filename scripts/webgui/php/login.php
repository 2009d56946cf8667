<?php
/*
 * The harness's demo login (the WebGUI's /login): a form, a fixed user and password from the php-fpm
 * pool's environment, a session cookie. Only for the demo and the tests, on 127.0.0.1.
 */
require __DIR__ . '/harness-session.php';
$user = getenv('HARNESS_LOGIN_USER') ?: 'root';
$password = getenv('HARNESS_LOGIN_PASSWORD') ?: '';
$wrong = false;
if (($_SERVER['REQUEST_METHOD'] ?? 'GET') === 'POST') {
  $ok = $password !== '' && hash_equals($user, (string)($_POST['username'] ?? '')) && hash_equals($password, (string)($_POST['password'] ?? ''));
  if ($ok) {
    session_start();
    session_regenerate_id(true);
    $_SESSION['unraid_login'] = time();
    session_write_close();
    $next = (string)($_GET['next'] ?? '/Settings/UnraidMCP');
    header('Location: ' . (preg_match('#^/[A-Za-z]#', $next) ? $next : '/Settings/UnraidMCP'), true, 302);
    exit;
  }
  $wrong = true;
  http_response_code(401);
}
?>
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Log in (page harness)</title>
<style>body{font-family:clear-sans,"Clear Sans",Arial,sans-serif;background:#1c1b1b;color:#f2f2f2;display:grid;place-items:center;min-height:100vh;margin:0}
form{background:#2b2a2a;padding:2rem;border-radius:4px;display:grid;gap:.75rem;min-width:16rem}input,button{font:inherit;padding:.4rem}
button{background:linear-gradient(90deg,#e22828,#ff8c2f);color:#fff;border:0;cursor:pointer}.error{color:#ff8c8c}</style></head>
<body>
<form method="post" action="/login">
  <h1>Log in</h1>
  <?php if ($wrong): ?><p class="error" role="alert">Wrong username or password.</p><?php endif; ?>
  <label>Username <input name="username" autocomplete="username" value="<?=htmlspecialchars($user)?>"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>
</body>
</html>
