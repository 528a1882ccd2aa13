// Renders the project's self-contained HTML pages (the demo report, the estate view) in Debian's headless
// Chromium, the way a person opens them on a phone and on a desktop, and measures what matters: whether
// the page scrolls sideways, the smallest chart text as drawn on screen, the widest table's container,
// and characters that need an emoji font. Chromium comes from Debian's `chromium` package (`.ci/run`
// installs it); without it the browser checks are skipped, unless REQUIRE_BROWSER=1 (CI) makes that a
// failure.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";

/** The in-page measuring script (plain JavaScript: the project's TypeScript has no DOM types). */
const MEASURE = readFileSync(join(import.meta.dirname, "measure-page.browser.js"), "utf8");

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** True when the browser checks can run; throws when CI asked for them and Chromium is missing. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.REQUIRE_BROWSER === "1")
    throw new Error(
      `REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}; install Debian's chromium package.`,
    );
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without these Chromium reaches for Google's services at start, which a closed network refuses.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface PageMeasure {
  viewportWidth: number;
  /** Width of the whole document; more than the viewport means the page scrolls sideways. */
  scrollWidth: number;
  /** Smallest SVG text as drawn on screen, in CSS pixels (font size × the SVG's scale). */
  minChartTextPx: number;
  /** Tables whose own box is wider than the viewport and that no scrolling ancestor holds. */
  tablesOverflowingPage: number;
  /** Characters only an emoji font draws (status marks must not depend on one). */
  emoji: string[];
}

/** Opens `file` at `width` × 900 CSS pixels, measures it, and saves a full-page screenshot to `screenshot`. */
export async function measurePage(
  browser: Browser,
  file: string,
  width: number,
  screenshot: string,
): Promise<PageMeasure> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.screenshot({ path: screenshot, fullPage: true });
    return (await page.evaluate(MEASURE)) as PageMeasure;
  } finally {
    await page.close();
  }
}
