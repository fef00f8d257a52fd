import { expect, test } from '@playwright/test';
import { eventMessages, rowsWithEvents } from '../interactions/event-messages.ts';
import { httpInteractions, kindsOf } from '../interactions/http-interactions.ts';
import { catalog, rowOfTitle } from '../support/catalog-rows.ts';

const interactions = httpInteractions(catalog);
const messages = eventMessages(catalog);

test('every catalog row has HTTP interactions, each described by its row’s title, no two alike', () => {
  const rows = new Set(interactions.map((interaction) => rowOfTitle(interaction.description)));
  expect([...rows].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(catalog.rows.map((row) => row.number));
  expect(new Set(interactions.map((interaction) => interaction.description)).size).toBe(interactions.length);
});

test('a row’s interactions follow from its promises: success and OAuth2 always, the rest from its result and note', () => {
  for (const row of catalog.rows) {
    const kinds = kindsOf(row);
    expect(kinds.slice(0, 1)).toEqual(['success']);
    expect(kinds).toEqual(expect.arrayContaining(['unauthenticated', 'forbidden']));
    expect(kinds.includes('xml')).toBe(row.noteKey === 'formats');
    expect(kinds.includes('v1')).toBe(row.noteKey === 'versioning');
    expect(kinds.includes('rate-limited')).toBe(row.noteKey === 'rate-limit');
    expect(kinds.includes('rolled-back')).toBe(row.resultKey === 'rollback');
    expect(kinds.includes('retries-exhausted')).toBe(row.resultKey === 'retry');
  }
});

test('every row whose result is the Kafka event has exactly one message', () => {
  expect(messages.map((message) => message.row.number)).toEqual(rowsWithEvents(catalog).map((row) => row.number));
  expect(new Set(messages.map((message) => message.description)).size).toBe(messages.length);
});

test('every interaction needs a provider state for its data and one for its client', () => {
  for (const interaction of [...interactions, ...messages]) {
    expect(interaction.states.filter((state) => state.kind === 'record-exists' || state.kind === 'can-create')).toHaveLength(1);
    expect(interaction.states.filter((state) => state.kind === 'client')).toHaveLength(1);
  }
});
