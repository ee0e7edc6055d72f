// Command-line flags, hangar-compatible. Pure: argv in, typed options out, UsageError on anything off.
import { defaultText, type Setting } from '../config/defaults.js';
import { parseBoolean } from '../config/parse.js';

/** The page that explains every reason code. */
export const REASONS_DOC = 'docs/reasons.md (in the repository, and in the npm package)';

export class UsageError extends Error {
  override name = 'UsageError';
}

type FlagKind = 'string' | 'boolean';

interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  value?: string;
  help: string;
  /** The setting whose default `--help` shows. */
  setting?: Setting;
}

/** Every flag, in the order `--help` lists them. */
export const FLAGS: readonly FlagSpec[] = [
  {
    name: 'file',
    short: 'f',
    kind: 'string',
    value: 'FILE',
    help: 'image list file (required, unless --source-archive: then every image it carries is a line)',
  },
  {
    name: 'source-archive',
    kind: 'string',
    value: 'PATH',
    help: 'read every source from this archive (hangar zip, OCI layout or oci-archive, docker-archive, skopeo dir, Zarf package, hauler store): no source registry is asked',
  },
  { name: 'source', short: 's', kind: 'string', value: 'REGISTRY', help: 'override the source registry' },
  {
    name: 'destination',
    short: 'd',
    kind: 'string',
    value: 'REGISTRY',
    help: 'override the destination registry (needed for one-reference lines)',
  },
  {
    name: 'arch',
    short: 'a',
    kind: 'string',
    value: 'LIST',
    help: 'architectures to require',
    setting: 'arch',
  },
  { name: 'os', kind: 'string', value: 'LIST', help: 'operating systems to require', setting: 'os' },
  { name: 'variant', kind: 'string', value: 'LIST', help: 'variants to require (default: any)' },
  {
    name: 'jobs',
    short: 'j',
    kind: 'string',
    value: 'N',
    help: 'images validated at once, 1 to 20',
    setting: 'jobs',
  },
  {
    name: 'failed',
    short: 'o',
    kind: 'string',
    value: 'FILE',
    help: 'where to write the failed lines',
    setting: 'failedFile',
  },
  {
    name: 'list-format',
    kind: 'string',
    value: 'FORMAT',
    help: 'the list format, instead of telling it by the content: hangar, regsync, skopeo-sync, oc-mirror, hauler, zarf, kubernetes, helm',
  },
  {
    name: 'failed-format',
    kind: 'string',
    value: 'FORMAT',
    help: "the failed file's format (default: the list's): also skopeo-copy, oc-mapping",
  },
  {
    name: 'sync-options',
    kind: 'string',
    value: 'OPTIONS',
    help: 'for a skopeo sync list: the options it ran with (--scoped, --append-suffix S, --all, --override-arch A …)',
  },
  {
    name: 'registry-catalog',
    kind: 'boolean',
    help: "let regsync type: registry entries read their source registry's catalog (_catalog)",
    setting: 'registryCatalog',
  },
  {
    name: 'mirror-config',
    kind: 'string',
    value: 'PATHS',
    help: "the cluster's mirror configuration as the destination: a certs.d folder, hosts.toml, registries.conf (and .d), registries.yaml, or OpenShift mirror sets (comma-separated)",
  },
  {
    name: 'mirror-policy',
    kind: 'string',
    value: 'first|all',
    help: 'with --mirror-config: the first mirror in pull order must hold each image, or all of them',
    setting: 'mirrorPolicy',
  },
  { name: 'report', kind: 'string', value: 'FILE', help: 'also write a JSON report here' },
  {
    name: 'junit',
    kind: 'string',
    value: 'FILE',
    help: 'also write JUnit XML here (GitLab, Jenkins, Azure test reports)',
  },
  {
    name: 'default-project',
    kind: 'string',
    value: 'NAME',
    help: 'project for destination names without one',
    setting: 'defaultProject',
  },
  {
    name: 'tls-verify',
    kind: 'boolean',
    help: 'verify TLS certificates of every registry; =false accepts any certificate and registries that answer plain HTTP, but sends no credentials over HTTP',
    setting: 'tlsVerify',
  },
  {
    name: 'insecure-registries',
    kind: 'string',
    value: 'HOSTS',
    help: 'registries (host[:port], comma-separated) whose certificates are not checked and that may be plain HTTP, credentials included; the others are verified',
    setting: 'insecureRegistries',
  },
  {
    name: 'ca-file',
    kind: 'string',
    value: 'FILE',
    help: 'PEM certificates to trust besides the system CAs (SSL_CERT_FILE and NODE_EXTRA_CA_CERTS are read too)',
    setting: 'caFile',
  },
  {
    name: 'provenance',
    kind: 'boolean',
    help: 'require the attestations of selected platforms that the source has',
    setting: 'provenance',
  },
  {
    name: 'deep',
    kind: 'boolean',
    help: 'also check that every config and layer blob exists',
    setting: 'deep',
  },
  {
    name: 'require-identical',
    kind: 'boolean',
    help: 'pass only when the destination digest equals the source digest',
    setting: 'requireIdentical',
  },
  {
    name: 'referrers',
    kind: 'string',
    value: 'POLICY',
    help: 'signatures, attestations and SBOMs that must be at the destination: ignore, require (all found at the source), or a list of sig, att, sbom and artifact types',
    setting: 'referrers',
  },
  {
    name: 'shard',
    kind: 'string',
    value: 'I/N',
    help: 'validate only shard I of N (a stable split, for parallel jobs)',
  },
  {
    name: 'cache-dir',
    kind: 'string',
    value: 'DIR',
    help: 'keep manifests fetched by digest here, so later runs skip those GETs',
  },
  {
    name: 'timeout',
    kind: 'string',
    value: 'SECONDS',
    help: 'time budget of the whole run; then unfinished lines are skipped as interrupted and everything is written',
    setting: 'timeout',
  },
  {
    name: 'image-timeout',
    kind: 'string',
    value: 'SECONDS',
    help: 'time budget of one image',
    setting: 'imageTimeout',
  },
  { name: 'source-username', kind: 'string', value: 'USER', help: 'source registry user' },
  {
    name: 'source-password',
    kind: 'string',
    value: 'PASS',
    help: 'source registry password (or MIRROR_VALIDATE_SOURCE_PASSWORD)',
  },
  { name: 'destination-username', kind: 'string', value: 'USER', help: 'destination registry user' },
  {
    name: 'destination-password',
    kind: 'string',
    value: 'PASS',
    help: 'destination registry password (or MIRROR_VALIDATE_DESTINATION_PASSWORD)',
  },
  { name: 'verbose', short: 'v', kind: 'boolean', help: 'print passed lines too, not only failures' },
  { name: 'no-color', kind: 'boolean', help: 'no colour (also NO_COLOR; FORCE_COLOR forces it)' },
  { name: 'debug', kind: 'boolean', help: 'print every request (secrets are never printed)' },
  { name: 'help', short: 'h', kind: 'boolean', help: 'show this help' },
  { name: 'version', kind: 'boolean', help: 'print the version' },
];

export type ParsedFlags = Map<string, string | boolean>;

function booleanValue(flag: string, text: string): boolean {
  try {
    return parseBoolean(text, `--${flag}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Parses `--name value`, `--name=value`, `-x value`, `-xvalue`, and booleans as `--name`, `--name=false`.
 * Hangar's single-dash long flags (`-debug`, `-default-project x`) are accepted too.
 */
export function parseFlags(argv: readonly string[]): ParsedFlags {
  const flags: ParsedFlags = new Map();
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index] as string;
    if (!word.startsWith('-') || word === '-') {
      throw new UsageError(`unexpected argument "${word}"; the list is given with -f FILE`);
    }
    const body = word.replace(/^--?/, '');
    const equals = body.indexOf('=');
    const key = equals >= 0 ? body.slice(0, equals) : body;
    let inline = equals >= 0 ? body.slice(equals + 1) : undefined;
    let spec = FLAGS.find((flag) => flag.name === key);
    if (!spec && !word.startsWith('--')) {
      // -fFILE: a short flag with its value attached.
      spec = FLAGS.find((flag) => flag.short === key[0]);
      if (spec && key.length > 1 && inline === undefined) inline = key.slice(1);
      else if (spec && key.length > 1) spec = undefined;
    }
    if (!spec) throw new UsageError(`unknown flag "${word}" (see --help)`);
    if (flags.has(spec.name)) throw new UsageError(`--${spec.name} is given twice`);
    if (spec.kind === 'boolean') {
      flags.set(spec.name, inline === undefined ? true : booleanValue(spec.name, inline));
      continue;
    }
    if (inline === undefined) {
      const next = argv[index + 1];
      if (next === undefined) throw new UsageError(`--${spec.name} needs a value`);
      inline = next;
      index += 1;
    }
    flags.set(spec.name, inline);
  }
  return flags;
}

export function helpText(version: string): string {
  const lines = [
    `mirror-validate ${version}: prove that a container-image mirror is complete and current.`,
    '',
    'Usage: mirror-validate -f LIST [-s SOURCE] [-d DESTINATION] [flags]',
    '',
    'The list takes hangar\'s formats: "SOURCE DEST TAG" per line, or one image reference per line',
    '(its destination is the same path on the -d registry). # and // start comments.',
    '',
    'Flags:',
  ];
  for (const flag of FLAGS) {
    const names = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.name}${flag.value ? ` ${flag.value}` : ''}`;
    const shown = flag.setting === undefined ? '' : defaultText(flag.setting);
    const fallback =
      flag.setting === undefined
        ? ''
        : ` (default ${flag.kind === 'boolean' || /^\d+$/.test(shown) ? shown : `"${shown}"`})`;
    lines.push(`  ${names.padEnd(34)} ${flag.help}${fallback}`);
  }
  lines.push(
    '',
    `Every reason code, what it means and what to do: ${REASONS_DOC}`,
    '',
    'Credentials also come from the Docker config ($DOCKER_CONFIG/config.json or ~/.docker/config.json,',
    'with credential helpers) and REGISTRY_AUTH_FILE. The tool never prompts.',
    '',
    'Exit status: 0 every line passed (lines skipped for a platform filter are warnings),',
    '1 a line failed or was invalid, 2 usage or configuration error, 3 internal error (a bug: please report it),',
    '130/143 interrupted.',
  );
  return lines.join('\n');
}
