// How the tests and benches start a browser: Debian's chromium (browsers cannot be downloaded here,
// so Playwright never fetches its own), headless, with everything that would reach out switched off.
export const CHROMIUM_LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
