// The notices a bundle owes: every package whose code is in it (the node_modules folders its source map names),
// with its license and license text as license-checker-rseidelsohn reads them from the installed tree (dev
// packages too: an optional require such as debug's of supports-color bundles whatever is installed).
// `npm run bundle` writes dist/licenses.txt and dist/cli/licenses.txt with it; a test holds them to the
// bundles and to the allowed licenses (`--check`, also run by the test).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { ModuleInfos } from 'license-checker-rseidelsohn';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const checker = require('license-checker-rseidelsohn') as typeof import('license-checker-rseidelsohn');

/** Licenses a bundled package may have: permissive ones that ask only for their notice to be kept. */
export const ALLOWED_LICENSES = [
  'MIT',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
  'Unlicense',
  'CC0-1.0',
];

export const BUNDLES = ['dist', join('dist', 'cli')];

/** What ncc's sourcemap-register.cjs is made of. */
const SOURCEMAP_REGISTER = ['source-map-support', 'source-map', 'buffer-from'];

/** The package folders (absolute) whose files a bundle's source map lists, innermost node_modules first. */
export async function bundledPackageFolders(bundle: string, out = root): Promise<string[]> {
  const folders = new Set<string>();
  const maps = (await readdir(join(out, bundle))).filter((name) => name.endsWith('.js.map'));
  for (const name of maps) {
    const map = JSON.parse(await readFile(join(out, bundle, name), 'utf8')) as { sources: string[] };
    for (const source of map.sources) {
      // ncc writes sources as `.././node_modules/…` whatever the bundle's depth: paths from the project root.
      const fromRoot = source.replace(/^webpack:\/\/[^/]*\//, '').replace(/^(\.\.?\/)+/, '');
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(fromRoot);
      if (match) folders.add(resolve(root, match[1] as string));
    }
  }
  // ncc's sourcemap-register.cjs (written beside the bundle by --source-map, loaded by index.js) has no map:
  // it holds source-map-support with its dependencies source-map and buffer-from, installed as a dev
  // dependency so their notices can be read.
  if ((await readdir(join(out, bundle))).includes('sourcemap-register.cjs'))
    for (const name of SOURCEMAP_REGISTER) folders.add(resolve(root, 'node_modules', name));
  return [...folders].sort();
}

/** `name@version` of the package in a folder, the key the license checker lists it under. */
async function packageId(folder: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return `${manifest.name}@${manifest.version}`;
}

export function installedLicenses(): Promise<ModuleInfos> {
  return new Promise((resolveInfos, reject) =>
    checker.init({ start: root, customFormat: { licenseText: '' } }, (error, infos) =>
      error ? reject(error) : resolveInfos(infos),
    ),
  );
}

export interface Notice {
  id: string;
  licenses: string;
  text: string;
}

/** The notice of every bundled package, in name order; throws naming a bundled package the checker missed. */
export async function noticesFor(bundle: string, infos: ModuleInfos, out = root): Promise<Notice[]> {
  const notices: Notice[] = [];
  for (const folder of await bundledPackageFolders(bundle, out)) {
    // The checker lists one copy of each name@version; other copies of it are the same package.
    const id = await packageId(folder);
    const info = infos[id];
    if (!info)
      throw new Error(`${bundle}: ${id} (${folder}) is bundled but the license checker does not list it`);
    const licenses = Array.isArray(info.licenses) ? info.licenses.join(' OR ') : (info.licenses ?? 'UNKNOWN');
    notices.push({ id, licenses, text: (info.licenseText ?? '').trim() });
  }
  const unique = new Map(notices.map((notice) => [notice.id, notice]));
  return [...unique.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function formatNotices(bundle: string, notices: Notice[]): string {
  const head = `Third-party software in ${bundle}/index.js: ${notices.length} packages, each with its license.\n`;
  return (
    head +
    notices
      .map(
        (notice) =>
          `\n${'='.repeat(78)}\n${notice.id}\nLicense: ${notice.licenses}\n\n${notice.text || '(the package ships no license text; its package.json names the license above)'}\n`,
      )
      .join('')
  );
}

/** A license expression every part of which is allowed (an OR needs one allowed side, an AND all). */
export function allowed(expression: string): boolean {
  const cleaned = expression.replace(/[()*]/g, '').trim();
  if (/ OR /.test(cleaned)) return cleaned.split(/ OR /).some((part) => allowed(part));
  if (/ AND /.test(cleaned)) return cleaned.split(/ AND /).every((part) => allowed(part));
  return ALLOWED_LICENSES.includes(cleaned);
}

// `tsx scripts/licenses.ts [FOLDER]`: the bundles under FOLDER (default: the project), as check-dist builds them.
if (import.meta.filename === process.argv[1]) {
  const out = resolve(process.argv[2] ?? root);
  const infos = await installedLicenses();
  for (const bundle of BUNDLES) {
    const notices = await noticesFor(bundle, infos, out);
    const refused = notices.filter((notice) => !allowed(notice.licenses));
    if (refused.length > 0) {
      console.error(
        `${bundle}: licenses outside the allow list: ${refused.map((n) => `${n.id} (${n.licenses})`).join(', ')}`,
      );
      process.exit(1);
    }
    await writeFile(join(out, bundle, 'licenses.txt'), formatNotices(bundle, notices));
    console.log(`${bundle}/licenses.txt: ${notices.length} packages`);
  }
}
