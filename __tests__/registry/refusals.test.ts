// The rule table of registry/refusals.ts, row by row: a non-2xx answer and what the probes answer → the error
// code, and the class the engine turns into a reason. The probes' answers come from a stand-in transport, so
// each row is exact; the real-registry cases are in refusals.itg.test.ts.
import { describe, expect, test } from 'vitest';
import { reasonForError } from '../../src/engine/validate/reasons.js';
import { RegistryError, type RegistryErrorCode } from '../../src/registry/errors.js';
import { failureClass, Refusals, type SentWith } from '../../src/registry/refusals.js';
import type { HttpRequest, HttpResponse, Transport } from '../../src/registry/transport.js';

const REGISTRY = 'registry.example';

function answer(status: number, headers: Record<string, string> = {}, body = ''): HttpResponse {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    status,
    headers: { get: (name) => lower[name.toLowerCase()] ?? null },
    body: Buffer.from(body),
    url: '',
  };
}

/** A transport whose answers to GET /v2/ and to token requests are given in order (the last one repeats). */
function transport(answers: { ping?: HttpResponse[]; token?: HttpResponse[] }) {
  const sent: string[] = [];
  const next = (list: HttpResponse[] | undefined, what: string) => {
    if (!list?.length) throw new Error(`no answer set for ${what}`);
    return list.length > 1 ? (list.shift() as HttpResponse) : (list[0] as HttpResponse);
  };
  const stand: Pick<Transport, 'send'> = {
    send: (request: HttpRequest) => {
      sent.push(`${request.method} ${request.path}${request.headers.authorization ? ' (authorized)' : ''}`);
      return Promise.resolve(
        request.path === '/v2/' ? next(answers.ping, 'GET /v2/') : next(answers.token, 'the token service'),
      );
    },
  };
  return { transport: stand as Transport, sent };
}

const sent = (response: HttpResponse, extra: Partial<SentWith> = {}): SentWith => ({
  response,
  authorization: undefined,
  withCredentials: false,
  ...extra,
});

const REGISTRY_PING = answer(401, { 'docker-distribution-api-version': 'registry/2.0' });
const HTML = answer(200, { 'content-type': 'text/html' }, '<html></html>');

async function refusal(response: SentWith, ping: HttpResponse[]) {
  const { transport: stand, sent: probes } = transport({ ping });
  const refusals = new Refusals({ transport: stand });
  const error = await refusals
    .refusal(REGISTRY, response, 'registry.example/app:1')
    .catch((thrown: unknown) => thrown);
  return { error: error as RegistryError, probes, refusals };
}

describe('a refused or missing API answer', () => {
  test.each([
    ['404, /v2/ answers like a registry', sent(answer(404)), [REGISTRY_PING], 'not-found', 'unreachable'],
    [
      '404, /v2/ answers 200 without the API header',
      sent(answer(404)),
      [answer(200)],
      'not-found',
      'unreachable',
    ],
    ['404, /v2/ answers an HTML page', sent(answer(404)), [HTML], 'http', 'unreachable'],
    ['404, /v2/ answers 404', sent(answer(404)), [answer(404)], 'http', 'unreachable'],
    [
      '404, /v2/ still 429',
      sent(answer(404)),
      [answer(429, { 'retry-after': '30' })],
      'rate-limited',
      'rate-limited',
    ],
    ['404, /v2/ still 503', sent(answer(404)), [answer(503)], 'http', 'unreachable'],
    [
      '401 with an anonymous token granted',
      sent(answer(401), { authorization: 'Bearer anonymous' }),
      [],
      'denied',
      'missing',
    ],
    [
      '401, /v2/ accepts the credentials sent',
      sent(answer(401), { authorization: 'Basic dTpw', withCredentials: true }),
      [answer(200)],
      'denied',
      'missing',
    ],
    [
      '403, /v2/ accepts the credentials sent',
      sent(answer(403), { authorization: 'Basic dTpw', withCredentials: true }),
      [answer(200)],
      'denied',
      'missing',
    ],
    [
      '401, /v2/ refuses the credentials sent',
      sent(answer(401), { authorization: 'Basic dTpw', withCredentials: true }),
      [answer(401)],
      'unauthorized',
      'auth',
    ],
    [
      '403, /v2/ refuses the credentials sent',
      sent(answer(403), { authorization: 'Basic dTpw', withCredentials: true }),
      [answer(403)],
      'forbidden',
      'auth',
    ],
    [
      '401, /v2/ still 429 with the same credentials',
      sent(answer(401), { authorization: 'Basic dTpw', withCredentials: true }),
      [answer(429)],
      'rate-limited',
      'rate-limited',
    ],
    [
      '401 with a challenge that cannot be used',
      sent(answer(401), { unusableChallenge: 'Bearer realm="unterminated' }),
      [],
      'unauthorized',
      'auth',
    ],
    [
      '429 after the retries',
      sent(answer(429, { 'retry-after': '120' })),
      [],
      'rate-limited',
      'rate-limited',
    ],
    ['502 after the retries', sent(answer(502)), [], 'http', 'unreachable'],
  ])('%s → %s', async (_, response, ping, code, failure) => {
    const { error, probes } = await refusal(response, [...ping]);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.code).toBe(code);
    expect(failureClass(error)).toBe(failure);
    // A probe is sent only where the row needs one.
    expect(probes.length).toBe(ping.length === 0 ? 0 : 1);
  });

  test('a 429 keeps the Retry-After the registry asked for', async () => {
    const { error } = await refusal(sent(answer(429, { 'retry-after': '120' })), []);
    expect(error.retryAfterSeconds).toBe(120);
    expect(error.problem).toBe('registry.example rate limit reached (retry after 120 s)');
  });

  test('a /v2/ probe that decided nothing is asked again; one that decided is kept', async () => {
    const { transport: stand, sent: probes } = transport({ ping: [answer(429), answer(503), REGISTRY_PING] });
    const refusals = new Refusals({ transport: stand });
    const ask = () => refusals.refusal(REGISTRY, sent(answer(404)), 'x').catch((error: unknown) => error);
    expect(((await ask()) as RegistryError).code).toBe('rate-limited');
    expect(((await ask()) as RegistryError).code).toBe('http');
    expect(((await ask()) as RegistryError).code).toBe('not-found');
    expect(((await ask()) as RegistryError).code).toBe('not-found');
    expect(probes).toEqual(['GET /v2/', 'GET /v2/', 'GET /v2/']);
  });

  test('a registry found not to be one stays so for the run', async () => {
    const { transport: stand, sent: probes } = transport({ ping: [HTML, REGISTRY_PING] });
    const refusals = new Refusals({ transport: stand });
    const ask = () => refusals.refusal(REGISTRY, sent(answer(404)), 'x').catch((error: unknown) => error);
    expect(((await ask()) as RegistryError).problem).toMatch(/does not look like a container registry/);
    expect(((await ask()) as RegistryError).problem).toMatch(/does not look like a container registry/);
    expect(probes).toHaveLength(1);
  });

  test('whether credentials are accepted is asked once, and not kept when rate-limited', async () => {
    const { transport: stand, sent: probes } = transport({ ping: [answer(429), answer(200)] });
    const refusals = new Refusals({ transport: stand });
    const refused = sent(answer(401), { authorization: 'Basic dTpw', withCredentials: true });
    const ask = () => refusals.refusal(REGISTRY, refused, 'x').catch((error: unknown) => error);
    expect(((await ask()) as RegistryError).code).toBe('rate-limited');
    expect(((await ask()) as RegistryError).code).toBe('denied');
    expect(((await ask()) as RegistryError).code).toBe('denied');
    expect(probes).toEqual(['GET /v2/ (authorized)', 'GET /v2/ (authorized)']);
  });
});

describe("a token service's answer", () => {
  const asked = {
    scope: 'repository:app:pull',
    batch: false,
    withCredentials: false,
    realm: 'https://auth.example/token',
    service: 'registry.example',
  };
  const token = async (status: number, welcome: HttpResponse[], extra: Partial<typeof asked> = {}) => {
    const { transport: stand, sent: probes } = transport({ token: welcome });
    const refusals = new Refusals({ transport: stand });
    const error = await refusals.tokenRefusal(REGISTRY, answer(status), { ...asked, ...extra });
    return { error, probes };
  };

  test.each([
    ['403, a token without a scope is given to the same client', 403, [answer(200)], {}, 'denied', 1],
    ['401, a token without a scope is refused too', 401, [answer(401)], {}, 'unauthorized', 1],
    ['406 (Artifactory without anonymous access), refused too', 406, [answer(406)], {}, 'unauthorized', 1],
    ['400 (Nexus, bad credentials), refused too', 400, [answer(400)], {}, 'unauthorized', 1],
    [
      '403 to a batch: nothing said of one repository',
      403,
      [answer(200)],
      { batch: true },
      'unauthorized',
      0,
    ],
    [
      '403 to an identity token: not asked again without it',
      403,
      [answer(200)],
      { withCredentials: true },
      'unauthorized',
      0,
    ],
    ['429', 429, [], {}, 'rate-limited', 0],
    ['404 (a wrong realm)', 404, [], {}, 'http', 0],
    ['500', 500, [], {}, 'http', 0],
  ])('%s → %s', async (_, status, welcome, extra, code, probeCount) => {
    const { error, probes } = await token(status, [...welcome], extra);
    expect(error?.code).toBe(code);
    expect(probes).toHaveLength(probeCount);
  });

  test('a 200 is no refusal', async () => {
    expect((await token(200, [])).error).toBeUndefined();
  });

  test('a welcome probe still rate-limited is the line’s failure and is asked again', async () => {
    const { transport: stand, sent: probes } = transport({ token: [answer(429), answer(200)] });
    const refusals = new Refusals({ transport: stand });
    const first = await refusals.tokenRefusal(REGISTRY, answer(403), asked).catch((error: unknown) => error);
    expect((first as RegistryError).code).toBe('rate-limited');
    expect((await refusals.tokenRefusal(REGISTRY, answer(403), asked))?.code).toBe('denied');
    expect(probes).toHaveLength(2);
  });
});

describe('reasonForError: every error code has its reason, on each side', () => {
  const codes: [RegistryErrorCode, string, string][] = [
    ['denied', 'source-missing', 'destination-missing'],
    ['unauthorized', 'auth', 'auth'],
    ['forbidden', 'auth', 'auth'],
    ['rate-limited', 'rate-limited', 'rate-limited'],
    ['timeout', 'timeout', 'timeout'],
    ['tls', 'tls', 'tls'],
    ['digest-mismatch', 'integrity', 'integrity'],
    ['invalid-manifest', 'invalid-manifest', 'invalid-manifest'],
    ['too-large', 'invalid-manifest', 'invalid-manifest'],
    ['not-found', 'unreachable', 'unreachable'],
    ['network', 'unreachable', 'unreachable'],
    ['http', 'unreachable', 'unreachable'],
  ];
  test.each(codes)('%s → %s / %s', (code, source, destination) => {
    const error = new RegistryError(code, REGISTRY, 'x');
    expect(reasonForError(error, 'source')).toBe(source);
    expect(reasonForError(error, 'destination')).toBe(destination);
  });

  test('anything that is not a registry error is unreachable', () => {
    expect(reasonForError(new Error('boom'), 'source')).toBe('unreachable');
    expect(reasonForError('text', 'destination')).toBe('unreachable');
  });
});
