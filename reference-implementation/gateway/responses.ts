import type { FastifyReply, FastifyRequest } from 'fastify';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import type { OperationResult } from '../operations/execute.ts';
import { type Format, negotiate, toXml } from './formats.ts';
import type { ProblemError } from './problem.ts';

/** An operation's result as an HTTP answer in the negotiated format: Location, Content-Type and the body. */
export function render(result: OperationResult, format: Format): { headers: Record<string, string>; body: string | undefined } {
  const headers: Record<string, string> = {};
  if (result.location) headers.location = result.location;
  if (result.status === 204 || result.body === undefined) return { headers, body: undefined };
  headers['content-type'] = format === 'xml' ? `${mediaTypes.xml}; charset=utf-8` : `${mediaTypes.json}; charset=utf-8`;
  return { headers, body: format === 'xml' ? toXml(result.root, result.body) : JSON.stringify(result.body) };
}

/** Answers with RFC 9457 problem details: XML when the request negotiated XML, JSON otherwise. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemError) {
  const body = problem.toProblem(request.td448.endpoint, request.td448.requestId);
  const wantsXml =
    request.td448Format === 'xml' || (request.td448Format === undefined && negotiate(request.headers.accept, ['json', 'xml']) === 'xml');
  reply.code(problem.status).headers(problem.headers);
  if (wantsXml) return reply.type(`${mediaTypes.problemXml}; charset=utf-8`).send(toXml('problem', body));
  return reply.type(`${mediaTypes.problemJson}; charset=utf-8`).send(JSON.stringify(body));
}
