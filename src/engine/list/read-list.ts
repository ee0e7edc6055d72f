// One entry point for every list format: the format told by the content (or forced by list-format), read by
// its own reader into the same entries. The engine never knows which format a line came from.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { ListFormat } from './entries.js';
import { readHauler, looksLikeHauler } from './hauler.js';
import { looksLikeHelmChart, readHelmChart } from './helm-chart.js';
import { looksLikeKubernetes, readKubernetes } from './kubernetes.js';
import { parseImageList, type ListOptions } from './image-list.js';
import { looksLikeMapping, readMapping } from './oc-mirror.js';
import { readRegsync, regsyncSource, regsyncText, type RegsyncSource } from './regsync.js';
import { MIRRORABLE_FORMATS, type SyncOptions } from '../../config/settings.js';
import { looksLikeSkopeoSync, readSkopeoSync } from './skopeo-sync.js';
import { emptyRead, parseYaml, readSequenceInSlices, type ListRead } from './yaml-list.js';
import { looksLikeZarf, readZarf } from './zarf.js';

export interface ReadListOptions extends ListOptions {
  /** The list file as the user named it (messages), and where it is (relative template paths). */
  fileName: string;
  filePath: string;
  format?: ListFormat;
  syncOptions: SyncOptions;
  env: NodeJS.ProcessEnv;
  /** Whether regsync `type: registry` entries may read their source registry's catalog. */
  registryCatalog?: boolean;
}

/** Whether the text could be YAML of one of the YAML formats: a map at the top, not hangar lines. */
function looksLikeYamlMap(text: string): boolean {
  for (const line of text.split(/\r?\n/)) {
    const content = line.trim();
    if (!content || content.startsWith('#') || content === '---') continue;
    return /^[^\s#][^#]*:(\s|$)/.test(line) || /^["'][^"']+["']\s*:/.test(line);
  }
  return false;
}

const YAML_FORMATS =
  'regsync (sync:), skopeo sync (registry: images:), hauler (kind: Images), Zarf (kind: ZarfPackageConfig), Kubernetes workloads (kind: Deployment, Pod, CronJob …), a Helm Chart.yaml with image annotations (artifacthub.io/images, helm.sh/images, images)';

/** The regsync file, in slices when it is laid out for them (a generated config), else whole. */
function regsyncFrom(text: string, fileName: string): RegsyncSource {
  try {
    const sliced = readSequenceInSlices(text, 'sync', fileName);
    if (sliced) return { data: sliced.rest, items: sliced.items };
  } catch (error) {
    // An alias into another slice: the whole document, at once.
    if (!(error instanceof ConfigurationError) || !/names no anchor/.test(error.message)) throw error;
  }
  const first = parseYaml(text, fileName).find((yaml) => yaml.doc.contents !== null);
  if (!first) throw new ConfigurationError(`image list "${fileName}" is empty YAML`);
  return regsyncSource(first, fileName);
}

/**
 * With mirror-config, only lists of the images a cluster pulls may be read: refused once the format is told,
 * before its reader asks for a destination it would not need.
 */
function refuseMirrored(format: ListFormat, options: ReadListOptions): void {
  if (options.mirrored && !MIRRORABLE_FORMATS.includes(format))
    throw new ConfigurationError(
      `${options.fileName} is a ${format} list, which names its own destinations; mirror-config sends the images a cluster pulls: a hangar list of one reference a line (docker compose config --images), Kubernetes workloads or a Helm Chart.yaml`,
    );
}

export function readList(text: string, options: ReadListOptions): ListRead {
  const { fileName } = options;
  const forced = options.format;
  if (forced === 'hangar' || (!forced && !looksLikeYamlMap(text) && !looksLikeMapping(text)))
    return emptyRead('hangar', parseImageList(text, options));
  if (forced === 'archive')
    throw new ConfigurationError(
      'list-format archive is how a source archive is read without a list: give source-archive and no file',
    );
  if (forced === 'oc-mirror' || (!forced && looksLikeMapping(text))) {
    refuseMirrored('oc-mirror', options);
    return readMapping(text);
  }
  const readFile = (path: string) => readFileSync(resolve(dirname(options.filePath), path), 'utf8');
  // A sync config can be large: told from its text and read in slices, never parsed whole first.
  if (forced === 'regsync' || (!forced && regsyncText(text))) {
    refuseMirrored('regsync', options);
    if (!regsyncText(text))
      throw new ConfigurationError(`image list "${fileName}" is not a regsync config (no sync: list)`);
    return readRegsync(regsyncFrom(text, fileName), fileName, {
      env: options.env,
      readFile,
      registryCatalog: options.registryCatalog,
    });
  }
  const docs = parseYaml(text, fileName);
  const first = docs.find((yaml) => yaml.doc.contents !== null);
  if (!first) throw new ConfigurationError(`image list "${fileName}" is empty YAML`);
  const data = first.data();
  const format: ListFormat | undefined =
    forced ??
    (looksLikeHauler(data)
      ? 'hauler'
      : looksLikeZarf(data)
        ? 'zarf'
        : looksLikeSkopeoSync(data)
          ? 'skopeo-sync'
          : looksLikeKubernetes(docs.map((yaml) => yaml.data()))
            ? 'kubernetes'
            : looksLikeHelmChart(data)
              ? 'helm'
              : undefined);
  if (!format)
    throw new ConfigurationError(
      `image list "${fileName}" is YAML of no list format this check reads; tried ${YAML_FORMATS} (or force one with list-format)`,
    );
  refuseMirrored(format, options);
  switch (format) {
    case 'kubernetes':
      return readKubernetes(docs, fileName, options.destination, options.mirrored);
    case 'helm':
      if (!looksLikeHelmChart(data))
        throw new ConfigurationError(
          `image list "${fileName}" is not a Helm Chart.yaml with image annotations (artifacthub.io/images, helm.sh/images, images)`,
        );
      return readHelmChart(first, fileName, options.destination, options.mirrored);
    case 'skopeo-sync':
      if (!looksLikeSkopeoSync(data))
        throw new ConfigurationError(`image list "${fileName}" is not a skopeo sync file`);
      return readSkopeoSync(first, fileName, options.destination, options.syncOptions);
    case 'hauler':
      return readHauler(docs, fileName, options.destination);
    case 'zarf':
      if (!looksLikeZarf(data))
        throw new ConfigurationError(
          `image list "${fileName}" is not a Zarf package (kind: ZarfPackageConfig)`,
        );
      return readZarf(first, fileName, options.destination);
    default:
      throw new ConfigurationError(`list format ${format} cannot be read from YAML`);
  }
}
