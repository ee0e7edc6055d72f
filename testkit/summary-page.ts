/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// A job summary as GitHub shows it: the markdown rendered as GFM (marked, in GFM mode; GitHub renders with
// cmark-gfm and keeps the HTML elements the summary uses), styled with GitHub's own markdown CSS (npm
// github-markdown-css, the light theme), in the ~1012 px column of a run page, in headless Chromium (Debian's
// chromium, driven by puppeteer-core). It measures what a reader sees: tables wider than the column, cells
// cut off, where rows end up, and the links.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { marked } from 'marked';
import puppeteer, { type Browser } from 'puppeteer-core';

const require = createRequire(import.meta.url);
export const COLUMN_PX = 1012;

export interface Measured {
  /** Tables whose content is wider than the column (GitHub scrolls them sideways). */
  wideTables: { index: number; scrollWidth: number; clientWidth: number }[];
  /** Cells that end right of the column, or whose text is cut off inside them. */
  cellsOutside: { row: string; right: number }[];
  /** Text of every table row that is inside the visible column, in order. */
  visibleRows: string[];
  links: { text: string; href: string }[];
  /** The column's right edge in page pixels. */
  columnRight: number;
  /** What the first screen (the top 900 px) says. */
  firstScreen: string;
}

export async function chromiumPath(): Promise<string> {
  for (const path of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    try {
      await readFile(path);
      return path;
    } catch {
      // next
    }
  }
  throw new Error(
    'no Chromium found: run "bash scripts/install-test-deps.sh" (it installs Debian\'s chromium)',
  );
}

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: await chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'],
  });
}

/** Renders the summary in the browser, every <details> opened, and measures it; optionally a PNG of it. */
export async function renderSummary(
  browser: Browser,
  markdown: string,
  options: { png?: string; openDetails?: boolean } = {},
): Promise<Measured> {
  const css = await readFile(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8');
  const body = await marked.parse(markdown, { gfm: true });
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: COLUMN_PX + 64, height: 900, deviceScaleFactor: 1 });
    await page.setContent(
      `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style><style>
        body { margin: 0; background: #f6f8fa; }
        .markdown-body { box-sizing: border-box; width: ${COLUMN_PX}px; margin: 16px 32px; padding: 16px 24px;
          background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
      </style></head><body><article class="markdown-body">${body}</article></body></html>`,
      { waitUntil: 'load' },
    );
    if (options.openDetails !== false)
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    const measured = await page.evaluate(() => {
      const article = document.querySelector('article') as HTMLElement;
      const box = article.getBoundingClientRect();
      const style = getComputedStyle(article);
      const columnRight = box.right - parseFloat(style.paddingRight);
      const tables = [...document.querySelectorAll('table')];
      const wideTables = tables
        .map((table, index) => ({ index, scrollWidth: table.scrollWidth, clientWidth: table.clientWidth }))
        .filter((t) => t.scrollWidth > t.clientWidth + 1);
      const cellsOutside: { row: string; right: number }[] = [];
      const visibleRows: string[] = [];
      for (const table of tables) {
        const visible = table.getBoundingClientRect();
        for (const row of table.querySelectorAll('tr')) {
          let inside = true;
          for (const cell of row.querySelectorAll('td, th')) {
            const rect = cell.getBoundingClientRect();
            const clipped = (cell as HTMLElement).scrollWidth > (cell as HTMLElement).clientWidth + 1;
            if (rect.right > Math.min(columnRight, visible.right) + 1 || clipped) {
              inside = false;
              cellsOutside.push({ row: (row as HTMLElement).innerText.slice(0, 120), right: rect.right });
            }
          }
          if (inside) visibleRows.push((row as HTMLElement).innerText);
        }
      }
      const links = [...document.querySelectorAll('a')].map((a) => ({
        text: a.innerText,
        href: a.getAttribute('href') ?? '',
      }));
      return { wideTables, cellsOutside, visibleRows, links, columnRight };
    });
    const firstScreen = await page.evaluate(() => {
      const parts: string[] = [];
      for (const element of document.querySelectorAll('article *')) {
        const rect = element.getBoundingClientRect();
        if (rect.top < 900 && element.children.length === 0 && (element as HTMLElement).innerText)
          parts.push((element as HTMLElement).innerText);
      }
      return parts.join(' ');
    });
    if (options.png) {
      await page.evaluate(() => document.querySelectorAll('details').forEach((d, i) => (d.open = i < 3)));
      await page.screenshot({ path: options.png as `${string}.png`, fullPage: true });
    }
    return { ...measured, firstScreen };
  } finally {
    await page.close();
  }
}
