// Semantic-version tag selection in the two dialects the sync configs use. Pure.
//
// regsync (regclient internal/semver/semver.go): a leading "v" is dropped, "+" starts metadata and "-" a
// prerelease, and any number of dot-separated integers is a version ("3", "3.19", "1.2.3.4"); missing parts
// count as 0; a version without a prerelease ranks above the same with one (NewVersion lines 33-75, Compare
// lines 78-115). A constraint is terms separated by spaces, all of which must hold: >=, <=, >, <, =, a bare
// version (=), ^ and ~ (NewConstraint lines 237-326). A range list matches when one range does
// (cmd/regsync/root.go filterTagList lines 1000-1050).
//
// skopeo sync's images-by-semver (Masterminds/semver v3, cmd/skopeo/sync.go lines 488-504): "v" optional, one
// to three parts (missing ones are 0); constraints joined by "||" (any) of groups joined by "," or spaces
// (all); operators =, !=, >, <, >=, <=, ~, ^, wildcards (1.2.x, 1.*) and hyphen ranges (1.2 - 1.4.5); a
// version with a prerelease is chosen only by a constraint that names a prerelease.

interface Version {
  parts: number[];
  prerelease: string[];
}

export type SemverDialect = 'regsync' | 'masterminds';

export function parseVersion(tag: string, dialect: SemverDialect): Version | undefined {
  const match =
    dialect === 'regsync'
      ? /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(tag)
      : /^v?(\d+(?:\.\d+){0,2})(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(tag);
  if (!match) return undefined;
  return {
    parts: (match[1] as string).split('.').map(Number),
    prerelease: match[2] ? match[2].split('.') : [],
  };
}

function comparePrerelease(a: string[], b: string[]): number {
  if (!a.length || !b.length) return a.length ? -1 : b.length ? 1 : 0;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const left = a[i];
    const right = b[i];
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    const numeric = /^\d+$/.test(left) && /^\d+$/.test(right);
    const order = numeric ? Number(left) - Number(right) : left < right ? -1 : left > right ? 1 : 0;
    if (order !== 0) return Math.sign(order);
  }
  return 0;
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.parts.length, b.parts.length, 3); i += 1) {
    const order = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (order !== 0) return Math.sign(order);
  }
  return comparePrerelease(a.prerelease, b.prerelease);
}

type Check = (version: Version) => boolean;

/** The upper bound of ^ and ~, as the next version after the kept parts. */
function bump(parts: number[], keep: number): Version {
  const next = parts.slice(0, keep);
  next[keep - 1] = (next[keep - 1] ?? 0) + 1;
  return { parts: next, prerelease: [] };
}

function caretUpper(parts: number[]): Version {
  const first = parts.findIndex((part) => part !== 0);
  return bump(parts, first < 0 ? parts.length : first + 1);
}

function term(op: string, text: string, dialect: SemverDialect): Check {
  // Wildcards (Masterminds): 1.2.x, 1.*, *, x.
  const wild = /^v?(\d+)?(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(text);
  const isWild = dialect === 'masterminds' && (text === '' || /(^|\.)[xX*]($|\.)/.test(text));
  if (isWild) {
    const fixed = (wild ? [wild[1], wild[2], wild[3]] : [])
      .filter((part): part is string => part !== undefined && /^\d+$/.test(part))
      .map(Number);
    if (fixed.length === 0) return () => true;
    const low: Version = { parts: fixed, prerelease: [] };
    const high = bump(fixed, fixed.length);
    if (op === '!=') return (v) => compareVersions(v, low) < 0 || compareVersions(v, high) >= 0;
    if (op === '>' || op === '>=') return (v) => compareVersions(v, op === '>' ? high : low) >= 0;
    if (op === '<' || op === '<=') return (v) => compareVersions(v, op === '<' ? low : high) < 0;
    return (v) => compareVersions(v, low) >= 0 && compareVersions(v, high) < 0;
  }
  const base = parseVersion(text, dialect);
  if (!base) throw new Error(`"${text}" is not a version`);
  const given = text.replace(/^v/, '').split(/[-+]/)[0]?.split('.').length ?? 3;
  switch (op) {
    case '>':
      return (v) => compareVersions(v, base) > 0;
    case '>=':
      return (v) => compareVersions(v, base) >= 0;
    case '<':
      return (v) => compareVersions(v, base) < 0;
    case '<=':
      return (v) => compareVersions(v, base) <= 0;
    case '!=':
      return (v) => compareVersions(v, base) !== 0;
    case '^': {
      const upper = caretUpper(base.parts);
      return (v) => compareVersions(v, base) >= 0 && compareVersions(v, upper) < 0;
    }
    case '~': {
      const upper = bump(base.parts, given >= 2 ? 2 : 1);
      return (v) => compareVersions(v, base) >= 0 && compareVersions(v, upper) < 0;
    }
    default:
      return (v) => compareVersions(v, base) === 0;
  }
}

const TERM = /^(>=|<=|!=|=>|=<|==|>|<|=|\^|~>|~)?\s*(\S*)$/;

/** A constraint as a predicate; throws naming the constraint when it cannot be read. */
export function parseConstraint(constraint: string, dialect: SemverDialect): (tag: string) => boolean {
  const alternatives = dialect === 'masterminds' ? constraint.split('||') : [constraint];
  const groups = alternatives.map((alternative) => {
    let text = alternative.trim();
    const checks: Check[] = [];
    // Hyphen ranges (Masterminds): "1.2 - 1.4.5" is >= 1.2, <= 1.4.5.
    if (dialect === 'masterminds') {
      text = text.replace(/(\S+)\s+-\s+(\S+)/g, '>=$1 <=$2');
    }
    const pieces = (dialect === 'masterminds' ? text.replace(/,/g, ' ') : text)
      .replace(/(>=|<=|!=|==|=>|=<|[><=~^])\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    if (pieces.length === 0) throw new Error(`constraint "${constraint}" is empty`);
    for (const piece of pieces) {
      const match = TERM.exec(piece);
      if (!match) throw new Error(`"${piece}" in constraint "${constraint}" cannot be read`);
      const op = { '=>': '>=', '=<': '<=', '==': '=', '~>': '~' }[match[1] ?? ''] ?? match[1] ?? '=';
      try {
        checks.push(term(op, match[2] ?? '', dialect));
      } catch (error) {
        throw new Error(`constraint "${constraint}": ${(error as Error).message}`, { cause: error });
      }
    }
    const namesPrerelease = /-[0-9A-Za-z]/.test(text.replace(/\s+-\s+/g, ' '));
    return { checks, namesPrerelease };
  });
  return (tag) => {
    const version = parseVersion(tag, dialect);
    if (!version) return false;
    return groups.some(
      (group) =>
        (dialect === 'regsync' || version.prerelease.length === 0 || group.namesPrerelease) &&
        group.checks.every((check) => check(version)),
    );
  };
}
