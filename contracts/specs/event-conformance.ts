import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { headerValue } from '../../fixtures/profile/events.ts';
import type { JsonSchema } from './json-schema.ts';

/** A consumed Kafka message as the probes see it: the value parsed as JSON (text when it is none), string headers. */
export interface ConsumedMessage {
  headers: Record<string, string>;
  value: unknown;
}

interface CompiledMessage {
  name: string;
  headers: ValidateFunction;
  payload: ValidateFunction;
}

/** The AsyncAPI 3.0 shape this module reads: `components.messages` with JSON Schema 2020-12 headers and payloads. */
interface AsyncApiShape {
  'x-td448-content-mode'?: 'structured' | 'binary';
  components: { messages: Record<string, { name: string; headers?: JsonSchema; payload?: JsonSchema }> };
}

/**
 * Validates consumed Kafka messages against an AsyncAPI document (contracts/specs/asyncapi.ts generates
 * the target profile's): the message is found by its CloudEvents `type` (the `ce_type` header in binary
 * content mode, the payload's `type` in structured mode; AsyncAPI message `name`), then its headers and
 * payload are validated with Ajv against the message's JSON Schemas (2020-12, formats checked:
 * `date-time` per RFC 3339, `uuid` per RFC 9562).
 */
export class AsyncApiMessages {
  readonly #byType = new Map<string, CompiledMessage>();
  readonly #mode: 'structured' | 'binary';

  /** `document`: the parsed AsyncAPI document. Throws when a schema of it does not compile (a generator fault). */
  constructor(document: unknown) {
    const shape = document as AsyncApiShape;
    this.#mode = shape['x-td448-content-mode'] ?? 'structured';
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    for (const [name, message] of Object.entries(shape.components.messages))
      this.#byType.set(message.name, {
        name,
        headers: ajv.compile(message.headers ?? {}),
        payload: ajv.compile(message.payload ?? {}),
      });
  }

  /** The CloudEvents types the document has a message for. */
  get types(): string[] {
    return [...this.#byType.keys()];
  }

  /**
   * What is wrong with `message` by the document: [] when it conforms. Each entry names the message and the
   * place: `headers/ce_time: must match format "date-time"`, `payload/data/record: must have required property 'id'`,
   * or that the type has no message in the document.
   */
  violations(message: ConsumedMessage): string[] {
    const type =
      this.#mode === 'binary'
        ? headerValue(message.headers, 'ce_type')
        : typeof message.value === 'object' && message.value !== null
          ? (message.value as Record<string, unknown>).type
          : undefined;
    if (typeof type !== 'string') return [`no CloudEvents type in the message (${this.#mode} content mode): no AsyncAPI message applies`];
    const compiled = this.#byType.get(type);
    if (!compiled) return [`type "${type}" has no message in the AsyncAPI document (it lists ${this.#byType.size})`];
    const headers = Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const found: string[] = [];
    for (const [part, validate, value] of [
      ['headers', compiled.headers, headers],
      ['payload', compiled.payload, message.value],
    ] as const) {
      if (validate(value)) continue;
      for (const error of validate.errors ?? [])
        found.push(`${compiled.name} ${part}${error.instancePath || ''}: ${error.message ?? error.keyword}`);
    }
    return found;
  }
}
