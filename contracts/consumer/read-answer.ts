import { expect } from '@playwright/test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { HttpInteraction } from '../interactions/http-interactions.ts';

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, ignoreDeclaration: true });

/**
 * What the suite does with an answer, against the mock provider: the status it expects, the headers
 * it reads, and the body parsed by the same zod schema the functional checks use.
 */
export async function readAnswer(interaction: HttpInteraction, response: Response) {
  const text = await response.text();
  expect(response.status, `the mock provider answered ${response.status}: ${text.slice(0, 600)}`).toBe(interaction.response.status);
  for (const name of Object.keys(interaction.response.headers)) {
    expect(response.headers.get(name), `header ${name}`).not.toBeNull();
  }
  const { schema, xmlRoot } = interaction.answer;
  if (xmlRoot) {
    expect(XMLValidator.validate(text), 'the XML answer is well-formed').toBe(true);
    expect(Object.keys(xml.parse(text) as object)).toEqual([xmlRoot]);
    return;
  }
  if (schema && interaction.response.body) {
    const parsed = schema.safeParse(JSON.parse(text));
    expect(parsed.error?.issues ?? [], 'the answer fits the suite’s schema').toEqual([]);
  }
}
