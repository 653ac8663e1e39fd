// The administrators' API behind the tab's admin view: the program overview, the renewals coming up,
// the review queue with its decisions, and the member search. Every route checks on every call that the
// signed-in user is in ADMINS (tab-auth.ts); decisions go through the same use case as the /review card,
// which also writes the member's notice to the outbox for the notification loop to deliver.
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { Catalog } from '../core/catalog.js';
import { choosesDays, choosesPoints } from '../core/chosen-inputs.js';
import { pendingClaims, type Claim } from '../core/claims.js';
import { checkExportRequest, EXPORT_CONTENT_TYPES, exportFileName, type ExportRequest } from '../core/exports.js';
import { MAX_DAYS } from '../core/ledger.js';
import { programOverview, renewalsDue, RENEWAL_WINDOW_DAYS, searchMembers } from '../core/overview.js';
import { parseWhen } from '../core/time.js';
import { approveClaim, rejectClaim, type DecisionProblem } from '../services/claims.js';
import { ExportAbortedError, writeExport } from '../services/exports.js';
import type { Caller } from '../services/context.js';
import type { State } from '../store/state.js';
import type { PointsStore } from '../store/contract.js';
import { meSummary } from './me-summary.js';
import type { SignedInUser } from './sso.js';
import type { TabAuth } from './tab-auth.js';

export interface AdminRoutesDeps {
  store: PointsStore;
  catalog: Catalog;
  log: Logger;
  now: () => number;
  auth: TabAuth;
  reminderDays: readonly number[];
}

/** Members a search answers with at most. */
export const SEARCH_LIMIT = 20;
const MAX_QUERY = 100;
const MAX_CLAIM_ID = 200;
const MAX_REASON = 500;

export interface QueueClaim {
  id: string;
  kind: 'action' | 'attendance';
  /** The session's title (attendance) or the action's. */
  title: string;
  action: string;
  member: { id: string; name: string; email: string | null };
  submittedAt: string;
  dates: string[];
  evidence?: string;
  details?: string;
  role?: 'trainer' | 'participant';
  attendees?: string[];
  /** What the reviewer chooses on approval, as the review card asks it. */
  choose: { points?: { min?: number; max?: number }; days?: { min: number; max: number; default: number } };
}

function queueClaim(catalog: Catalog, state: State, claim: Claim): QueueClaim {
  const rule = catalog.byId.get(claim.action);
  const submitter = state.member(claim.submittedBy);
  return {
    id: claim.id,
    kind: claim.kind,
    title: claim.kind === 'attendance' && claim.title ? claim.title : (rule?.title ?? claim.action),
    action: claim.action,
    member: { id: claim.submittedBy, name: submitter?.name ?? claim.submittedBy, email: submitter?.email ?? null },
    submittedAt: claim.submittedAt,
    dates: claim.dates,
    ...(claim.evidence !== undefined && { evidence: claim.evidence }),
    ...(claim.details !== undefined && { details: claim.details }),
    ...(claim.role !== undefined && { role: claim.role }),
    ...(claim.attendees?.length && { attendees: claim.attendees }),
    choose: {
      // A split rule without a pool may leave either bound open (the catalog's own check then applies).
      ...(choosesPoints(rule) && { points: { ...(rule.min !== undefined && { min: rule.min }), ...(rule.max !== undefined && { max: rule.max }) } }),
      ...(choosesDays(rule, claim.kind) && { days: { min: 1, max: MAX_DAYS, default: claim.dates.length } }),
    },
  };
}

const approveBody = z.strictObject({ points: z.int().optional(), days: z.int().optional() });
const rejectBody = z.strictObject({ reason: z.string().max(MAX_REASON) });

/** The request's query parameters (the server has no query parser: the body parser alone is installed). */
const queryOf = (req: Request) => new URL(req.url ?? '/', 'http://localhost').searchParams;

// Answers return nothing: restify warns about any value an async handler returns.
function badRequest(res: Response, error: string): void {
  res.send(400, { code: 'bad-request', error });
}

export function addAdminRoutes(server: Server, deps: AdminRoutesDeps): void {
  const { store, catalog, log, now, auth } = deps;

  /** The instant of `?at=` (a date: its end in the program time zone, as the CLI's --at), else now; null once a 400 is sent. */
  function instantOf(req: Request, res: Response): number | null {
    const when = queryOf(req).get('at');
    if (when === null || when === '') return now();
    const at = when.length <= 40 ? parseWhen(when, catalog.timeZone) : null;
    if (at === null) badRequest(res, 'Give "at" as a date (2026-11-23) or an instant with its offset (2026-11-23T12:00:00Z).');
    return at;
  }

  /** The JSON body of a decision; null once a 400 or 415 is sent. A request without a body is an empty object. */
  function bodyOf(req: Request, res: Response): Record<string, unknown> | null {
    const announced = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!announced) return {};
    if (!req.is('application/json')) {
      res.send(415, { code: 'unsupported-media-type', error: 'Send the body as JSON (Content-Type: application/json).' });
      return null;
    }
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      badRequest(res, 'Send the body as a JSON object.');
      return null;
    }
    return body as Record<string, unknown>;
  }

  /** An administrator's decision on the claim in the path, with its JSON body; null once a refusal is sent. */
  async function decisionRequest(req: Request, res: Response): Promise<{ user: SignedInUser; id: string; body: Record<string, unknown> } | null> {
    const user = await auth.admin(req, res);
    if (!user) return null;
    const id = String(req.params.id ?? '');
    if (id.length === 0 || id.length > MAX_CLAIM_ID) {
      badRequest(res, 'That is not a claim id.');
      return null;
    }
    const body = bodyOf(req, res);
    return body && { user, id, body };
  }

  const callerOf = (user: SignedInUser): Caller => {
    const member = store.state.member(user.id);
    return { userId: user.id, name: member?.name ?? '', isAdmin: true, ...(member && { member }) };
  };

  /** A refused decision: nothing was changed, and the answer says why. */
  function refused(res: Response, id: string, problem: DecisionProblem, not: string): void {
    if (!('claim' in problem)) {
      if (problem.code === 'UNKNOWN_CLAIM') res.send(404, { code: problem.code, error: `No claim with id "${id}". Nothing was changed.` });
      else res.send(403, { code: 'not-admin', error: 'Only the program’s administrators can use this.' });
      return;
    }
    const { claim } = problem;
    if (problem.code === 'ALREADY_DECIDED') {
      const reviewer = claim.decidedBy ? (store.state.member(claim.decidedBy)?.name ?? claim.decidedBy) : 'an administrator';
      res.send(409, {
        code: problem.code,
        error: `Claim ${claim.id} was already ${claim.status} by ${reviewer} on ${claim.decidedAt?.slice(0, 10)}. Nothing was changed.`,
        claim: { id: claim.id, status: claim.status, decidedBy: claim.decidedBy, decidedAt: claim.decidedAt },
      });
      return;
    }
    res.send(400, { code: problem.code, error: `${not}: ${problem.message}. Nothing was changed.` });
  }

  server.get('/api/admin/overview', async (req, res) => {
    if (!(await auth.admin(req, res))) return;
    const at = instantOf(req, res);
    if (at === null) return;
    const overview = programOverview(catalog, store.state, at);
    res.send(200, {
      ...overview,
      timeZone: catalog.timeZone,
      levelNames: catalog.levels.map((l) => ({ id: l.id, name: l.name, threshold: l.threshold })),
      topActions: overview.topActions.map((a) => ({ ...a, title: catalog.byId.get(a.action)?.title ?? a.action })),
    });
  });

  server.get('/api/admin/renewals', async (req, res) => {
    if (!(await auth.admin(req, res))) return;
    const at = instantOf(req, res);
    if (at === null) return;
    res.send(200, { at: new Date(at).toISOString(), timeZone: catalog.timeZone, withinDays: RENEWAL_WINDOW_DAYS, renewals: renewalsDue(catalog, store.state, at) });
  });

  server.get('/api/admin/claims', async (req, res) => {
    if (!(await auth.admin(req, res))) return;
    const state = store.state;
    res.send(200, { claims: pendingClaims(state.claims.values()).map((c) => queueClaim(catalog, state, c)) });
  });

  server.post('/api/admin/claims/:id/approve', async (req, res) => {
    const request = await decisionRequest(req, res);
    if (!request) return;
    const { user, id, body } = request;
    const parsed = approveBody.safeParse(body);
    if (!parsed.success) return badRequest(res, 'Give only points and days, as whole numbers: {"points": 40} or {"days": 2}. Nothing was changed.');
    const approved = await approveClaim({ store, catalog, now }, callerOf(user), { claimId: id, ...parsed.data });
    if (!approved.ok) return refused(res, id, approved.problem, 'Not approved');
    const { claim, entries, notCredited } = approved.value;
    const byMember = new Map<string, number>();
    for (const e of entries) byMember.set(e.memberId, (byMember.get(e.memberId) ?? 0) + e.points);
    log.info({ claim: id, by: user.id, entries: entries.length }, 'claim approved from the tab');
    res.send(200, {
      claim: { id: claim.id, status: claim.status, decidedBy: claim.decidedBy, decidedAt: claim.decidedAt, points: claim.points, days: claim.days },
      credited: [...byMember].map(([memberId, points]) => ({ memberId, name: store.state.member(memberId)?.name ?? memberId, points })),
      notCredited,
    });
  });

  server.post('/api/admin/claims/:id/reject', async (req, res) => {
    const request = await decisionRequest(req, res);
    if (!request) return;
    const { user, id, body } = request;
    const parsed = rejectBody.safeParse(body);
    if (!parsed.success) return badRequest(res, `Give the member a reason, as {"reason": "..."} (at most ${MAX_REASON} characters). Nothing was changed.`);
    const rejected = await rejectClaim({ store, now }, callerOf(user), { claimId: id, reason: parsed.data.reason });
    if (!rejected.ok) return refused(res, id, rejected.problem, 'Not rejected');
    const { claim } = rejected.value;
    log.info({ claim: id, by: user.id }, 'claim rejected from the tab');
    res.send(200, { claim: { id: claim.id, status: claim.status, decidedBy: claim.decidedBy, decidedAt: claim.decidedAt, reason: claim.reason } });
  });

  // The CLI's exports as downloads: the same rows and encoding, streamed from the bot's memory.
  server.get('/api/admin/exports/:kind', async (req, res) => {
    if (!(await auth.admin(req, res))) return;
    const query = queryOf(req);
    // An empty field of the page's form is no option at all.
    const option = (name: string) => query.get(name) || undefined;
    const request: ExportRequest = { kind: String(req.params.kind ?? ''), format: option('format'), at: option('at'), from: option('from'), to: option('to'), period: option('period') };
    const at = now();
    const checked = checkExportRequest(catalog, request, at, (name) => `"${name}"`);
    if (!checked.ok) {
      res.send(400, { code: checked.problem.code, error: `${checked.problem.message.charAt(0).toUpperCase()}${checked.problem.message.slice(1)}.` });
      return;
    }
    res.writeHead(200, {
      'content-type': EXPORT_CONTENT_TYPES[checked.value.format],
      'content-disposition': `attachment; filename="${exportFileName(catalog, checked.value)}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    try {
      const written = await writeExport(store.state, catalog, request, res, { now: at });
      log.info({ kind: checked.value.kind, format: checked.value.format, rows: written.ok ? written.value.rows : 0 }, 'export downloaded from the tab');
      res.end();
    } catch (error) {
      if (!(error instanceof ExportAbortedError)) throw error;
      log.info({ kind: checked.value.kind, reason: error.message }, 'export download stopped');
    }
  });

  server.get('/api/admin/members', async (req, res) => {
    if (!(await auth.admin(req, res))) return;
    const q = (queryOf(req).get('q') ?? '').trim();
    if (!q || q.length > MAX_QUERY) return badRequest(res, `Give a name or email to search for, as ?q=... (1 to ${MAX_QUERY} characters).`);
    const found = searchMembers(store.state.members.values(), q, SEARCH_LIMIT);
    res.send(200, { query: q, total: found.total, members: found.members.map((m) => ({ id: m.id, name: m.name, email: m.email, signedUpAt: m.signedUpAt })) });
  });

  server.get('/api/admin/members/:id', async (req, res) => {
    if (!(await auth.admin(req, res))) return;
    const id = String(req.params.id ?? '');
    const state = store.state;
    const member = id.length <= MAX_CLAIM_ID ? state.member(id) : undefined;
    if (!member) {
      res.send(404, { code: 'UNKNOWN_MEMBER', error: `No member with id "${id}".` });
      return;
    }
    // The member's own summary, as their tab shows it; the admin part is about the caller, so left out.
    res.send(200, meSummary({ catalog, state, member, isAdmin: false, at: now(), reminderDays: deps.reminderDays }));
  });
}
