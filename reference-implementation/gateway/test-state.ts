import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isResourceEndpoint, resourceBodies } from '../../fixtures/schemas/resources.ts';
import type { RecordStore } from '../storage/records.ts';
import { ProblemError } from './problem.ts';

const PutRecord = z.object({
  endpoint: z.string().refine(isResourceEndpoint, 'one of the catalog endpoints, e.g. /customer/update'),
  id: z.string().min(1).max(200),
  fields: z.record(z.string(), z.unknown()),
});

/**
 * Test-only state interface (Pact provider states): put or remove a record directly.
 * Registered only when the stack runs in test mode; a deployment never has it.
 */
export function registerTestState(app: FastifyInstance, records: RecordStore) {
  app.put('/_test/records', async (request, reply) => {
    const parsed = PutRecord.safeParse(JSON.parse(String(request.body || '{}')));
    if (!parsed.success) throw new ProblemError(400, 'invalid-test-state', 'Invalid test state', z.prettifyError(parsed.error));
    const { endpoint, id, fields } = parsed.data;
    const body = (resourceBodies as Record<string, z.ZodType>)[endpoint]?.safeParse(fields);
    if (!body?.success) throw new ProblemError(400, 'invalid-test-state', 'Invalid test state', `fields do not fit ${endpoint}`);
    records.delete(endpoint, id);
    return reply.code(201).send(records.create(endpoint, body.data as Record<string, unknown>, id));
  });
  app.delete('/_test/records', async (request, reply) => {
    const { endpoint, id } = request.query as { endpoint?: string; id?: string };
    if (!endpoint || !id)
      throw new ProblemError(400, 'invalid-test-state', 'Invalid test state', 'endpoint and id query parameters are required');
    records.delete(endpoint, id);
    return reply.code(204).send();
  });
}
