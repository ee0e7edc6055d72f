// The part of Go's text/template that regsync configs use where they name registries, paths and credentials
// (regclient pkg/template/template.go, the function map tmplFuncs lines 28-68; config.go
// configExpandTemplates lines 201-265): actions `{{ … }}` holding a pipeline of commands, each a function with
// string arguments, a field chain (`.Sync.Source`) or a parenthesised pipeline; `|` passes a result on as the
// last argument. Functions: env, file, default, lower, upper, trimSpace, split, join, index, printf (%s, %v, %d).
// Anything else is refused naming what. Unlike regsync, whose `env` gives "" for an unset variable and whose
// `file` gives "" for a file it cannot read, an unset variable or an unreadable file is an error naming it:
// a registry or a password that silently became "" makes a check prove the wrong thing.

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Value = string | string[];

export interface TemplateContext {
  env: NodeJS.ProcessEnv;
  /** Reads a file for `file`, as text; throws when it cannot. */
  readFile: (path: string) => string;
  /** The data `.` stands for (`.Sync.Source` reads data.Sync.Source). */
  data?: Record<string, unknown>;
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'word'; value: string }
  | { kind: 'field'; path: string[] }
  | { kind: 'punct'; value: '(' | ')' | '|' };

function tokenize(action: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < action.length) {
    const char = action[at] as string;
    if (/\s/.test(char)) {
      at += 1;
    } else if (char === '"') {
      let value = '';
      at += 1;
      for (;;) {
        if (at >= action.length) throw new TemplateError('an unterminated string');
        const next = action[at] as string;
        at += 1;
        if (next === '"') break;
        if (next === '\\') {
          const escaped = action[at] ?? '';
          at += 1;
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
        } else value += next;
      }
      tokens.push({ kind: 'string', value });
    } else if (char === '`') {
      const end = action.indexOf('`', at + 1);
      if (end < 0) throw new TemplateError('an unterminated raw string');
      tokens.push({ kind: 'string', value: action.slice(at + 1, end) });
      at = end + 1;
    } else if (char === '(' || char === ')' || char === '|') {
      tokens.push({ kind: 'punct', value: char });
      at += 1;
    } else if (char === '.') {
      const match = /^(\.[A-Za-z_][A-Za-z0-9_]*)+|^\./.exec(action.slice(at)) as RegExpExecArray;
      tokens.push({ kind: 'field', path: match[0].split('.').filter(Boolean) });
      at += match[0].length;
    } else {
      const match = /^-?\d+|^[A-Za-z_][A-Za-z0-9_]*/.exec(action.slice(at));
      if (!match) throw new TemplateError(`unexpected "${char}"`);
      tokens.push({ kind: /^-?\d/.test(match[0]) ? 'number' : 'word', value: match[0] });
      at += match[0].length;
    }
  }
  return tokens;
}

const text = (value: Value, what: string): string => {
  if (typeof value !== 'string') throw new TemplateError(`${what} is a list, not text`);
  return value;
};

const FUNCTIONS: Record<string, (context: TemplateContext, args: Value[]) => Value> = {
  env: (context, [name]) => {
    const key = text(name ?? '', 'env');
    const value = context.env[key];
    if (value === undefined) throw new TemplateError(`environment variable ${key} is not set`);
    return value;
  },
  file: (context, [path]) => {
    const name = text(path ?? '', 'file');
    try {
      return context.readFile(name).trim();
    } catch (error) {
      throw new TemplateError(`file ${name} cannot be read: ${(error as Error).message}`);
    }
  },
  default: (_context, args) => {
    const given = args.at(-1);
    return given === undefined || given === '' || (Array.isArray(given) && !given.length)
      ? (args[0] ?? '')
      : given;
  },
  lower: (_context, [value]) => text(value ?? '', 'lower').toLowerCase(),
  upper: (_context, [value]) => text(value ?? '', 'upper').toUpperCase(),
  trimSpace: (_context, [value]) => text(value ?? '', 'trimSpace').trim(),
  split: (_context, [value, separator]) => text(value ?? '', 'split').split(text(separator ?? '', 'split')),
  join: (_context, [list, separator]) => {
    if (!Array.isArray(list)) throw new TemplateError('join needs a list');
    return list.join(text(separator ?? '', 'join'));
  },
  index: (_context, [list, position]) => {
    const at = Number(position);
    if (!Array.isArray(list) || !Number.isInteger(at) || at < 0 || at >= list.length)
      throw new TemplateError(`index ${String(position)} is out of range`);
    return list[at] as string;
  },
  printf: (_context, [format, ...args]) => {
    let next = 0;
    return text(format ?? '', 'printf').replace(/%[svd%]/g, (verb) =>
      verb === '%%' ? '%' : String(args[next++] ?? ''),
    );
  },
};

class Parser {
  at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly context: TemplateContext,
  ) {}

  pipeline(): Value {
    let value = this.command(undefined);
    while (this.peek()?.kind === 'punct' && (this.peek() as { value: string }).value === '|') {
      this.at += 1;
      value = this.command(value);
    }
    return value;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private operand(): Value {
    const token = this.tokens[this.at];
    this.at += 1;
    if (!token) throw new TemplateError('an action ends too soon');
    if (token.kind === 'string' || token.kind === 'number') return token.value;
    if (token.kind === 'field') {
      let value: unknown = this.context.data;
      for (const name of token.path) value = (value as Record<string, unknown> | undefined)?.[name];
      if (typeof value === 'string' || Array.isArray(value)) return value as Value;
      if (value === undefined || value === null) return '';
      return String(value as string);
    }
    if (token.kind === 'punct' && token.value === '(') {
      const value = this.pipeline();
      const close = this.tokens[this.at];
      if (close?.kind !== 'punct' || close.value !== ')') throw new TemplateError('a "(" without its ")"');
      this.at += 1;
      return value;
    }
    throw new TemplateError(
      `unexpected ${token.kind === 'word' ? token.value : (token as { value: string }).value}`,
    );
  }

  private command(piped: Value | undefined): Value {
    const head = this.peek();
    if (head?.kind === 'word') {
      const run = FUNCTIONS[head.value];
      if (!Object.hasOwn(FUNCTIONS, head.value) || !run)
        throw new TemplateError(`function "${head.value}" is not one this check knows`);
      this.at += 1;
      const args: Value[] = [];
      while (
        this.peek() &&
        !(this.peek()?.kind === 'punct' && ['|', ')'].includes((this.peek() as { value: string }).value))
      )
        args.push(this.operand());
      if (piped !== undefined) args.push(piped);
      return run(this.context, args);
    }
    if (piped !== undefined) throw new TemplateError('only a function can follow "|"');
    return this.operand();
  }
}

/** Whether a string holds a template action. */
export const isTemplate = (value: string) => value.includes('{{');

/** Expands every `{{ … }}` action of a string; throws TemplateError naming what went wrong. */
export function expandTemplate(value: string, context: TemplateContext): string {
  if (!isTemplate(value)) return value;
  return value.replace(/\{\{-?([\s\S]*?)-?\}\}/g, (_, action: string) => {
    const parser = new Parser(tokenize(action), context);
    const result = parser.pipeline();
    if (parser.at !== (parser as unknown as { tokens: Token[] }).tokens.length)
      throw new TemplateError(`"${action.trim()}" has more than one pipeline`);
    return Array.isArray(result) ? result.join(' ') : result;
  });
}
