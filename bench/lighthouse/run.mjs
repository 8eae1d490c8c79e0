// Lighthouse (mobile preset: a mid-range phone on slow 4G, simulated) for bench/pages.py.
// Usage: node run.mjs URL... ; prints one JSON object per URL, as a list, on stdout.
// One Debian Chromium for all URLs (CHROME_PATH, default /usr/bin/chromium); Lighthouse
// empties its cache and storage before each page, so every page is a first visit.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless", "--no-sandbox", "--disable-gpu"],
});
// Lighthouse sometimes loses a page's trace on a busy machine (NO_NAVSTART): try again.
async function audit(url) {
  for (let attempt = 1; ; attempt++) {
    const { lhr } = await lighthouse(url, {
      port: chrome.port,
      onlyCategories: ["performance"],
      logLevel: "error",
      output: "json",
      // What the TLS-terminating proxy of a production set-up adds (as the bench's load does).
      extraHeaders: { "X-Forwarded-Proto": "https" },
    });
    if (!lhr.runtimeError) return lhr;
    if (attempt === 3) throw new Error(`${url}: ${lhr.runtimeError.message}`);
    console.error(`${url}: ${lhr.runtimeError.code}, again`);
  }
}

const found = [];
try {
  for (const url of process.argv.slice(2)) {
    const lhr = await audit(url);
    const requests = lhr.audits["network-requests"].details.items;
    const sheets = requests.filter((item) => item.resourceType === "Stylesheet");
    const blocking = lhr.audits["render-blocking-resources"]?.details?.items ?? [];
    found.push({
      url,
      performance: Math.round(lhr.categories.performance.score * 100),
      lcp_ms: lhr.audits["largest-contentful-paint"].numericValue,
      fcp_ms: lhr.audits["first-contentful-paint"].numericValue,
      tbt_ms: lhr.audits["total-blocking-time"].numericValue,
      cls: lhr.audits["cumulative-layout-shift"].numericValue,
      // What went over the wire (compressed, with headers) and what it unpacked to.
      css_transfer_bytes: sheets.reduce((sum, item) => sum + item.transferSize, 0),
      css_resource_bytes: sheets.reduce((sum, item) => sum + item.resourceSize, 0),
      stylesheets: sheets.length,
      render_blocking_ms: blocking.reduce((sum, item) => sum + (item.wastedMs || 0), 0),
      benchmark_index: lhr.environment.benchmarkIndex,
    });
  }
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(found));
