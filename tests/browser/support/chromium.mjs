// Headless Chromium (the system's, never a downloaded one) with a fake camera and
// microphone, WebRTC allowed on loopback: the flags of shared/RECIPES.md.

import fs from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

const RECIPE_FLAGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
];
const RECIPE_DISABLED_FEATURES = ['WebRtcHideLocalIpsWithMdns'];

async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed: run "npm ci" in tests/browser (${e.message})`);
  }
}

// Chromium honours only the last --disable-features switch. Playwright passes its own list
// (features that would otherwise reach outside hosts at start-up), so a plain recipe switch
// after it would switch those back on: merge the recipe's features into Playwright's list,
// read from the command line Playwright actually gives Chromium.
async function disabledFeaturesSwitch(chromium) {
  const server = await chromium.launchServer({ executablePath: CHROMIUM, args: RECIPE_FLAGS });
  let theirs = [];
  try {
    const cmdline = fs.readFileSync(`/proc/${server.process().pid}/cmdline`, 'utf8').split('\0');
    const last = cmdline.filter((a) => a.startsWith('--disable-features=')).pop();
    theirs = last ? last.slice('--disable-features='.length).split(',').filter(Boolean) : [];
  } finally {
    await server.close();
  }
  return `--disable-features=${[...new Set([...theirs, ...RECIPE_DISABLED_FEATURES])].join(',')}`;
}

// Returns a persistent browser context on a fresh profile folder (its first page is open).
export async function launchChromium(userDataDir) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian package chromium)`);
  const { chromium } = await loadPlaywright();
  const features = await disabledFeaturesSwitch(chromium);
  fs.rmSync(userDataDir, { recursive: true, force: true });
  fs.mkdirSync(userDataDir, { recursive: true });
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...RECIPE_FLAGS, features],
    viewport: { width: 1100, height: 720 },
  });
}
