import type { Catalog, Row } from '../fixtures/catalog/model.ts';
import { mutatingActions } from '../fixtures/catalog/vocabulary.ts';
import { rateLimitMix } from '../load/mix.ts';
import { profiles } from '../load/profiles.ts';
import { loadCheckName } from '../load/verdict.ts';
import type { Defect } from '../reference-implementation/defects.ts';

const writes = (row: Row) => mutatingActions.includes(row.actionKey);
/** Whether the row's operation publishes an event (one of its rows promises Kafka): the reference implementation's rule. */
const announcesEvent = (row: Row, catalog: Catalog) =>
  !!catalog.operations.find((operation) => operation.rows.includes(row.number))?.results.includes('kafka');

/**
 * For each planted defect, the (row, check) pairs that must turn red, and why some rows cannot. `check` is the
 * check kind of the row-coverage record: a functional check (`rollback`, `auth`, …) or a contract check
 * (`contract-provider`: the self-check then runs the contract projects too, see selfcheck/batches.ts).
 * The proof fails on any red check outside these pairs and on any pair that stays green.
 */
export const plantedDefects: Record<
  Defect,
  {
    /** The check that must catch it (row-coverage check kind, or a load check: `load:<slug>:<key>`). */
    check: string;
    /** Every check whose pairs it breaks, when more than `check` (a load defect seen by several thresholds). */
    checks?: readonly string[];
    breaks: (row: Row, catalog: Catalog, planted: ReadonlySet<Defect>) => boolean;
    exempt?: string;
    /** A defect whose red (row, check) pairs include all of this one's: planted together, this one proves nothing. */
    maskedBy?: Defect;
    /**
     * The defect breaks one check on every row: planted with the others it would leave no row green to tell them
     * apart, so it is proven in a run of its own checks (`--defect NAME --grep @CHECK`).
     */
    everyRow?: true;
    /**
     * Proven by the @resilience check of this tag (npm run resilience -- --prove), not by the functional suite:
     * no row of it turns red. The check must fail with the defect planted.
     */
    provenByResilience?: '@broker-outage' | '@crash';
  }
> = {
  'skip-scope-check-on-delete': { check: 'auth', breaks: (row) => row.method === 'DELETE', maskedBy: 'check-scope-kind-only' },
  'drop-event': { check: 'kafka', breaks: (row) => row.resultKey === 'kafka' },
  'skip-rollback': {
    check: 'rollback',
    // A read writes nothing: only its event (when it announces one, and events are not dropped too) shows the commit.
    breaks: (row, catalog, planted) =>
      row.resultKey === 'rollback' && (writes(row) || (!planted.has('drop-event') && announcesEvent(row, catalog))),
    exempt:
      'rollback rows whose action writes nothing and whose event (if any) is not observable: nothing to roll back (lint: rollback-on-read-only)',
  },
  'omit-retry-after': { check: 'rate-limit', breaks: (row) => row.noteKey === 'rate-limit' },
  'leak-rate-limit-on-invoice-export': {
    check: 'rate-limit',
    breaks: (row) => row.noteKey === 'rate-limit' && row.endpoint === '/invoice/export',
    maskedBy: 'omit-retry-after',
  },
  'omit-allow': { check: 'restful', breaks: (row) => row.noteKey === 'restful' },
  'check-scope-kind-only': { check: 'auth', breaks: () => true, everyRow: true },
  'log-presented-token': { check: 'transaction-log', breaks: () => true, everyRow: true },
  'relay-drops-on-failure': { check: 'resilience', breaks: () => false, provenByResilience: '@broker-outage' },
  'commit-outbox-separately': { check: 'resilience', breaks: () => false, provenByResilience: '@crash' },
  'publish-directly': { check: 'resilience', breaks: () => false, provenByResilience: '@broker-outage' },
  // The log check writes its success through v1 (a complete entry, naming v1) and fails a request with 404 or 422.
  'log-v1-as-current': { check: 'log', breaks: (row) => row.resultKey === 'log' },
  'log-client-errors-as-200': { check: 'log', breaks: (row) => row.resultKey === 'log', maskedBy: 'log-v1-as-current' },
  'event-subject-of-update-config': {
    check: 'kafka',
    breaks: (row) => row.resultKey === 'kafka' && row.actionKey === 'update-config',
    maskedBy: 'drop-event',
  },
  'retry-twice': { check: 'retry', breaks: (row) => row.resultKey === 'retry' },
  'slow-invoice-create': {
    check: 'latency',
    breaks: (row) => row.resultKey === 'latency' && row.endpoint.startsWith('/invoice/') && row.actionKey === 'create',
  },
  'omit-sunset': { check: 'versioning', breaks: (row) => row.noteKey === 'versioning' },
  // The restful check creates with the client's id through PUT (explicitId), with the server's through POST.
  'omit-location-for-client-ids': {
    check: 'restful',
    breaks: (row) => row.noteKey === 'restful' && row.actionKey === 'create' && row.method === 'PUT',
    maskedBy: 'omit-allow',
  },
  'drop-request-id-on-patch': { check: 'gateway', breaks: (row) => row.noteKey === 'gateway' && row.method === 'PATCH' },
  'accept-expired-on-get': { check: 'auth', breaks: (row) => row.method === 'GET' },
  // The rollback check reads the events of the failed request: an operation that announces one sends it anyway.
  'emit-event-on-rollback': {
    check: 'rollback',
    breaks: (row, catalog, planted) => row.resultKey === 'rollback' && !planted.has('drop-event') && announcesEvent(row, catalog),
    maskedBy: 'skip-rollback',
  },
  'log-rollback-as-server-error': { check: 'rollback', breaks: (row) => row.resultKey === 'rollback', maskedBy: 'skip-rollback' },
  'restart-trace-on-delete': { check: 'gateway', breaks: (row) => row.noteKey === 'gateway' && row.method === 'DELETE' },
  'trace-lost-in-invoice-events': {
    check: 'kafka',
    breaks: (row) => row.resultKey === 'kafka' && row.endpoint.startsWith('/invoice/'),
    maskedBy: 'drop-event',
  },
  // Only the consumer's contract looks at a record's timestamps: the pact's datetime matchers on createdAt/updatedAt
  // of every answer that carries a record (create, update-config, the records of an export).
  'epoch-timestamps-on-crm': {
    check: 'contract-provider',
    breaks: (row) => row.endpoint.startsWith('/crm/') && ['create', 'update-config', 'export'].includes(row.actionKey),
  },
  // The smoke rate-limit campaign holds its over-limit clients at 1200/min for 58 s: with 30 s windows each is allowed
  // about 1160 where 1000 is the most, and the log shows them reaching the downstream past the limit in one minute.
  'rate-limit-window-of-30s': {
    check: loadCheckName('rate-limit', 'log-downstream'),
    checks: [
      loadCheckName('rate-limit', 'log-downstream'),
      ...Array.from({ length: profiles.smoke.rateLimit?.overClients ?? 0 }, (_, index) =>
        loadCheckName('rate-limit', `over-limit-${index + 1}`),
      ),
    ],
    // Its thresholds judge the rows of the rate-limit campaign's mix (load/mix.ts), the rows the campaign sends.
    breaks: (row, catalog) => rateLimitMix(catalog).some((entry) => entry.rows.includes(row.number)),
  },
  // The formats check compares the fields of an XML create's answer with those sent (a create with a body: not GET or DELETE).
  'xml-create-without-data': {
    check: 'formats',
    breaks: (row) => row.noteKey === 'formats' && row.actionKey === 'create' && row.method !== 'GET' && row.method !== 'DELETE',
  },
};

/** Whether the load campaigns must catch the defect: its checks are load checks (`load:<slug>:<key>`). */
export const provenByLoad = (defect: Defect) => plantedDefects[defect].check.startsWith('load:');

/**
 * The load campaigns (slugs: `rate-limit`, `latency`) whose checks a load defect breaks: the campaigns its proof
 * runs. Empty for a defect no load check catches.
 */
export const loadCampaignsOf = (defect: Defect): string[] => {
  const { check, checks = [check] } = plantedDefects[defect];
  return [...new Set(checks.filter((name) => name.startsWith('load:')).map((name) => name.split(':')[1] as string))];
};

/** The defects the functional proofs can plant: those the @resilience checks or the load campaigns prove are left to them. */
const functionalDefects = (all: readonly Defect[]) =>
  all.filter((defect) => !plantedDefects[defect].provenByResilience && !provenByLoad(defect));

/** The defects the @resilience checks prove (npm run resilience -- --prove). */
export const resilienceDefects = (all: readonly Defect[]): { defect: Defect; check: '@broker-outage' | '@crash' }[] =>
  all.flatMap((defect) => {
    const check = plantedDefects[defect].provenByResilience;
    return check ? [{ defect, check }] : [];
  });

/** The defects a proof plants when none are named: all but those that break every row, less those another planted one masks. */
export const defaultDefects = (all: readonly Defect[]): Defect[] => {
  const planted = functionalDefects(all).filter((defect) => !plantedDefects[defect].everyRow);
  return planted.filter((defect) => {
    const maskedBy = plantedDefects[defect].maskedBy;
    return !maskedBy || !planted.includes(maskedBy);
  });
};

/**
 * The (row, check) pairs, as `"<row>:<check>"`, that the defects must turn red when `planted` (the defects by
 * default) are all planted in one stack: a planted defect can hide another's evidence (see skip-rollback).
 */
export const expectedRed = (catalog: Catalog, defects: readonly Defect[], planted: ReadonlySet<Defect> = new Set(defects)) =>
  new Set(
    defects.flatMap((defect) => {
      const { check, checks = [check], breaks } = plantedDefects[defect];
      return catalog.rows.filter((row) => breaks(row, catalog, planted)).flatMap((row) => checks.map((name) => `${row.number}:${name}`));
    }),
  );
