import { authenticate, authenticateProtected, authKind, requireMfaToken } from '../auth.js';
import { API_VERSION } from '../constants.js';
import { invalidInput, notFound } from '../errors.js';
import { paginate, parseJsonBody, parsePage, type JsonResponse } from '../http.js';
import type { Route, RouteContext } from '../router.js';
import type { ApplicationRecord } from '../state.js';
import type { UserRecord } from '../users.js';

function userToJson(user: UserRecord): Record<string, unknown> {
  return { id: user.id, email: user.email, roles: user.roles, mfa: { enabled: user.mfa.enabled } };
}

/** Reads `select`, a JSON array of top-level field names. Undefined when absent. */
function readSelect(query: URLSearchParams): string[] | undefined {
  const raw = query.get('select');
  if (raw === null) {
    return undefined;
  }
  let fields: unknown;
  try {
    fields = JSON.parse(raw) as unknown;
  } catch {
    fields = undefined;
  }
  if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string')) {
    throw invalidInput({ select: 'expected a JSON array of field names, such as ["user"]' });
  }
  return fields as string[];
}

/**
 * `GET /status`: public without credentials. With credentials they must be valid and, for a
 * user with MFA on, come with a valid `X-API-MFA`, and the response then includes `user`.
 */
async function getStatus(context: RouteContext): Promise<JsonResponse> {
  const select = readSelect(context.query);
  const status: Record<string, unknown> = {
    version: API_VERSION,
    cloud: false,
    maintenance: false,
    capabilities: { reset_password: false, invite_user: false, send_email: false, ldap: false },
  };
  if (authKind(context.req) !== 'none') {
    const { user } = await authenticate(context.state, context.req);
    requireMfaToken(context.req, user);
    status['user'] = userToJson(user);
  }
  if (select === undefined) {
    return { status: 200, body: status };
  }
  return {
    status: 200,
    body: Object.fromEntries(Object.entries(status).filter(([key]) => select.includes(key))),
  };
}

function applicationToJson(application: ApplicationRecord, owner: UserRecord) {
  return {
    id: application.id,
    name: application.name,
    created_at: new Date(application.createdAtMs).toISOString(),
    created_by: { id: owner.id, email: owner.email },
  };
}

async function findOwnApplication(context: RouteContext) {
  const { user } = await authenticateProtected(context.state, context.req);
  const id = context.params['id'] ?? '';
  const application = context.state.applications.find(
    (item) => String(item.id) === id && item.ownerId === user.id,
  );
  if (application === undefined) {
    throw notFound();
  }
  return { user, application };
}

/** `GET /status` and the `/applications` resources of each user. */
export const resourceRoutes: Route[] = [
  { method: 'GET', pattern: '/status', handler: getStatus },
  {
    method: 'GET',
    pattern: '/applications',
    handler: async (context) => {
      const page = parsePage(context.query);
      const { user } = await authenticateProtected(context.state, context.req);
      const own = context.state.applications.filter((item) => item.ownerId === user.id);
      return paginate(
        own.map((item) => applicationToJson(item, user)),
        page,
      );
    },
  },
  {
    method: 'POST',
    pattern: '/applications',
    handler: async (context) => {
      const { user } = await authenticateProtected(context.state, context.req);
      const body = parseJsonBody(context.body);
      const input =
        typeof body === 'object' && body !== null
          ? (body as Record<string, unknown>)['application']
          : undefined;
      const name =
        typeof input === 'object' && input !== null
          ? (input as Record<string, unknown>)['name']
          : undefined;
      if (typeof name !== 'string' || name.trim() === '') {
        throw invalidInput({ name: 'expected a non-empty string in {"application":{"name"}}' });
      }
      const application = context.state.addApplication(user.id, name);
      return { status: 200, body: applicationToJson(application, user) };
    },
  },
  {
    method: 'GET',
    pattern: '/applications/:id',
    handler: async (context) => {
      const { user, application } = await findOwnApplication(context);
      return { status: 200, body: applicationToJson(application, user) };
    },
  },
  {
    method: 'DELETE',
    pattern: '/applications/:id',
    handler: async (context) => {
      const { application } = await findOwnApplication(context);
      const applications = context.state.applications;
      applications.splice(applications.indexOf(application), 1);
      return { status: 200, body: { id: application.id } };
    },
  },
];
