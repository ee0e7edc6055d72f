// WWW-Authenticate by RFC 9110 §11: the cases are written from the grammar (challenge lists, auth-params,
// token68, quoted strings) and from the behaviours distribution, containerd, regclient, containers/image and
// go-containerregistry document in their tests (several challenges in one header, a scheme they do not know
// before one they do, unterminated strings, escapes, case).
import { describe, expect, test } from 'vitest';
import { parseChallenge, parseChallenges } from '../../src/registry/challenge.js';

const HUB =
  'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"';

describe('the challenge to answer', () => {
  test.each([
    [
      HUB,
      {
        scheme: 'bearer',
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/nginx:pull',
      },
    ],
    [
      'bearer realm="https://r/t"',
      { scheme: 'bearer', realm: 'https://r/t', service: undefined, scope: undefined },
    ],
    [
      'BEARER REALM="https://r/t", Service=reg',
      { scheme: 'bearer', realm: 'https://r/t', service: 'reg', scope: undefined },
    ],
    ['Basic realm="Harbor"', { scheme: 'basic', realm: 'Harbor' }],
    ['Basic', { scheme: 'basic', realm: undefined }],
    ['BASIC', { scheme: 'basic', realm: undefined }],
    ['Basic realm=unquoted', { scheme: 'basic', realm: 'unquoted' }],
    // Several challenges in one header: Bearer with its own realm, wherever it stands.
    [
      'Bearer realm="https://a/token",service="b", Basic realm="c"',
      { scheme: 'bearer', realm: 'https://a/token', service: 'b', scope: undefined },
    ],
    [
      'Basic realm="c", Bearer realm="https://a/token"',
      { scheme: 'bearer', realm: 'https://a/token', service: undefined, scope: undefined },
    ],
    // A scheme this client cannot answer before one it can.
    ['Negotiate, Basic realm="x"', { scheme: 'basic', realm: 'x' }],
    ['Negotiate abc123==, Basic realm="x"', { scheme: 'basic', realm: 'x' }],
    ['NTLM, Negotiate, Basic realm="x"', { scheme: 'basic', realm: 'x' }],
    // Repeated header fields arrive joined with ", " (RFC 9110 §5.3).
    [
      'Negotiate, Bearer realm="https://r/t",service="s"',
      { scheme: 'bearer', realm: 'https://r/t', service: 's', scope: undefined },
    ],
    // A Bearer challenge without a realm cannot be answered; a Basic one beside it can.
    ['Bearer service="x", Basic realm="y"', { scheme: 'basic', realm: 'y' }],
    // Escapes: a quoted-pair stands for the character after the backslash.
    ['Basic realm="say \\"hi\\" \\\\ ok"', { scheme: 'basic', realm: 'say "hi" \\ ok' }],
    // A comma inside a quoted string belongs to the value.
    [
      'Bearer realm="https://r/t",scope="repository:a:pull,push"',
      { scheme: 'bearer', realm: 'https://r/t', service: undefined, scope: 'repository:a:pull,push' },
    ],
    // White space around "=" and the commas (BWS, OWS), and empty list elements (§5.6.1).
    [
      'Bearer realm = "https://r/t" ,  service="s",, ',
      { scheme: 'bearer', realm: 'https://r/t', service: 's', scope: undefined },
    ],
    [', , Basic realm="x"', { scheme: 'basic', realm: 'x' }],
  ])('%s', (header, expected) => {
    expect(parseChallenge(header)).toEqual(expected);
  });

  test.each([
    ['an unterminated quoted string', 'Bearer realm="https://r/t'],
    ['an unterminated string after a good parameter', 'Bearer service="s",realm="https://r/t'],
    ['an escape at the end', 'Basic realm="x\\'],
    ['parameters without a comma between them', 'Basic realm="Dev" charset="UTF-8"'],
    ['a parameter twice', 'Bearer realm="https://a/t",realm="https://b/t"'],
    ['a parameter without a value', 'Bearer realm=,service="s"'],
    ['no space after the scheme', 'Bearer,realm="https://r/t"x'],
    ['text after a token68', 'Basic abc== def'],
    ['a parameter with no challenge', '="x"'],
    ['only a scheme this client cannot answer', 'Negotiate'],
    ['a token68 for Bearer (no realm)', 'Bearer abc'],
    ['nothing', ''],
  ])('refused: %s', (_, header) => {
    expect(parseChallenge(header)).toBeUndefined();
  });
});

describe('the challenge list as read', () => {
  test('every challenge, its parameters by lowercased name, values as written', () => {
    expect(
      parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"'),
    ).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
    ]);
  });

  test('token68 challenges', () => {
    expect(parseChallenges('Negotiate YII=, Basic')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'YII=' },
      { scheme: 'basic', params: {} },
    ]);
  });

  test('what breaks the grammar is said', () => {
    expect(() => parseChallenges('Bearer realm="x')).toThrow('an unterminated quoted string');
    expect(() => parseChallenges('Basic realm="a" b="c"')).toThrow('no comma after parameter realm of Basic');
    expect(() => parseChallenges('Bearer a=1,a=2')).toThrow(
      'parameter a appears twice in the Bearer challenge',
    );
  });
});
