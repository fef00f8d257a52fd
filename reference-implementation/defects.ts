import { z } from 'zod';

/**
 * Defects the reference implementation can be started with, to prove the suite can fail:
 * each breaks one promise of the catalog, and only the rows carrying it may turn red.
 * Never on unless asked for (`npm run stack -- --defect drop-event`, TD448_PLANT_DEFECTS).
 */
export const Defect = z.enum([
  /**
   * On DELETE, a valid token without the operation's scope is let through (403 never happens there):
   * the scope check forgotten on one method, as a route-level guard often is.
   */
  'skip-scope-check-on-delete',
  /** Operations that promise a Kafka event publish none. */
  'drop-event',
  /** A failure after the write commits the write (and its event) instead of rolling back. */
  'skip-rollback',
  /** 429 answered without Retry-After (RFC 9110 §10.2.3), on every rate-limited operation. */
  'omit-retry-after',
  /**
   * The limiter counts in 30 s windows while it announces 60 s ones (a window configured in the wrong unit): a burst
   * of 1000 is refused as it should be, a client sending 1200 a minute never is. No functional check looks at it (a
   * sharp one could: a fresh window announces a reset in 30 s under a 60 s policy); the load campaign that holds a
   * client over the limit for the whole minute catches it.
   */
  'rate-limit-window-of-30s',
  /** The limit counted but not enforced on /invoice/export: requests past the 1000th in a minute succeed there. */
  'leak-rate-limit-on-invoice-export',
  /**
   * The scope check looks at the kind of scope only (read, write, delete), not its resource: a token with
   * `invoice:read` reads customers (OWASP API1/API5, broken object- and function-level authorization).
   */
  'check-scope-kind-only',
  /** The transaction-log entry of a 401/403 keeps the Authorization header presented, token and all. */
  'log-presented-token',
  /** 405 answered without the Allow header RFC 9110 §15.5.6 requires, on every endpoint. */
  'omit-allow',
  /**
   * The outbox relay counts a message as published when the broker refused it: at-most-once delivery, as a
   * relay that acknowledges before the broker does. Invisible while the broker is up; an outage loses events.
   */
  'relay-drops-on-failure',
  /**
   * The record and its event committed in two transactions, one database round trip apart, instead of one
   * (the transactional outbox undone: `await repo.save(record); await outbox.save(event)`). Invisible while
   * the service lives; a crash between the two leaves a change whose event never comes.
   */
  'commit-outbox-separately',
  /**
   * Events sent to Kafka by the request after its commit, not through the outbox, and not waited for (the
   * "publish after save" every outbox replaces): at-most-once. A broker outage or a crash loses them.
   */
  'publish-directly',
  /** The transaction-log entry of a v1 request names the current version: the log is complete, and false, for v1 only. */
  'log-v1-as-current',
  /**
   * The transaction-log entry of a request answered 404, 409 or 422 records 200, the status the operation was
   * heading for before its validation failed: the entry is complete and false (a wrong status), on client errors only.
   */
  'log-client-errors-as-200',
  /** The event of update-config names the resource type as its subject (and key), not the record: right shape, wrong content. */
  'event-subject-of-update-config',
  /** The downstream call is retried twice, not 3 times: 3 failures end in 502 where the catalog promises a success. */
  'retry-twice',
  /** Creates on the /invoice endpoints take 1.1 s (a synchronous PDF rendering): the latency promise broken on one endpoint and one action. */
  'slow-invoice-create',
  /** v1 answers carry Deprecation and the successor link, without Sunset (RFC 8594): the deprecation says when, not until when. */
  'omit-sunset',
  /** 201 Created without Location (RFC 9110 §15.3.2) when the client chose the id (a PUT create): "it knows where it is". */
  'omit-location-for-client-ids',
  /** PATCH answers do not carry the request id back: the gateway's correlation lost on one method. */
  'drop-request-id-on-patch',
  /** An expired token is accepted on GET (the expiry checked on writes only, as a read-path cache of verified tokens might). */
  'accept-expired-on-get',
  /**
   * A failure after the write rolls the record back, and the event is sent all the same (enqueued from the error
   * path, after the rollback): the state is restored, the rest of the system is told of a change that never was.
   */
  'emit-event-on-rollback',
  /** The transaction-log entry of a rolled-back request records a plain server error (rolledBack false): complete, and false. */
  'log-rollback-as-server-error',
  /** DELETE answers carry a traceparent of a new trace, not the caller's (W3C Trace Context broken on one method). */
  'restart-trace-on-delete',
  /** Events of the /invoice endpoints carry a traceparent of a new trace (an async worker that starts its own): right shape, wrong trace. */
  'trace-lost-in-invoice-events',
  /** The XML answer of a create leaves out the record's data (the XML writer skips the nested object); its JSON answer is whole. */
  'xml-create-without-data',
  /**
   * JSON answers of the /crm endpoints give a record's createdAt and updatedAt as epoch milliseconds (a serializer's
   * default for dates) instead of RFC 3339 strings: valid JSON, the wrong type, which only a consumer's contract sees.
   */
  'epoch-timestamps-on-crm',
]);
export type Defect = z.infer<typeof Defect>;

export const defectsVariable = 'TD448_PLANT_DEFECTS';

/** Parses a comma-separated list of defect names, saying which exist when one does not. */
export function parseDefects(list: string | undefined): Set<Defect> {
  const names = (list ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const parsed = z.array(Defect).safeParse(names);
  if (!parsed.success) throw new Error(`unknown defect in "${list}"; the defects are: ${Defect.options.join(', ')}`);
  return new Set(parsed.data);
}
