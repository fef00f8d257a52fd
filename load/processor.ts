/**
 * The Artillery processor of every TD448 campaign. It sends each catalog operation exactly as the
 * functional suite does: the suite's OAuth2 client (one token per virtual client, cached and
 * refreshed), its request builder and its data factory. It runs inside Artillery's workers, local or
 * in the cloud, and knows the campaign only from the plan the generated script carries.
 */
import { readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import type { Operation } from '../fixtures/catalog/model.ts';
import { OAuthClient } from '../fixtures/clients/oauth-client.ts';
import { newRecordBody } from '../fixtures/data/bodies.ts';
import { buildConfig, fakerFor } from '../fixtures/data/factories.ts';
import { type HttpRequestSpec, loadWire, type OperationCall, urlOf, Wire } from '../fixtures/profile/wire.ts';
import { isResourceEndpoint, type ResourceEndpoint } from '../fixtures/schemas/resources.ts';
import { TargetDescription } from '../fixtures/schemas/target.ts';
import { CreatedRecords } from '../fixtures/target/created-records.ts';
import { classify, loadCall, recordNeed } from './calls.ts';
import { SmoothWeightedRoundRobin, TokenCache } from './dispatch.ts';
import { clientAllowed, clientLimited, clientNoAnswer, metrics, operationStatus, operationTime } from './metrics.ts';
import { CampaignPlan, operationOf } from './plan.ts';
import { targetEnv } from './target-env.ts';

interface Vars {
  target?: string;
  td448Plan?: string;
  td448Client?: string;
  td448Authorization?: string;
  td448ArrangedId?: string;
  td448Sent?: boolean;
}
interface Context {
  vars: Vars & Record<string, unknown>;
}
interface Events {
  emit(type: 'counter' | 'histogram', name: string, value: number): void;
}
interface RequestParams {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  td448Operation?: string;
  td448Arrange?: string;
  td448Failed?: boolean;
}
interface Response {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  timings?: { phases?: { total?: number } };
}

class CampaignWorker {
  readonly plan: CampaignPlan;
  /** The target profile's Wire; its code hooks are loaded by `ready`. */
  wire: Wire;
  readonly ready: Promise<void>;
  readonly #oauth: OAuthClient;
  readonly #tokens: TokenCache;
  readonly #clients: SmoothWeightedRoundRobin<string>;
  readonly #faker = fakerFor(threadId + 1);
  readonly #pools = new Map<string, Promise<string[]>>();
  readonly #promised: Set<string>;
  readonly #faultEvery: number;
  /** The run's ledger of created records (TD448_CREATED_RECORDS), for the cleanup after the campaigns. */
  readonly #ledger = CreatedRecords.ofRun('load');
  #sequence = 0;

  constructor(plan: CampaignPlan, target: TargetDescription) {
    this.plan = plan;
    this.wire = new Wire(plan.targetProfile);
    this.ready = loadWire(plan.targetProfile).then((wire) => {
      this.wire = wire;
    });
    this.#oauth = new OAuthClient(target, plan.targetProfile);
    this.#tokens = new TokenCache(this.#oauth);
    this.#clients = new SmoothWeightedRoundRobin(plan.clients.map((client) => ({ value: client.clientId, weight: client.perMinute })));
    this.#promised = new Set(plan.promisedLatency.operationIds);
    this.#faultEvery = plan.faults ? Math.max(1, Math.round(1 / plan.faults.share)) : 0;
  }

  nextClient = () => this.#clients.next();
  authorization = (clientId: string) => this.#tokens.authorization(clientId);
  isPromised = (operation: Operation) => this.#promised.has(operation.id);

  requestId() {
    return `td448-load-${this.plan.runId}-${this.plan.slug}-${threadId}-${++this.#sequence}`;
  }

  faults(): OperationCall['faults'] {
    if (!this.plan.faults || this.#sequence % this.#faultEvery !== 0) return undefined;
    return { latencyMs: this.plan.faults.latencyMs };
  }

  fields = (endpoint: string) => {
    if (!isResourceEndpoint(endpoint)) throw new Error(`no data factory for ${endpoint}`);
    return newRecordBody(this.plan.targetProfile, endpoint as ResourceEndpoint, this.#faker);
  };

  config = () => buildConfig(this.#faker);

  /** Notes a record the campaign created on the target. */
  created(endpoint: string, id: string) {
    this.#ledger?.add({ endpoint, id });
  }

  /** Records that non-destructive operations address: a few per endpoint and worker, created on first use. */
  async poolRecord(endpoint: string, baseUrl: string, authorization: string): Promise<string> {
    let pool = this.#pools.get(endpoint);
    if (!pool) {
      pool = Promise.all(Array.from({ length: this.plan.poolSize }, () => this.#createRecord(endpoint, baseUrl, authorization)));
      this.#pools.set(endpoint, pool);
      pool.catch(() => this.#pools.delete(endpoint));
    }
    const ids = await pool;
    return ids[this.#sequence % ids.length] as string;
  }

  async #createRecord(endpoint: string, baseUrl: string, authorization: string): Promise<string> {
    const arrange = operationOf(this.plan, this.plan.arrange[endpoint] as string);
    const spec = this.wire.request(arrange, {
      version: this.plan.apiVersion,
      fields: this.fields(endpoint),
      authorization,
      requestId: this.requestId(),
    });
    const response = await fetch(urlOf(baseUrl, spec), {
      method: spec.method,
      headers: spec.headers,
      ...(spec.body !== undefined ? { body: spec.body } : {}),
    });
    const body = await response.text();
    const created = response.status === this.wire.successStatus('create');
    const id = created ? this.wire.createdId(Object.fromEntries(response.headers), () => JSON.parse(body)) : undefined;
    if (!created || !id) throw new Error(`arranging a record on ${endpoint} failed: ${response.status} ${body.slice(0, 200)}`);
    this.created(endpoint, id);
    return id;
  }
}

const workers = new Map<string, CampaignWorker>();

/** The campaign worker of this Artillery worker, once its profile's hooks are loaded. */
async function readyWorker(context: Context): Promise<CampaignWorker> {
  const worker = workerFor(context);
  await worker.ready;
  return worker;
}

function workerFor(context: Context): CampaignWorker {
  const source = context.vars.td448Plan;
  if (typeof source !== 'string') throw new Error('the script carries no td448Plan variable: generate it with scripts/load.ts');
  let worker = workers.get(source);
  if (!worker) {
    worker = new CampaignWorker(CampaignPlan.parse(JSON.parse(source)), readTarget());
    workers.set(source, worker);
  }
  return worker;
}

function readTarget(): TargetDescription {
  const inline = process.env[targetEnv.json];
  const file = process.env[targetEnv.file];
  if (!inline && !file)
    throw new Error(`set ${targetEnv.file} (a target description file) or ${targetEnv.json} (its JSON) for the load workers`);
  return TargetDescription.parse(JSON.parse(inline ?? readFileSync(file as string, 'utf8')));
}

function baseUrlOf(context: Context): string {
  if (!context.vars.target) throw new Error('the virtual user has no target URL');
  return context.vars.target.replace(/\/$/, '');
}

function apply(request: RequestParams, spec: HttpRequestSpec, baseUrl: string) {
  request.url = urlOf(baseUrl, spec);
  request.method = spec.method;
  request.headers = spec.headers;
  if (spec.body === undefined) delete request.body;
  else request.body = spec.body;
}

function markSent(context: Context, events: Events) {
  if (context.vars.td448Sent) return;
  context.vars.td448Sent = true;
  events.emit('histogram', metrics.firstSendClock, Date.now());
}

/** beforeScenario: the arrival. Picks the virtual client (each a distinct OAuth2 client) and its token. */
export async function td448Dispatch(context: Context, events: Events) {
  events.emit('histogram', metrics.arrivalClock, Date.now());
  const worker = await readyWorker(context);
  const clientId = worker.nextClient();
  context.vars.td448Client = clientId;
  context.vars.td448Authorization = await worker.authorization(clientId);
}

/** beforeRequest of the measured request: the operation's call, built the way every suite builds it. */
export async function td448Prepare(request: RequestParams, context: Context, events: Events) {
  const worker = await readyWorker(context);
  const operation = operationOf(worker.plan, request.td448Operation as string);
  const baseUrl = baseUrlOf(context);
  const authorization = context.vars.td448Authorization as string;
  const need = recordNeed(operation);
  const recordId =
    need === 'fresh'
      ? context.vars.td448ArrangedId
      : need === 'pool'
        ? await worker.poolRecord(operation.endpoint, baseUrl, authorization)
        : undefined;
  const call = loadCall(operation, worker.wire, { fields: worker.fields, config: worker.config, ...(recordId ? { recordId } : {}) });
  const faults = worker.faults();
  const spec = worker.wire.request(operation, {
    ...call,
    version: worker.plan.apiVersion,
    authorization,
    requestId: worker.requestId(),
    ...(faults ? { faults } : {}),
  });
  apply(request, spec, baseUrl);
  markSent(context, events);
}

/** afterResponse of the measured request: every counter, 0 or 1, so every ensure condition has its metric. */
export async function td448Observe(request: RequestParams, response: Response, context: Context, events: Events) {
  const worker = await readyWorker(context);
  const operation = operationOf(worker.plan, request.td448Operation as string);
  const status = response.statusCode;
  if (operation.actionKey === 'create' && status === worker.wire.successStatus('create')) {
    const body = (response as Response & { body?: unknown }).body;
    try {
      const id = worker.wire.createdId(headersOf(response), () => (typeof body === 'string' ? JSON.parse(body) : body));
      if (id) worker.created(operation.endpoint, id);
    } catch {
      // An answer the profile's createdId cannot read: the record cannot be cleaned up, and the check of the
      // create itself (functional suite, contracts) is where that fails.
    }
  }
  const { expected, limited, serverError, unexpected } = classify(operation, status, worker.wire);
  const elapsed = response.timings?.phases?.total ?? Number.NaN;
  events.emit('counter', metrics.expected, expected ? 1 : 0);
  events.emit('counter', metrics.rateLimited, limited ? 1 : 0);
  events.emit('counter', metrics.serverError, serverError ? 1 : 0);
  events.emit('counter', metrics.unexpected, unexpected ? 1 : 0);
  events.emit('counter', metrics.arrangeFailed, 0);
  events.emit('counter', metrics.noAnswer, 0);
  events.emit('counter', operationStatus(operation.id, status), 1);
  if (Number.isFinite(elapsed)) {
    events.emit('histogram', operationTime(operation.id), elapsed);
    events.emit('histogram', metrics.allTime, elapsed);
    if (worker.isPromised(operation)) events.emit('histogram', metrics.promisedTime, elapsed);
  }
  const rateLimited = operation.notes.includes('rate-limit');
  events.emit('counter', metrics.rateLimitHeadersMissing, rateLimited && !hasRateLimitHeaders(worker.wire, response, limited) ? 1 : 0);
  if (rateLimited && worker.plan.campaign === 'rate-limit') {
    const clientId = context.vars.td448Client as string;
    events.emit('counter', clientAllowed(clientId), limited ? 0 : 1);
    events.emit('counter', clientLimited(clientId), limited ? 1 : 0);
    events.emit('counter', clientNoAnswer(clientId), 0);
  }
}

/**
 * The profile's rate-limit headers (limit and remaining, in whichever generation it declares) on every answer
 * of a limited operation, and a Retry-After in the profile's form on a 429.
 */
export function hasRateLimitHeaders(wire: Wire, response: Pick<Response, 'headers'>, limited: boolean): boolean {
  const headers = headersOf(response);
  const state = wire.rateLimit(headers);
  if (state.limit === undefined || state.remaining === undefined) return false;
  if (!limited) return true;
  const retryAfter = wire.retryAfterSeconds(headers['retry-after']);
  return retryAfter !== undefined && retryAfter >= 0;
}

/** beforeRequest of an arranging request: a fresh record for an operation that consumes one. */
export async function td448PrepareArrange(request: RequestParams, context: Context, events: Events) {
  const worker = await readyWorker(context);
  const arrange = operationOf(worker.plan, request.td448Arrange as string);
  const spec = worker.wire.request(arrange, {
    version: worker.plan.apiVersion,
    fields: worker.fields(arrange.endpoint),
    authorization: context.vars.td448Authorization as string,
    requestId: worker.requestId(),
  });
  apply(request, spec, baseUrlOf(context));
  markSent(context, events);
}

/** Response headers as single strings, lower-case names. */
function headersOf(response: Pick<Response, 'headers'>): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(response.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value[0] : value]),
  );
}

export async function td448CaptureArranged(request: RequestParams, response: Response, context: Context, events: Events) {
  const worker = await readyWorker(context);
  const { wire } = worker;
  const body = (response as Response & { body?: unknown }).body;
  const id =
    response.statusCode === wire.successStatus('create')
      ? (wire.createdId(headersOf(response), () => (typeof body === 'string' ? JSON.parse(body) : body)) ?? '')
      : '';
  if (id) {
    context.vars.td448ArrangedId = id;
    worker.created(operationOf(worker.plan, request.td448Arrange as string).endpoint, id);
  }
  events.emit('counter', metrics.arrangeFailed, id ? 0 : 1);
}

/** ifTrue of a consuming request: skipped (and counted as arrange.failed) when its record could not be arranged. */
export function td448Arranged(vars: Vars): boolean {
  return Boolean(vars.td448ArrangedId);
}

/**
 * onError (callback style, as Artillery calls it): a request that got no answer. Counted per client,
 * so the log audit can tell a request the client never heard back from from a miscount.
 */
export function td448Failed(_error: Error, request: RequestParams, context: Context, events: Events, done: () => void) {
  // Artillery may report one failure twice (the request's error event and its promise); count it once.
  if (request.td448Operation && !request.td448Failed) {
    request.td448Failed = true;
    events.emit('counter', metrics.noAnswer, 1);
    const clientId = context.vars.td448Client;
    if (clientId) events.emit('counter', clientNoAnswer(clientId), 1);
  }
  done();
}
