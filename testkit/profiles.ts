// Registry profiles: how each registry our users run answers, as its documentation and the issue trackers of
// tools that talk to it record it. front.ts acts a profile out before a real distribution registry. Every rule
// names its source; where none was found the profile says "unconfirmed" and uses distribution's own answer.

/** What the registry answers in one case: status, JSON error code and message (`{name}`, `{reference}`). */
export interface ProfileAnswer {
  status: number;
  code: string;
  message: string;
  /** A 401 whose challenge also says `error="insufficient_scope"` (Docker Hub). */
  insufficientScope?: boolean;
  /** An HTML page instead of a JSON error. */
  body?: 'html';
}

export type ProfileAuth =
  | {
      scheme: 'bearer';
      /** Path of the token service; on the registry's host unless realmOnOtherHost. */
      realmPath: string;
      realmOnOtherHost: boolean;
      /** The service parameter; `{host}` is the registry's host, `realm` the realm URL itself (Nexus). */
      service?: string;
      scopeInChallenge: boolean;
      tokenField: 'token' | 'access_token' | 'both';
      expiresIn?: number;
      issuedAt?: boolean;
      jwt: boolean;
      /** Exchanges an identity (refresh) token by OAuth2 POST, as ACR does. */
      refreshTokens: boolean;
      /** What the token service does with wrong Basic credentials. */
      wrongCredentials: 'refused' | 'empty-token';
      /** The status of a token request without credentials where anonymous pulls are off (default 401). */
      anonymousTokenStatus?: number;
      /** The token service's answer for a repository the client may not read or that does not exist. */
      scopeRefusal?: { anonymous?: ProfileAnswer; withCredentials?: ProfileAnswer };
    }
  | { scheme: 'basic'; /** The challenge, `{host}` the registry's host. */ challenge: string };

export interface RegistryProfile {
  name: string;
  title: string;
  auth: ProfileAuth;
  /** Anonymous clients get tokens and may pull public repositories. */
  anonymous: boolean;
  /** GET /v2/ answers 200 to an anonymous token (Docker Hub) rather than 401 (Harbor: the subject must be set). */
  anonymousBase?: boolean;
  /** The challenge sent instead when a refused request carried an Authorization header (Harbor). */
  basicChallengeAfterRefusal?: string;
  /** A path before the repository name: Artifactory's repository key, GitLab's group and project. */
  pathPrefix?: string;
  missingRepository: ProfileAnswer;
  missingTag: ProfileAnswer;
  /** A repository that exists but that the credentials may not read. */
  forbidden: ProfileAnswer;
  digestOnHead: boolean;
  digestOnGet: boolean;
  /** Blob GETs and HEADs are redirected, with this status, to another host that refuses Authorization. */
  blobRedirect?: 302 | 307;
  /** Headers on every registry answer (rate limits, server identification). */
  headers?: Record<string, string>;
  /** Test credentials as the registry's users have them. */
  user: { username: string; password: string; identityToken?: string };
  /** Where each behaviour was found, and what stays unconfirmed. */
  sources: string[];
}

const unauthorized = (insufficientScope = false): ProfileAnswer => ({
  status: 401,
  code: 'UNAUTHORIZED',
  message: 'authentication required',
  insufficientScope,
});
const manifestUnknown: ProfileAnswer = { status: 404, code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' };
const nameUnknown: ProfileAnswer = {
  status: 404,
  code: 'NAME_UNKNOWN',
  message: 'repository name not known to registry',
};

/** Artifact Registry answers a missing and a forbidden repository alike (see the gar profile's sources). */
const garDenied: ProfileAnswer = {
  status: 403,
  code: 'DENIED',
  message:
    'Permission "artifactregistry.repositories.downloadArtifacts" denied on resource "projects/p/locations/l/repositories/{name}" (or it may not exist)',
};

const HARBOR = {
  auth: {
    scheme: 'bearer',
    realmPath: '/service/token',
    realmOnOtherHost: false,
    service: 'harbor-registry',
    scopeInChallenge: true,
    tokenField: 'token',
    jwt: true,
    refreshTokens: false,
    wrongCredentials: 'empty-token',
  },
  anonymous: true,
  anonymousBase: false,
  basicChallengeAfterRefusal: 'Basic realm="harbor"',
  missingRepository: unauthorized(),
  missingTag: manifestUnknown,
  forbidden: {
    status: 401,
    code: 'UNAUTHORIZED',
    message: 'unauthorized to access repository: {name}, action: pull',
  },
  digestOnHead: true,
  digestOnGet: true,
} satisfies Partial<RegistryProfile>;

export const PROFILES: RegistryProfile[] = [
  {
    name: 'docker-hub',
    title: 'Docker Hub',
    auth: {
      scheme: 'bearer',
      realmPath: '/token',
      realmOnOtherHost: true,
      service: 'registry.docker.io',
      scopeInChallenge: true,
      tokenField: 'both',
      expiresIn: 300,
      issuedAt: true,
      jwt: true,
      refreshTokens: false,
      wrongCredentials: 'refused',
    },
    anonymous: true,
    anonymousBase: true,
    missingRepository: unauthorized(true),
    missingTag: manifestUnknown,
    forbidden: unauthorized(true),
    digestOnHead: true,
    digestOnGet: true,
    blobRedirect: 307,
    headers: {
      'ratelimit-limit': '100;w=21600',
      'ratelimit-remaining': '99;w=21600',
      'docker-ratelimit-source': '203.0.113.7',
    },
    user: { username: 'mirrorbot', password: 'dckr_pat_Hub-Secret3' },
    sources: [
      'challenge Bearer realm="https://auth.docker.io/token",service="registry.docker.io" (+ scope on repository endpoints): deitch/docker_registry2#14-style transcripts, jupyterhub/binderhub#993, distribution/distribution#1203',
      'token by GET, anonymous allowed, JSON with token and access_token (JWT), expires_in 300, issued_at: docker/hub-feedback#2094, jupyterhub/binderhub#993',
      'the token service always issues a token, with empty access for a missing or private repository: docker/hub-feedback#1771, distribution/distribution#1203',
      'missing and private repository alike: 401 UNAUTHORIZED, error="insufficient_scope" once a token is shown: jupyterhub/binderhub#1664, hashicorp/terraform-provider-docker#140, distribution/distribution#2624',
      'missing tag: 404 MANIFEST_UNKNOWN "manifest unknown": docker/kitematic#5373; the exact JSON body on Hub unconfirmed',
      'HEAD carries Docker-Content-Digest and does not count as a pull: docker/docs content/manuals/docker-hub/usage/pulls.md, containers/image#1078',
      'ratelimit-limit / ratelimit-remaining "N;w=21600" and docker-ratelimit-source on manifest answers: docker/docs pulls.md',
      'blob GET 307 to production.cloudflare.docker.com: docker/hub-feedback#2218',
      'GET /v2/ with an anonymous token answers 200: unconfirmed (distribution behaviour assumed)',
    ],
  },
  {
    name: 'ghcr',
    title: 'GitHub Container Registry (ghcr.io)',
    auth: {
      scheme: 'bearer',
      realmPath: '/token',
      realmOnOtherHost: false,
      service: 'ghcr.io',
      scopeInChallenge: true,
      tokenField: 'token',
      jwt: false,
      refreshTokens: false,
      wrongCredentials: 'refused',
      scopeRefusal: { anonymous: unauthorized() },
    },
    anonymous: true,
    anonymousBase: true,
    missingRepository: { status: 401, code: 'DENIED', message: 'requested access to the resource is denied' },
    missingTag: manifestUnknown,
    forbidden: { status: 403, code: 'DENIED', message: 'requested access to the resource is denied' },
    digestOnHead: true,
    digestOnGet: true,
    blobRedirect: 307,
    user: { username: 'mirror-bot', password: 'ghp_GhcrPersonalAccessToken4' },
    sources: [
      'challenge Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:<owner>/<image>:pull": github/dependabot-action#131 and client transcripts',
      'token {"token": opaque}, no expires_in, not a JWT: oras-project/rust-oci-client#6, radius-project/radius#12623',
      'anonymous token refused (401) for a private or never-published package, granted for a public one: openai/tunnel-client#75',
      'missing package with a token: DENIED "requested access to the resource is denied" (bytecodealliance/wasm-pkg-tools#40), HTTP 401 on HEAD (crazy-max/diun#660)',
      'private package not granted to the PAT: 403 on HEAD: oblien/openship#255',
      'missing tag: 404 manifest unknown: Substra/substra-frontend#102',
      'blobs 307 to another host (S3 then, pkg-containers.githubusercontent.com now): containerd/stargz-snapshotter#167; the current status code unconfirmed',
      'Basic credentials on /v2/ are answered DENIED "invalid token" without a challenge (renovatebot/renovate#11446): not acted out',
      'no rate-limit headers; 429 "toomanyrequests: retry-after: …" in the message: falcosecurity/plugins#1069 (not acted out)',
    ],
  },
  {
    name: 'quay',
    title: 'Quay (quay.io)',
    auth: {
      scheme: 'bearer',
      realmPath: '/v2/auth',
      realmOnOtherHost: false,
      service: 'quay.io',
      scopeInChallenge: false,
      tokenField: 'token',
      jwt: true,
      refreshTokens: false,
      wrongCredentials: 'refused',
    },
    anonymous: true,
    anonymousBase: true,
    missingRepository: {
      status: 401,
      code: 'UNAUTHORIZED',
      message: 'access to the requested resource is not authorized',
    },
    missingTag: manifestUnknown,
    forbidden: {
      status: 401,
      code: 'UNAUTHORIZED',
      message: 'access to the requested resource is not authorized',
    },
    digestOnHead: true,
    digestOnGet: true,
    user: { username: 'org+mirror_robot', password: 'QUAYROBOTTOKEN5ABCDEFGHIJ' },
    sources: [
      'realm https://quay.io/v2/auth (quay/claircore#879), no scope in the challenge (OctopusDeploy/Issues#5076); service="quay.io" from client code, unconfirmed in a transcript',
      'token by GET with Basic (robot accounts org+name), a JWT: quay/mirror-registry#71; field names and expires_in unconfirmed (token, none used)',
      'anonymous public pulls: quay/quay#6576',
      'missing repository in an existing organisation: 401 UNAUTHORIZED "access to the requested resource is not authorized": openshift/oc-mirror#273',
      'private repository without rights: the same 401: openshiftio/saas-openshiftio#1207',
      'missing tag: 404 manifest unknown: docker-hy/docker-hy.github.io#75',
      'manifest HEAD digest header, rate limits and blob redirects: unconfirmed',
    ],
  },
  {
    name: 'gitlab',
    title: 'GitLab container registry',
    auth: {
      scheme: 'bearer',
      realmPath: '/jwt/auth',
      realmOnOtherHost: true,
      service: 'container_registry',
      scopeInChallenge: true,
      tokenField: 'token',
      jwt: true,
      refreshTokens: false,
      wrongCredentials: 'refused',
      scopeRefusal: { withCredentials: { status: 403, code: 'DENIED', message: 'access forbidden' } },
    },
    anonymous: true,
    anonymousBase: true,
    pathPrefix: 'group/subgroup/project/',
    missingRepository: unauthorized(true),
    missingTag: manifestUnknown,
    forbidden: unauthorized(true),
    digestOnHead: true,
    digestOnGet: true,
    blobRedirect: 307,
    user: { username: 'gitlab-ci-token', password: 'glpat-GitLabDeployToken6' },
    sources: [
      'challenge Bearer realm="https://gitlab.com/jwt/auth",service="container_registry" on another host than the registry: deitch/docker_registry2#14; scope on repository endpoints and deep paths (group/…/image): dotnet/sdk-container-builds#284',
      'the token service is GitLab itself (issuer omnibus-gitlab-issuer, a JWT): mkuchin/docker-registry-web#95',
      'the token service answers 403 for a project the credentials may not read ("denied: access forbidden"): GitLab docs "Container registry authentication flow"; for a project that does not exist: unconfirmed (403 assumed)',
      'missing repository answered at the registry: unconfirmed (distribution behaviour, 401 insufficient_scope, used)',
      'blobs 307 to pre-signed object storage: GitLab docs (container registry storage); rate limits unconfirmed',
    ],
  },
  {
    name: 'harbor',
    title: 'Harbor',
    ...HARBOR,
    user: { username: 'robot$mirror+ci', password: 'harbor-robot-Secret1' },
    sources: [
      'challenge Bearer realm="<host>/service/token",service="harbor-registry",scope=…; Basic realm="harbor" when the request carried an Authorization header: goharbor/harbor src/server/middleware/v2auth/auth.go getChallenge',
      'GET /v2/ needs an authenticated subject (token with a name): v2auth/auth.go check (login target), src/common/security/v2token IsAuthenticated',
      'token by GET with Basic only, JSON {"token": JWT}: goharbor/harbor#9317, #20930; expires_in unconfirmed (not sent here)',
      'wrong credentials still get a 200 token without access: goharbor/harbor#20930',
      'missing repository: 401 UNAUTHORIZED "authentication required": goharbor/harbor#22363, #966',
      'missing tag: 404 (goharbor/harbor#22363), MANIFEST_UNKNOWN body (goharbor/harbor#12713)',
      'no permission: 401 "unauthorized to access repository: <name>, action: pull": v2auth/auth.go, goharbor/harbor#18895',
      'robot accounts named robot$<project>+<name>: goharbor/harbor#13982',
      'blob redirect to S3 when storage redirect is on (goharbor/harbor#13037): not in this profile; see ecr',
    ],
  },
  {
    name: 'harbor-proxy-cache',
    title: 'Harbor proxy-cache project',
    ...HARBOR,
    pathPrefix: 'dockerhub-proxy/',
    missingTag: {
      status: 404,
      code: 'NOT_FOUND',
      message: 'resource not found: repo {name}, tag {reference} not found',
    },
    user: { username: 'robot$dockerhub-proxy+ci', password: 'harbor-proxy-Secret2' },
    sources: [
      'as harbor, with the project as a path before the upstream name (docs: goharbor.io "Configure proxy cache")',
      'missing tag: 404 with the non-standard code NOT_FOUND "resource not found: repo …, tag … not found": goharbor/harbor#20764',
      'missing repository in a proxy project: 401 UNAUTHORIZED even with a token: goharbor/harbor#22363',
      'unconfirmed: a blob HEAD of a not yet cached blob answers 404 (goharbor/harbor#22609) is not acted out',
    ],
  },
  {
    name: 'ecr',
    title: 'Amazon ECR',
    auth: { scheme: 'basic', challenge: 'Basic realm="https://{host}/",service="ecr.amazonaws.com"' },
    anonymous: false,
    missingRepository: {
      status: 404,
      code: 'NAME_UNKNOWN',
      message: "The repository with name '{name}' does not exist in the registry with id '123456789012'",
    },
    missingTag: manifestUnknown,
    forbidden: {
      status: 403,
      code: 'DENIED',
      message:
        'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:BatchGetImage on resource: {name}',
    },
    digestOnHead: true,
    digestOnGet: false,
    blobRedirect: 307,
    headers: {},
    user: { username: 'AWS', password: 'eyJwYXlsb2FkIjoiZWNyLWxvZ2luLXBhc3N3b3JkIn0=' },
    sources: [
      'Basic challenge realm="https://<acct>.dkr.ecr.<region>.amazonaws.com/",service="ecr.amazonaws.com": mayflower/docker-ls#28',
      'user AWS and the output of aws ecr get-login-password (12 h): anchore/anchore-engine#110, swarmpit/swarmpit#236',
      'missing repository: NAME_UNKNOWN "The repository with name … does not exist in the registry with id …": aws-actions/amazon-ecr-login#202; status 404 unconfirmed',
      'no permission: 403 DENIED "… is not authorized to perform: ecr:BatchGetImage …": AWS ECR user guide common-errors; bottlerocket-os/bottlerocket-update-operator#157',
      'missing tag: MANIFEST_UNKNOWN unconfirmed (distribution default used)',
      'Docker-Content-Digest on HEAD, absent on GET of a manifest: ChangemakerStudios/Docker.Registry.DotNet#34, hashicorp/terraform-provider-docker#186',
      'layers served from an S3 bucket (awsdocs/amazon-ecr-user-guide#24); the redirect status 307 is unconfirmed',
      'rate limit 429 TOOMANYREQUESTS "Rate exceeded": AWS ECR user guide common-errors (not acted out here; see the reliability tests)',
    ],
  },
  {
    name: 'gar',
    title: 'Google Artifact Registry',
    auth: {
      scheme: 'bearer',
      realmPath: '/v2/token',
      realmOnOtherHost: false,
      service: '{host}',
      scopeInChallenge: true,
      tokenField: 'token',
      jwt: false,
      refreshTokens: false,
      wrongCredentials: 'refused',
    },
    anonymous: false,
    missingRepository: garDenied,
    missingTag: { status: 404, code: 'MANIFEST_UNKNOWN', message: 'Failed to fetch "{reference}"' },
    forbidden: garDenied,
    digestOnHead: true,
    digestOnGet: true,
    blobRedirect: 302,
    user: {
      username: '_json_key',
      password:
        '{"type": "service_account", "project_id": "p", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIB:x\\n-----END PRIVATE KEY-----\\n", "client_email": "ci@p.iam.gserviceaccount.com"}',
    },
    sources: [
      'challenge Bearer realm="https://<region>-docker.pkg.dev/v2/token",service="<region>-docker.pkg.dev",scope=…: apple/container#2274, docker/setup-buildx-action#79',
      'users oauth2accesstoken (an access token) and _json_key (the key JSON as password): GoogleCloudPlatform/docker-credential-gcr#133, Dokploy/dokploy#3935',
      'missing and forbidden repository alike: 403 DENIED "Permission … denied on resource … (or it may not exist)": terraform-google-modules/terraform-google-kubernetes-engine#1779',
      'missing tag: MANIFEST_UNKNOWN "Failed to fetch …": firezone/firezone#10484; status 404 unconfirmed',
      'blob GET answered 302 to /artifacts-downloads/… (same host there; another host here): ahmetb/serverless-registry-proxy#8',
      'token response fields and JWT or not: unconfirmed (token, opaque used)',
    ],
  },
  {
    name: 'gcr',
    title: 'Google Container Registry (gcr.io)',
    auth: {
      scheme: 'bearer',
      realmPath: '/v2/token',
      realmOnOtherHost: false,
      service: 'gcr.io',
      scopeInChallenge: false,
      tokenField: 'token',
      jwt: false,
      refreshTokens: false,
      wrongCredentials: 'refused',
    },
    anonymous: true,
    anonymousBase: true,
    missingRepository: { status: 404, code: 'NAME_UNKNOWN', message: 'Repository "{name}" not found' },
    missingTag: manifestUnknown,
    forbidden: {
      status: 403,
      code: 'DENIED',
      message: "Failed to read tags for host 'gcr.io', repository '{name}'",
    },
    digestOnHead: true,
    digestOnGet: true,
    user: { username: 'oauth2accesstoken', password: 'ya29.GcrAccessToken7' },
    sources: [
      'challenge Bearer realm="https://gcr.io/v2/token",service="gcr.io" with no scope, even on repository endpoints: davedoesdev/dxf#28, containerd/containerd#1465',
      'token by GET with Basic oauth2accesstoken:<access token> or _json_key:<key JSON>, answer {"token"}: GoogleCloudPlatform/docker-credential-gcr#133; JWT or not unconfirmed',
      'missing repository: 404 NAME_UNKNOWN "Repository … not found": firebase/firebase-tools#7431',
      'no permission: DENIED "Failed to read tags for host …": GoogleCloudPlatform/gcr-cleaner#131; status 403 assumed',
      'some paths answer HTML 403/404 pages (crazy-max/diun#1334): not acted out here; registry/units tests cover an HTML answer',
    ],
  },
  {
    name: 'acr',
    title: 'Azure Container Registry',
    auth: {
      scheme: 'bearer',
      realmPath: '/oauth2/token',
      realmOnOtherHost: false,
      service: '{host}',
      scopeInChallenge: true,
      tokenField: 'access_token',
      jwt: true,
      refreshTokens: true,
      wrongCredentials: 'refused',
    },
    anonymous: false,
    missingRepository: unauthorized(),
    missingTag: {
      status: 404,
      code: 'MANIFEST_UNKNOWN',
      message: 'manifest tagged by "{reference}" is not found',
    },
    forbidden: unauthorized(),
    digestOnHead: true,
    digestOnGet: true,
    blobRedirect: 307,
    user: {
      username: '00000000-0000-0000-0000-000000000000',
      password: 'acr-refresh-token-as-password',
      identityToken: 'acr-refresh-token-eyJhbGciOi',
    },
    sources: [
      'challenge Bearer realm="https://<name>.azurecr.io/oauth2/token",service="<name>.azurecr.io": Azure/acr#207, bazelbuild/rules_docker#1193',
      'POST /oauth2/token grant_type=refresh_token&service&scope&refresh_token → {"access_token": JWT}; GET with Basic also answers access_token: Azure/acr docs/AAD-OAuth.md',
      'identity token after az acr login, username 00000000-0000-0000-0000-000000000000: Azure/acr docs/AAD-OAuth.md; google/go-containerregistry#421',
      'missing tag with a scoped token: 404 MANIFEST_UNKNOWN "manifest tagged by … is not found": Azure/azure-sdk-for-net#34525',
      'missing repository shows "unauthorized: authentication required" even when logged in: Azure/acr#359, Azure/AKS#4052; the status (401) is inferred',
      'no permission: status unconfirmed (401 used, as for a missing repository)',
      'blobs redirected to Azure storage, which answers 400 InvalidAuthenticationInfo when Authorization is forwarded: Azure/acr#217; status 307 unconfirmed',
      'expires_in: unconfirmed (not sent here)',
    ],
  },
  {
    name: 'artifactory',
    title: 'JFrog Artifactory',
    auth: {
      scheme: 'bearer',
      realmPath: '/artifactory/api/docker/docker-local/v2/token',
      realmOnOtherHost: false,
      service: '{host}',
      scopeInChallenge: true,
      tokenField: 'token',
      jwt: false,
      refreshTokens: false,
      wrongCredentials: 'refused',
      anonymousTokenStatus: 406,
    },
    anonymous: false,
    pathPrefix: 'docker-local/',
    missingRepository: {
      status: 404,
      code: 'NAME_UNKNOWN',
      message: 'Repository name not known to registry.',
    },
    missingTag: {
      status: 404,
      code: 'MANIFEST_UNKNOWN',
      message: 'The named manifest is not known to the registry.',
    },
    forbidden: {
      status: 403,
      code: 'UNAUTHORIZED',
      message:
        "The client does not have permission for manifest: Download request for repo:path '{name}' is forbidden",
    },
    digestOnHead: true,
    digestOnGet: true,
    headers: { 'x-jfrog-version': 'Artifactory/7.77.5', 'x-artifactory-id': 'front' },
    user: { username: 'ci-reader', password: 'cmVmdGtuOjAxOjE3:Artifactory-identity' },
    sources: [
      'repository-path style host/<repo-key>/<image>: earthly/earthly#1017, renovatebot/renovate#5894',
      'challenge realm="https://<host>/artifactory/api/docker/<repo-key>/v2/token",service="<host>",scope=…: containerd/containerd#6339, earthly/earthly#1017',
      'token by GET with Basic; anonymous token request answered 406 when anonymous access is off: swarmpit/swarmpit#266; the token is not a JWT: replicatedhq/kots#709',
      'missing tag: 404 MANIFEST_UNKNOWN "The named manifest is not known to the registry.": jetstack/version-checker#318',
      'no permission: 403 with code UNAUTHORIZED "The client does not have permission for manifest …": sigstore/cosign#2973, google/go-containerregistry#1691',
      'missing repository: body unconfirmed (404 NAME_UNKNOWN used); token response field names unconfirmed',
    ],
  },
  {
    name: 'nexus',
    title: 'Sonatype Nexus Repository 3',
    auth: { scheme: 'basic', challenge: 'BASIC realm="Sonatype Nexus Repository Manager"' },
    anonymous: false,
    missingRepository: nameUnknown,
    missingTag: manifestUnknown,
    forbidden: { status: 403, code: 'DENIED', message: 'requested access to the resource is denied' },
    digestOnHead: false,
    digestOnGet: true,
    headers: { server: 'Nexus/3.80.0-06 (COMMUNITY)' },
    user: { username: 'ci', password: 'nexus:with:colons' },
    sources: [
      'each Docker repository on its own connector port at the root: sonatype/nexus-book#103',
      'challenge BASIC realm="Sonatype Nexus Repository Manager" (upper case) unless the Bearer token realm is on: sonatype/nexus-public#921, #651',
      'HEAD without Docker-Content-Digest in some versions: distribution/distribution#3848, #3849',
      'missing repository, missing tag and no permission: codes unconfirmed (distribution defaults and DENIED used)',
      'not acted out: some versions answer HEAD of an existing manifest 404 (crazy-max/diun#1614), which no client can tell from absence',
    ],
  },
];

export const profileByName = (name: string): RegistryProfile => {
  const found = PROFILES.find((profile) => profile.name === name);
  if (!found) throw new Error(`no registry profile ${name}`);
  return found;
};
