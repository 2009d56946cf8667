<?php
/*
 * The page harness's renderer: what the WebGUI's template.php and DefaultPageLayout.php do for a
 * plugin page, reduced to what unraid-mcp's pages use. It finds /<Menu>/<Name> among the .page files
 * under plugins/, parses the INI header above "---", checks Cond, and evaluates the body with $var
 * (var.ini), $display (the theme: ?theme=… or the "theme" cookie) and $docroot in scope, inside an
 * Unraid-like layout with the theme's stylesheet. /Dashboard renders the Dashboard:0 tiles.
 */
require __DIR__ . '/harness-session.php';
require __DIR__ . '/unraid-helpers.php';

const HARNESS_THEMES = ['white', 'black', 'azure', 'gray'];

$docroot = $_SERVER['DOCUMENT_ROOT'];
$var = (array)@parse_ini_file(getenv('UNRAID_MCP_VAR_INI') ?: '/var/local/emhttp/var.ini');
$theme = $_GET['theme'] ?? $_COOKIE['theme'] ?? 'white';
if (!in_array($theme, HARNESS_THEMES, true)) $theme = 'white';
$display = ['theme' => $theme, 'width' => '', 'font' => '', 'locale' => ''];
// Unraid 6.12 and 7.0 have no theme CSS variables: "6.12" (?unraid= or the "unraid" cookie) renders
// without them, so a page's own fallbacks are what shows.
$legacy = ($_GET['unraid'] ?? $_COOKIE['unraid'] ?? '') === '6.12';
const HARNESS_LEGACY_COLOURS = [
  'white' => ['#f2f2f2', '#1c1b1b'], 'black' => ['#1c1b1b', '#f2f2f2'],
  'azure' => ['#e4e2e4', '#606e7f'], 'gray' => ['#121510', '#606e7f'],
];

function harness_pages(string $docroot): array {
  $site = [];
  foreach (glob("$docroot/plugins/*/*.page") as $file) {
    $parts = explode("\n---\n", file_get_contents($file), 2);
    $page = @parse_ini_string($parts[0]);
    if (!is_array($page) || count($parts) < 2) {
      error_log("Invalid .page format: $file");
      continue;
    }
    $page += ['file' => $file, 'root' => substr(dirname($file), strlen($docroot) + 1), 'name' => basename($file, '.page'), 'text' => $parts[1]];
    $site[$page['name']] = $page;
  }
  return $site;
}

function harness_enabled(array $page): bool {
  global $var, $display, $docroot;
  if (!isset($page['Cond'])) return true;
  $enabled = false;
  eval("\$enabled = {$page['Cond']};");
  return (bool)$enabled;
}

/** A page body as the WebGUI evaluates it (it must say Markdown="false": this harness has no Markdown). */
function harness_body(array $page): string {
  if (($page['Markdown'] ?? 'true') !== 'false') {
    throw new RuntimeException("{$page['file']}: the harness renders only Markdown=\"false\" pages (Unraid would run Markdown over this HTML)");
  }
  return '?>' . $page['text'];
}

$site = harness_pages($docroot);
$path = trim(strtok($_SERVER['REQUEST_URI'], '?'), '/');
$name = basename($path);
$menuRoot = strtok($path, '/');

ob_start();
if ($name === 'Dashboard') {
  $title = 'Dashboard';
  $mytiles = [];
  foreach ($site as $page) {
    if (!str_starts_with($page['Menu'] ?? '', 'Dashboard:') || !harness_enabled($page)) continue;
    eval(harness_body($page));
  }
  echo '<div class="harness-dashboard">';
  foreach (['column1', 'column2', 'column3'] as $column) {
    echo "<table class=\"dashboard harness-tiles\" data-column=\"$column\">";
    foreach ($mytiles as $tile) echo $tile[$column] ?? '';
    echo '</table>';
  }
  echo '</div>';
} elseif (isset($site[$name]) && !str_starts_with($site[$name]['Menu'] ?? '', 'Dashboard') && harness_enabled($site[$name])) {
  $page = $site[$name];
  $title = $page['Title'] ?? $name;
  // The WebGUI puts the page's Icon (a Font Awesome name) here; the harness has no icon font.
  echo '<div class="title" data-icon="' . htmlspecialchars($page['Icon'] ?? '') . '"><span class="left">' . htmlspecialchars($title) . '</span></div>';
  eval(harness_body($page));
} else {
  ob_end_clean();
  http_response_code(404);
  header('Content-Type: text/plain');
  exit("No page named $name in this harness.\n");
}
$content = ob_get_clean();
$h = fn($s) => htmlspecialchars((string)$s, ENT_QUOTES);
$sidebar = in_array($theme, ['azure', 'gray'], true);
?>
<!DOCTYPE html>
<html lang="en" class="Theme--<?=$h($theme)?> <?=$sidebar ? 'Theme--sidebar' : 'Theme--nav-top'?>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="referrer" content="same-origin">
<title><?=$h($var['NAME'] ?? 'Tower')?>/<?=$h($name)?></title>
<link type="text/css" rel="stylesheet" href="<?php autov('/webGui/styles/harness-base.css'); ?>">
<?php if ($legacy): ?>
<style>body { background: <?=HARNESS_LEGACY_COLOURS[$theme][0]?>; color: <?=HARNESS_LEGACY_COLOURS[$theme][1]?>; }</style>
<?php else: ?>
<link type="text/css" rel="stylesheet" href="<?php autov("/webGui/styles/harness-{$theme}.css"); ?>">
<?php endif; ?>
</head>
<body>
<header id="header"><div class="logo">UNRAID</div><div class="server"><?=$h($var['NAME'] ?? 'Tower')?> · <?=$h($var['version'] ?? '')?></div></header>
<nav id="menu" aria-label="Main"><a href="/Dashboard">Dashboard</a><a href="/Settings/UnraidMCP" <?=$menuRoot === 'Settings' ? 'aria-current="page"' : ''?>>Settings</a></nav>
<div id="displaybox"><div class="content">
<?=$content?>
</div></div>
<footer id="footer"><span>Unraid page harness — theme <?=$h($theme)?><?=$legacy ? ', as 6.12/7.0 (no theme variables)' : ''?></span></footer>
</body>
</html>
