#!/usr/bin/env node
// Opens one of descent's HTML pages in headless Chromium and checks that it works as a user sees
// it: every chart drew, nothing went wrong in the console, and step sliders move the paths.
//
// Usage:
//   node tests/browser/check_page.mjs FILE --charts N [options]
//
//   FILE              the HTML page (opened as file://, absolute or relative to the cwd)
//   --charts N        how many charts the page must hold: N elements div[id^="figure-"], each
//                     with vega-embed's <svg class="marks"> or a <canvas> inside. Waits for all N
//                     to render; fails after the timeout saying how many did and which did not,
//                     and also when the page holds more than N figure divs.
//   --slider ID       (repeatable) a step slider: the <input type="range"> with id ID, or the
//                     element with id ID that holds one (Vega's bind: {element}). Its chart is the
//                     figure div around it, else (a slider outside its chart) "figure-X" for
//                     ID "step-X". Reads the chart's drawing (the `d` of its SVG paths; the
//                     pixels of a canvas chart), moves the slider (to the middle of its range,
//                     or to its maximum if it is already in the middle; sets the value and fires
//                     'input' and 'change'), and fails unless the drawing changes.
//   --screenshot OUT  a full-page PNG, taken once the charts rendered and before any slider
//                     moved (the page as a user first sees it), written atomically.
//   --width W         the viewport's width in CSS pixels (default 1280; height 800).
//   --timeout-ms T    how long to wait for the charts (default 10000).
//   --chromium PATH   the browser (default $CHROMIUM, else /usr/bin/chromium). puppeteer-core
//                     comes from $DESCENT_NODE_MODULES, else the repository's node_modules; it
//                     never downloads a browser.
//
// Any console error, uncaught exception or failed request on the page fails the check, and all
// of them are printed.
//
// Exit status: 0 when every check passed, with one line such as
//   ok: 4 charts rendered, 0 console errors, slider step-rosenbrock moved the paths
// 1 when a check failed (the reasons on stderr), 2 for bad arguments or an unreadable FILE,
// 77 when the environment cannot run the check: no chromium, no puppeteer-core, or a script the
// page loads from node_modules is missing (ctest counts 77 as skipped; run scripts/setup).
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_SKIP = 77;

// The flags issue 10 asks for: no sandbox (root in containers), no GPU, and nothing that reaches
// for the network or a profile of the user's.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const USAGE = 'usage: check_page.mjs FILE --charts N [--slider ID] [--screenshot OUT.png] ' +
              '[--width W] [--timeout-ms T] [--chromium PATH]';
const FIGURE_SELECTOR = 'div[id^="figure-"]';
const POLL_MS = 50;
const SLIDER_WAIT_MS = 2000;  // Vega redraws within a frame or two; this is generous
const SETTLE_MS = 150;        // after rendering, for errors that arrive a little later

// "1 chart", "2 charts".
const plural = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

class CheckError extends Error {
  constructor(message, code = EXIT_FAILED) {
    super(message);
    this.code = code;
  }
}

function parseArguments(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        charts: { type: 'string' },
        slider: { type: 'string', multiple: true, default: [] },
        screenshot: { type: 'string' },
        width: { type: 'string', default: '1280' },
        'timeout-ms': { type: 'string', default: '10000' },
        chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
      },
    });
  } catch (error) {
    throw new CheckError(`${error.message} (${USAGE})`, EXIT_USAGE);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new CheckError(
      `expected one HTML file, got ${positionals.length} (${USAGE})`, EXIT_USAGE);
  }
  const count = (name, text, min) => {
    const n = Number(text);
    if (text === undefined || !Number.isInteger(n) || n < min) {
      throw new CheckError(`--${name}: expected an integer >= ${min}, got ${text ?? 'nothing'}`,
                           EXIT_USAGE);
    }
    return n;
  };
  return {
    file: resolve(positionals[0]),
    charts: count('charts', values.charts, 1),
    sliders: values.slider,
    screenshot: values.screenshot && resolve(values.screenshot),
    width: count('width', values.width, 100),
    timeoutMs: count('timeout-ms', values['timeout-ms'], 1),
    chromium: values.chromium,
  };
}

// A page that loads scripts from node_modules (the test fixtures do) cannot run without them;
// that is a missing setup step, not a broken page. Any other missing local script is a failure.
function checkLocalScripts(file, html) {
  for (const match of html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)) {
    const src = match[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(src) && !src.startsWith('file:')) continue;
    const path = src.startsWith('file:') ? fileURLToPath(src) : resolve(dirname(file), src);
    if (existsSync(path)) continue;
    if (src.includes('node_modules/')) {
      throw new CheckError(
        `skipped: ${file} loads ${path}, which is missing: run scripts/setup (npm ci)`, EXIT_SKIP);
    }
    throw new CheckError(`${file} loads ${src}, which does not exist (${path})`);
  }
}

async function loadPuppeteer() {
  const here = dirname(fileURLToPath(import.meta.url));
  const modules = process.env.DESCENT_NODE_MODULES || join(here, '..', '..', 'node_modules');
  let entry;
  try {
    entry = createRequire(join(resolve(modules), 'package.json')).resolve('puppeteer-core');
  } catch {
    throw new CheckError(
      `skipped: puppeteer-core is not installed in ${modules}: run scripts/setup (npm ci)`,
      EXIT_SKIP);
  }
  const module = await import(pathToFileURL(entry).href);
  return module.default ?? module;
}

// Counts rendered charts in the page; returns {figures, rendered, missing: [ids]}.
function countCharts(page) {
  return page.evaluate((selector) => {
    const figures = [...document.querySelectorAll(selector)];
    const missing = figures.filter((f) => !f.querySelector('svg.marks, canvas')).map((f) => f.id);
    return { figures: figures.length, rendered: figures.length - missing.length, missing };
  }, FIGURE_SELECTOR);
}

async function waitForCharts(page, options, problems) {
  const deadline = Date.now() + options.timeoutMs;
  let state = await countCharts(page);
  // Stop early on an error: a page that throws rarely recovers, and the error says more than
  // a timeout would.
  while (state.rendered < options.charts && problems.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    state = await countCharts(page);
  }
  if (state.rendered < options.charts) {
    const waited = problems.length === 0 ? `timed out after ${options.timeoutMs} ms` : 'stopped';
    const missing = state.missing.length ? ` (not drawn: ${state.missing.join(', ')})` : '';
    throw new CheckError(
      `${waited} waiting for ${plural(options.charts, 'chart')}: ${state.rendered} of ` +
      `${options.charts} rendered; the page has ${plural(state.figures, 'figure div')}${missing}`);
  }
  if (state.figures !== options.charts) {
    throw new CheckError(
      `expected ${plural(options.charts, 'chart')}, but the page has ` +
      `${plural(state.figures, 'figure div')} (${state.rendered} rendered)`);
  }
  return state.rendered;
}

// The slider's <input type="range"> and the figure div of the chart it drives, as handles into
// the page; {error} when they cannot be found.
async function findSlider(page, id) {
  const found = await page.evaluateHandle((id, selector) => {
    const element = document.getElementById(id);
    if (!element) return { error: `no element with id "${id}"` };
    const range = 'input[type=range]';
    const input = element.matches(range) ? element : element.querySelector(range);
    if (!input) return { error: `#${id} is not, and does not hold, an <input type="range">` };
    const name = id.replace(/^step-/, '');
    const figure = element.closest(selector) ?? document.getElementById(`figure-${name}`);
    if (!figure) {
      return { error: `#${id} is not inside a figure div, and there is no figure-${name}` };
    }
    return { input, figure };
  }, id, FIGURE_SELECTOR);
  const error = await found.evaluate((f) => f.error);
  if (error) throw new CheckError(`--slider ${id}: ${error}`);
  return { input: await found.getProperty('input'), figure: await found.getProperty('figure') };
}

// What a chart draws now: its SVG paths' `d`, else its canvases' pixels.
function readDrawing(figure) {
  return figure.evaluate((figure) => {
    const paths = [...figure.querySelectorAll('svg.marks path')].map((p) => p.getAttribute('d'));
    const canvases = [...figure.querySelectorAll('canvas')].map((c) => c.toDataURL());
    const what = paths.length ? `${paths.length} SVG path${paths.length === 1 ? '' : 's'}`
                              : `the pixels of ${canvases.length} canvas(es)`;
    return { id: figure.id, items: paths.length ? paths : canvases, what };
  });
}

// The middle of the slider's range (on its step grid), or its maximum if it is there already.
function sliderTarget({ value, min, max, step }) {
  const lo = Number(min || 0), hi = Number(max || 100), by = Number(step) || 1;
  const middle = lo + Math.round((hi - lo) / 2 / by) * by;
  return String(Number(value) === middle ? hi : middle);
}

async function moveSlider(page, id) {
  const { input, figure } = await findSlider(page, id);
  const before = await readDrawing(figure);
  if (before.items.length === 0) {
    throw new CheckError(`--slider ${id}: ${before.id} draws no SVG path and no canvas`);
  }
  const range = await input.evaluate(({ value, min, max, step }) => ({ value, min, max, step }));
  const moved = await input.evaluate((input, value) => {
    input.value = value;
    for (const type of ['input', 'change']) input.dispatchEvent(new Event(type, { bubbles: true }));
    return input.value;
  }, sliderTarget(range));
  const from = `from ${range.value} to ${moved}`;
  if (moved === range.value) {
    throw new CheckError(`--slider ${id}: could not move it ${from} (min ${range.min}, ` +
                         `max ${range.max})`);
  }
  const deadline = Date.now() + SLIDER_WAIT_MS;
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const after = await readDrawing(figure);
    const changed = after.items.length !== before.items.length ||
                    after.items.some((item, i) => item !== before.items[i]);
    if (changed) return;
    if (Date.now() >= deadline) {
      throw new CheckError(`slider ${id} moved ${from}, but the drawing of ${before.id} ` +
                           `(${before.what}) did not change within ${SLIDER_WAIT_MS} ms`);
    }
  }
}

async function screenshot(page, out) {
  const partial = `${out}.partial.png`;
  try {
    await page.screenshot({ path: partial, fullPage: true });
    renameSync(partial, out);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new CheckError(`--screenshot ${out}: ${error.message}`);
  }
}

async function launch(puppeteer, chromium, profile) {
  try {
    return await puppeteer.launch({
      executablePath: chromium,
      ignoreDefaultArgs: true,  // exactly our flags, no more
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`],
      pipe: true,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 20000,
      protocolTimeout: 30000,
    });
  } catch (error) {
    throw new CheckError(`could not start ${chromium}: ${error.message}`);
  }
}

// Everything the page reports going wrong, as lines of text, collected while it runs.
function watchProblems(page) {
  const problems = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location() ?? {};
    const where = url ? ` (${url.split('/').pop()}:${lineNumber})` : '';
    problems.push(`console error: ${message.text()}${where}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message ?? error}`));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  return problems;
}

// The checks on an open browser; returns the summary line.
async function checkInBrowser(browser, options) {
  const page = await browser.newPage();
  await page.setViewport({ width: options.width, height: 800 });
  const problems = watchProblems(page);
  const listProblems = () => `${plural(problems.length, 'error')} on the page:\n  ` +
                             problems.join('\n  ');
  try {
    await page.goto(pathToFileURL(options.file).href,
                    { waitUntil: 'load', timeout: options.timeoutMs });
  } catch (error) {
    throw new CheckError(`the page did not load: ${error.message}`);
  }
  let rendered;
  try {
    rendered = await waitForCharts(page, options, problems);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    if (options.screenshot) await screenshot(page, options.screenshot);
    for (const slider of options.sliders) await moveSlider(page, slider);
  } catch (error) {
    if (problems.length) error.message += `\n${listProblems()}`;
    throw error;
  }
  if (problems.length) {
    throw new CheckError(`${plural(rendered, 'chart')} rendered, but ${listProblems()}`);
  }
  const sliders = options.sliders.map((s) => `, slider ${s} moved the paths`).join('');
  return `ok: ${plural(rendered, 'chart')} rendered, 0 console errors${sliders}`;
}

async function check(options) {
  let html;
  try {
    html = readFileSync(options.file, 'utf8');
  } catch (error) {
    throw new CheckError(`cannot read ${options.file}: ${error.message}`, EXIT_USAGE);
  }
  checkLocalScripts(options.file, html);
  if (!existsSync(options.chromium)) {
    throw new CheckError(
      `skipped: no chromium at ${options.chromium} (scripts/setup installs Debian's chromium)`,
      EXIT_SKIP);
  }
  const puppeteer = await loadPuppeteer();

  // A fresh profile for every run, removed however the run ends.
  const profile = mkdtempSync(join(tmpdir(), 'descent-chromium-'));
  let browser;
  process.on('exit', () => rmSync(profile, { recursive: true, force: true }));
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.on(signal, () => {
      browser?.process()?.kill('SIGKILL');
      process.exit(code);
    });
  }
  try {
    browser = await launch(puppeteer, options.chromium, profile);
    return await checkInBrowser(browser, options);
  } finally {
    await browser?.close().catch(() => browser.process()?.kill('SIGKILL'));
  }
}

let options;
try {
  options = parseArguments(process.argv.slice(2));
  console.log(await check(options));
  process.exit(0);
} catch (error) {
  const code = error instanceof CheckError ? error.code : EXIT_FAILED;
  const prefix = code === EXIT_SKIP ? '' : `check_page: ${options ? `${options.file}: ` : ''}`;
  console.error(`${prefix}${error instanceof CheckError ? error.message : error.stack}`);
  process.exit(code);
}
