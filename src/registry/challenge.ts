// WWW-Authenticate, read by the grammar of RFC 9110 §11 (https://www.rfc-editor.org/rfc/rfc9110#section-11):
//   WWW-Authenticate = #challenge                      (§11.6.1; repeated fields join with ", ", §5.3)
//   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]                               (§11.3)
//   auth-param = token BWS "=" BWS ( token / quoted-string )                                  (§11.2)
//   token68    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="                 (§11.2)
//   quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE; quoted-pair = "\" octet          (§5.6.4)
// Schemes and parameter names are case-insensitive, values are not (§11.1, §11.2, §11.5); a parameter may
// appear once per challenge (§11.2). After a comma, a token followed by "=" is another parameter of the same
// challenge, and a token followed by a space, a comma or the end is the next challenge's scheme.
//
// A header may carry several challenges (`Bearer realm=…, Basic realm=…`; `Negotiate, Basic realm=…`), which
// regclient reads as a list (internal/auth/auth.go, parseAuthHeader) while distribution's parser and its
// copies in go-containerregistry and containers/image keep only the first challenge of a line; containerd
// prefers bearer over basic among the challenges it knows (core/remotes/docker/auth/parse.go). Here: every
// challenge is read; the first Bearer challenge with a realm is used, else the first Basic one. A header that
// breaks the grammar (an unterminated quoted string, a dangling escape, parameters without a comma between
// them) is refused whole: where it breaks, what belongs to which challenge is no longer known, and a realm
// read from a broken header could send credentials where they were not asked for.

/** A parsed WWW-Authenticate challenge this client can answer. */
export type Challenge =
  { scheme: 'bearer'; realm: string; service?: string; scope?: string } | { scheme: 'basic'; realm?: string };

/** One challenge as read: its scheme (lowercased), parameters (names lowercased) or token68. */
export interface ParsedChallenge {
  scheme: string;
  params: Record<string, string>;
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

class Reader {
  position = 0;
  constructor(readonly text: string) {}
  get done() {
    return this.position >= this.text.length;
  }
  peek() {
    return this.text[this.position] ?? '';
  }
  skipSpace() {
    while (this.peek() === ' ' || this.peek() === '\t') this.position += 1;
  }
  token(): string {
    const start = this.position;
    while (!this.done && TCHAR.test(this.peek())) this.position += 1;
    return this.text.slice(start, this.position);
  }
  /**
   * An unquoted value. The grammar says token; a value with ":" or "/" (an unquoted realm URL) is read too, up
   * to white space or a comma, as regclient reads it (its token characters include "/").
   */
  bareValue(): string {
    const match = /^[^\s,"\\]+/.exec(this.text.slice(this.position));
    this.position += match?.[0].length ?? 0;
    return match?.[0] ?? '';
  }
  /** Whether a token, white space, "=" come next (an auth-param), without moving. */
  paramAhead(): boolean {
    const start = this.position;
    const name = this.token();
    this.skipSpace();
    let isParam = name.length > 0 && this.peek() === '=';
    if (isParam) {
      // `YII=,` is a token68 ending in "=", not a parameter: a parameter's "=" is followed by its value.
      this.position += 1;
      this.skipSpace();
      isParam = !this.done && this.peek() !== ',' && this.peek() !== '=';
    }
    this.position = start;
    return isParam;
  }
  quoted(): string {
    // at the opening quote
    this.position += 1;
    let value = '';
    for (;;) {
      if (this.done) throw new SyntaxError('an unterminated quoted string');
      const char = this.peek();
      this.position += 1;
      if (char === '"') return value;
      if (char === '\\') {
        if (this.done) throw new SyntaxError('an escape at the end of the header');
        value += this.peek();
        this.position += 1;
      } else value += char;
    }
  }
}

/** Every challenge of a WWW-Authenticate value, in order; throws a SyntaxError where the grammar breaks. */
export function parseChallenges(header: string): ParsedChallenge[] {
  const reader = new Reader(header);
  const challenges: ParsedChallenge[] = [];
  const skipSeparators = () => {
    for (;;) {
      reader.skipSpace();
      if (reader.peek() !== ',') return;
      reader.position += 1;
    }
  };
  skipSeparators();
  while (!reader.done) {
    const scheme = reader.token();
    if (!scheme)
      throw new SyntaxError(
        `no scheme at ${JSON.stringify(header.slice(reader.position, reader.position + 20))}`,
      );
    const challenge: ParsedChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    const spaced = reader.peek() === ' ' || reader.peek() === '\t';
    reader.skipSpace();
    if (reader.done || reader.peek() === ',') {
      skipSeparators();
      continue;
    }
    if (!spaced) throw new SyntaxError(`no space after the scheme ${scheme}`);
    if (!reader.paramAhead()) {
      const token68 = TOKEN68.exec(header.slice(reader.position))?.[0];
      if (!token68) throw new SyntaxError(`neither parameters nor a token68 after ${scheme}`);
      challenge.token68 = token68;
      reader.position += token68.length;
      reader.skipSpace();
      if (!reader.done && reader.peek() !== ',') throw new SyntaxError(`text after the token68 of ${scheme}`);
      skipSeparators();
      continue;
    }
    // #auth-param: parameters until the next challenge's scheme or the end.
    for (;;) {
      const name = reader.token().toLowerCase();
      reader.skipSpace();
      reader.position += 1; // "=", seen by paramAhead
      reader.skipSpace();
      let value: string;
      if (reader.peek() === '"') value = reader.quoted();
      else {
        value = reader.bareValue();
        if (!value) throw new SyntaxError(`parameter ${name} of ${scheme} has no value`);
      }
      if (Object.hasOwn(challenge.params, name))
        throw new SyntaxError(`parameter ${name} appears twice in the ${scheme} challenge`);
      challenge.params[name] = value;
      reader.skipSpace();
      if (reader.done) break;
      if (reader.peek() !== ',') throw new SyntaxError(`no comma after parameter ${name} of ${scheme}`);
      skipSeparators();
      if (reader.done || !reader.paramAhead()) break;
    }
  }
  return challenges;
}

/**
 * The challenge to answer from a WWW-Authenticate value: the first Bearer challenge with a realm, else the
 * first Basic one; undefined when there is none, or when the header breaks the grammar.
 */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header) return undefined;
  let challenges: ParsedChallenge[];
  try {
    challenges = parseChallenges(header);
  } catch {
    return undefined;
  }
  const bearer = challenges.find((challenge) => challenge.scheme === 'bearer' && challenge.params.realm);
  if (bearer) {
    const { realm, service, scope } = bearer.params;
    return { scheme: 'bearer', realm: realm as string, service, scope };
  }
  const basic = challenges.find((challenge) => challenge.scheme === 'basic');
  if (basic) return { scheme: 'basic', realm: basic.params.realm };
  return undefined;
}
