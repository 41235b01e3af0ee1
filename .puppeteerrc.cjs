// Puppeteer's postinstall downloads Chrome. Where a system Chromium already exists we skip that
// download (so `npm install` works offline) and point Puppeteer at it; everyone else keeps the
// normal download. npm 11 ignores the skip when set in .npmrc or package.json, hence this file.
const fs = require('node:fs');

const candidates = [
  process.env.PUPPETEER_EXECUTABLE_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
].filter(Boolean);

const systemBrowser = candidates.find((path) => {
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

module.exports = systemBrowser ? { skipDownload: true, executablePath: systemBrowser } : {};
