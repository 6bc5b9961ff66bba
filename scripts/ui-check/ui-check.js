// Browser check of the operator console, run by ui-check.sh (make ui-check) against a server it started.
// Headless Debian Chromium (puppeteer-core, never a downloaded browser):
//   1. /actuator/hawtio/ without a login ends on the Spring Security login page       -> 01-login.png
//   2. form login as the operator, then Hawtio's Camel routes table, with live counts  -> 02-camel-routes.png
//   3. the Route Diagram of route ROUTE (receive-webhook)                              -> 03-route-diagram-<route>.png
// Any missing piece (no login page, Jolokia refused, no routes table, no diagram) fails with a reason and a screenshot
// of what the browser showed (failed-<step>.png). Environment: BASE_URL, ADMIN_USER, ADMIN_PASSWORD, OUT, CHROMIUM,
// ROUTE, MIN_ROUTES.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const BASE_URL = (process.env.BASE_URL || 'http://localhost:8000').replace(/\/$/, '');
const USER = process.env.ADMIN_USER || 'admin';
const PASSWORD = process.env.ADMIN_PASSWORD || '';
const OUT = process.env.OUT || 'target/ui-check';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ROUTE = process.env.ROUTE || 'receive-webhook';
const MIN_ROUTES = Number(process.env.MIN_ROUTES || 20);
const STEP_TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 60000);
const HAWTIO = `${BASE_URL}/actuator/hawtio`;

class CheckFailed extends Error {}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const log = message => console.log(`ui-check: ${message}`);

async function waitFor(what, probe, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) {
        return last;
      }
    } catch (e) {
      if (e instanceof CheckFailed) {
        throw e;
      }
      last = e;
    }
    await sleep(500);
  }
  throw new CheckFailed(`${what} (waited ${timeout / 1000} s)${last instanceof Error ? `: ${last.message}` : ''}`);
}

async function main() {
  if (!PASSWORD) {
    throw new CheckFailed('ADMIN_PASSWORD is empty');
  }
  fs.mkdirSync(OUT, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-check-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--user-data-dir=${profile}`],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 1000 });
  page.setDefaultTimeout(STEP_TIMEOUT);

  // what the console asked the server for and was refused: the usual cause of an empty or logged-out Hawtio
  const refused = [];
  const pageErrors = [];
  page.on('response', response => {
    const url = response.url();
    if (url.includes('/jolokia') && [401, 403].includes(response.status())) {
      refused.push(`${response.request().method()} ${url.split('?')[0]} -> HTTP ${response.status()}`);
    }
  });
  page.on('console', message => {
    if (message.type() === 'error' && /hawtio/i.test(message.text())) {
      pageErrors.push(message.text().slice(0, 300));
    }
  });

  let step = 'login';
  const shot = async name => {
    const file = path.join(OUT, name);
    await page.screenshot({ path: file });
    log(`saved ${file}`);
  };
  const jolokiaRefused = () => {
    if (refused.length) {
      throw new CheckFailed(`Hawtio's Jolokia requests were refused (${refused[0]}${refused.length > 1
        ? `, and ${refused.length - 1} more` : ''}): the console cannot read the routes. With Spring Security's `
        + 'cookie CSRF protection the Jolokia POSTs need the XSRF token accepted from the X-XSRF-TOKEN header '
        + '(see docs/monitoring.md).');
    }
  };

  try {
    // 1. the console is behind the login
    await page.goto(`${HAWTIO}/`, { waitUntil: 'networkidle2' });
    if (!new URL(page.url()).pathname.endsWith('/login') || !(await page.$('input[name=password]'))) {
      throw new CheckFailed(`/actuator/hawtio/ without a login did not end on the login page but on ${page.url()}`);
    }
    await shot('01-login.png');
    await page.type('input[name=username]', USER);
    await page.type('input[name=password]', PASSWORD);
    const [answer] = await Promise.all([
      page.waitForResponse(r => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/login')),
      page.click('[type=submit]'),
    ]);
    const next = answer.headers().location || '';
    if (answer.status() !== 302 || /[?&]error/.test(next) || new URL(next, BASE_URL).pathname.endsWith('/login')) {
      throw new CheckFailed(`the operator login was refused (HTTP ${answer.status()}${next ? ` to ${next}` : ''})`);
    }
    log(`logged in as ${USER}, sent on to ${next}`);
    await page.waitForNetworkIdle({ idleTime: 1500, timeout: STEP_TIMEOUT }).catch(() => {});
    step = 'hawtio';
    jolokiaRefused();
    if (/\/login(\?|$)/.test(page.url())) {
      throw new CheckFailed(`Hawtio sent the logged-in operator back to ${page.url()}`);
    }

    // 2. the routes table. A fresh page load: Hawtio's default view (the diagram of all routes) is skipped.
    step = 'routes';
    refused.length = 0;
    await page.goto(`${HAWTIO}/camel/routes`, { waitUntil: 'networkidle2' });
    const table = await waitFor('the Camel routes table with a row per route and live counts', async () => {
      jolokiaRefused();
      if (/\/login(\?|$)/.test(page.url())) {
        throw new CheckFailed(`Hawtio logged the operator out and went to ${page.url()}`);
      }
      return page.evaluate(route => {
        for (const t of document.querySelectorAll('table')) {
          const headers = [...t.querySelectorAll('thead th')].map(th => th.innerText.trim());
          const rows = [...t.querySelectorAll('tbody tr')].map(tr =>
            [...tr.querySelectorAll('td')].map(td => td.innerText.trim()).filter(text => text !== ''));
          const row = rows.find(cells => cells.includes(route));
          if (headers.includes('Name') && headers.includes('Completed') && row) {
            const at = column => row[headers.filter(h => h !== '').indexOf(column)];
            return { headers: headers.filter(h => h !== ''), rows: rows.length, row, completed: Number(at('Completed')),
              state: at('State') };
          }
        }
        return null;
      }, ROUTE).then(found => (found && found.completed > 0 ? found : null));
    });
    if (table.rows < MIN_ROUTES) {
      throw new CheckFailed(`the routes table has ${table.rows} routes, expected at least ${MIN_ROUTES}`);
    }
    log(`routes table: ${table.rows} routes, columns ${table.headers.join(', ')}; ${ROUTE}: ${table.row.join(' | ')}`);
    await shot('02-camel-routes.png');

    // 3. the route diagram of ROUTE, opened from the tree like an operator does
    step = 'diagram';
    const label = await waitFor(`route ${ROUTE} in Hawtio's Camel tree`, async () => (await page.$$(
      `xpath/.//li[contains(@id, "-routes-${ROUTE}-folder")]//*[normalize-space(text())="${ROUTE}"]`))[0]);
    await label.click();
    await waitFor('the Route Diagram tab', async () => new URL(page.url()).pathname.endsWith('/camel/routeDiagram')
      || (await clickTab(page, 'Route Diagram')));
    const nodes = await waitFor(`the Route Diagram of ${ROUTE}`, async () => {
      jolokiaRefused();
      const error = await page.$('xpath/.//*[contains(text(), "An error occurred during drawing of the diagram")]');
      if (error) {
        throw new CheckFailed(`Hawtio could not draw the diagram of ${ROUTE}${pageErrors.length
          ? `: ${pageErrors[pageErrors.length - 1]}` : ''}`);
      }
      const texts = await page.$$eval('.react-flow__node', els => els.map(e => e.innerText.replace(/\s+/g, ' ')));
      return texts.length >= 2 && texts.some(t => /from/i.test(t)) ? texts : null;
    });
    // the node counters come from a statistics poll every 2 s; the diagram fits itself into view with an animation
    const counted = await waitFor('the diagram\'s exchange counters', async () => {
      const texts = await page.$$eval('.react-flow__node', els => els.map(e => e.innerText.replace(/\s+/g, ' ')));
      return texts.some(t => /^\d+ [1-9]\d* /.test(t)) ? texts : null;
    }, 15000).catch(() => nodes);
    await sleep(1000);
    log(`route diagram of ${ROUTE}: ${counted.length} nodes (inflight, completed, label): ${counted.join(' | ')}`);
    await shot(`03-route-diagram-${ROUTE}.png`);
    log('PASS: login page, Camel routes table and route diagram');
  } catch (e) {
    await page.screenshot({ path: path.join(OUT, `failed-${step}.png`) }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function clickTab(page, name) {
  const [tab] = await page.$$(`xpath/.//*[@role="tab" or self::a or self::button][normalize-space(.)="${name}"]`);
  if (tab) {
    await tab.click();
  }
  return false;
}

main().catch(e => {
  console.error(`ui-check: FAIL: ${e instanceof CheckFailed ? e.message : e.stack || e}`);
  process.exit(1);
});
