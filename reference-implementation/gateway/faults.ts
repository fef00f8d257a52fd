import type { FastifyRequest } from 'fastify';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';

/** The test-only faults a request asked for and the gateway will inject. */
export interface InjectedFaults {
  failAfterWrite: boolean;
  downstreamFailures: number;
  latencyMs: number;
}

const none: InjectedFaults = { failAfterWrite: false, downstreamFailures: 0, latencyMs: 0 };

/**
 * Reads the fault-injection headers by the profile's names (`faultInjection`); none when the stack
 * runs without fault injection or the profile declares none (`faultInjection: false`). The faults
 * applied before the operation runs are noted in the request context for the `applied` header.
 */
export function faultsOf(request: FastifyRequest, enabled: boolean, names: TargetProfile['faultInjection']): InjectedFaults {
  if (!enabled || names === false) return none;
  const header = (name: string) => {
    const value = request.headers[name.toLowerCase()];
    return typeof value === 'string' ? value : undefined;
  };
  const count = (name: string, max: number) => Math.min(max, Math.max(0, Number.parseInt(header(name) ?? '0', 10) || 0));
  const faults = {
    failAfterWrite: header(names.failAfterWrite) === 'true',
    downstreamFailures: count(names.downstreamFailures, 10),
    latencyMs: count(names.latencyMs, 10_000),
  };
  if (faults.downstreamFailures > 0) request.td448.faultsApplied.push(`downstream-failures=${faults.downstreamFailures}`);
  if (faults.latencyMs > 0) request.td448.faultsApplied.push(`latency-ms=${faults.latencyMs}`);
  return faults;
}
