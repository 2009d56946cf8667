import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { build } from 'vite';
import type { Webgui } from '../../scripts/webgui/start-webgui.mjs';
import { CHROMIUM_LAUNCH } from '../../scripts/webgui/chromium.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
export const THEMES = ['white', 'black', 'azure', 'gray'] as const;
export type Theme = (typeof THEMES)[number];

const SHOTS = join(import.meta.dirname, 'screenshots');

/**
 * Where a screenshot goes: the committed one when UPDATE_SCREENSHOTS=1 (or it is new), otherwise
 * screenshots/latest/ (ignored by git), so a test run does not rewrite committed images.
 */
export function shotPath(name: string): string {
  const committed = join(SHOTS, `${name}.png`);
  if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(committed)) return committed;
  mkdirSync(join(SHOTS, 'latest'), { recursive: true });
  return join(SHOTS, 'latest', `${name}.png`);
}

/**
 * Builds the Preact app from webui/ into a private folder, so the browser tests always run the
 * current source (not whatever `npm run build` left in dist/webui).
 */
export async function buildApp(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'umcp-webui-'));
  await build({
    configFile: join(ROOT, 'webui/vite.config.ts'),
    logLevel: 'error',
    build: { outDir: dir, emptyOutDir: true },
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Debian's chromium (browsers cannot be downloaded here), headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch(CHROMIUM_LAUNCH);
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Dialogs (alert, confirm…) the page opened: an injected script would show here. */
  dialogs: string[];
  /** Uncaught errors on the page. */
  errors: string[];
}

/** A logged-in browser context on the harness, with the theme chosen by its cookie. */
export async function openPage(
  browser: Browser,
  webgui: Webgui,
  opts: { theme?: Theme; width?: number; height?: number; hash?: string; legacy?: boolean } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    acceptDownloads: true,
  });
  const [name, value] = (await webgui.sessionCookie()).split('=') as [string, string];
  const url = new URL(webgui.url);
  await context.addCookies([
    { name, value, domain: url.hostname, path: '/' },
    { name: 'theme', value: opts.theme ?? 'white', domain: url.hostname, path: '/' },
    // The harness renders as Unraid 6.12/7.0 (no theme CSS variables).
    ...(opts.legacy ? [{ name: 'unraid', value: '6.12', domain: url.hostname, path: '/' }] : []),
  ]);
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${webgui.pageUrl}#${opts.hash ?? 'status'}`);
  return { context, page, dialogs, errors };
}

/** Switches view the way the owner does: by the tab (the URL hash). */
export async function showView(page: Page, id: string, title: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'unraid-mcp' })
    .getByRole('link', { name: title, exact: false })
    .first()
    .click();
  await page.waitForFunction(`location.hash === ${JSON.stringify(`#${id}`)}`);
}
