import { XMLParser } from 'fast-xml-parser';
import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import { isResourceEndpoint } from '../../fixtures/schemas/resources.ts';
import { labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';

test.use({ bucket: 'notes' });

// XML's predefined entities (&apos; &amp; …) are the text they stand for: a name like D'Angelo survives the round trip.
const xml = new XMLParser({ parseTagValue: false, processEntities: true });
const carriesBody = (method: string) => method !== 'GET' && method !== 'DELETE';

for (const row of rowsPromising('formats')) {
  const operation = operationOf(row);
  test(
    rowTitle(row, 'speaks JSON and XML by content negotiation, and refuses anything else'),
    rowDetails(row, 'formats'),
    async ({ api }) => {
      await labelRow(row, 'formats');
      const expected = api.wire.successStatus(operation.actionKey);

      await test.step('JSON in and out', async () => {
        const sent = await api.send(operation, { ...(await arrangeCall(api, operation, seedOf(row, 12))), format: 'json' });
        expect(sent.status, await answered(sent.response)).toBe(expected);
        if (expected !== 204) expect(sent.response.headers()['content-type']).toMatch(/^application\/json/);
      });

      await test.step('XML in and out', async () => {
        const call = await arrangeCall(api, operation, seedOf(row, 13));
        const sent = await api.send(operation, { ...call, format: 'xml' });
        expect(sent.status, await answered(sent.response)).toBe(expected);
        if (expected === 204) return;
        expect(sent.response.headers()['content-type']).toMatch(/^application\/xml/);
        const document = xml.parse(await sent.response.text()) as Record<string, Record<string, unknown>>;
        const [root] = Object.values(document).filter((value) => typeof value === 'object');
        expect(root, 'an XML document with one root element').toBeDefined();
        if (operation.actionKey === 'create' && carriesBody(operation.method) && call.fields) {
          const data = root?.data as Record<string, unknown>;
          for (const [field, value] of Object.entries(call.fields)) {
            if (!Array.isArray(value)) expect(String(data?.[field]), `field ${field} survives the XML round trip`).toBe(String(value));
          }
        }
      });

      await test.step('an Accept the operation cannot honour → 406', async () => {
        const sent = await api.send(operation, { ...(await arrangeCall(api, operation, seedOf(row, 14))), accept: 'text/csv' });
        expect(sent.status).toBe(406);
      });

      if (carriesBody(operation.method) && isResourceEndpoint(operation.endpoint)) {
        await test.step('a body in another media type → 415', async () => {
          const spec = await arrangeCall(api, operation, seedOf(row, 15));
          const sent = await api.send(operation, {
            ...spec,
            format: 'json',
            fields: spec.fields ?? { probe: 'plain text' },
            contentType: 'text/plain',
          });
          expect(sent.status).toBe(415);
        });
        await test.step('XML with a DTD or entities is refused', async () => {
          const spec = await arrangeCall(api, operation, seedOf(row, 16));
          const body = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><${api.wire.profile.requests.xmlRoot}><name>&x;</name></${api.wire.profile.requests.xmlRoot}>`;
          const sent = await api.send(operation, { ...spec, rawBody: body, contentType: mediaTypes.xml });
          expect(sent.status).toBe(400);
          expect(await sent.response.text()).not.toContain('root:');
        });
      }
    },
  );
}
