import { type PactV4, SpecificationVersion } from '@pact-foundation/pact';
import type { HttpInteraction, Template } from '../interactions/http-interactions.ts';
import { type ProviderState, stateParams } from '../interactions/provider-states.ts';
import { type PactKind, pactLogLevel, participants, providerOf } from '../support/participants.ts';

/** Pact adds its own `Content-Type` for a body: the template's matcher goes under the same name, or the pact has two. */
const withPactHeaderNames = (headers: Template) =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase() === 'content-type' ? 'Content-Type' : name, value]),
  ) as Record<string, string>;

type JsonMap = NonNullable<Parameters<ReturnType<PactV4['addInteraction']>['given']>[1]>;
type Given<T> = { given(state: string, parameters?: JsonMap): T };

export const pactOptions = (kind: PactKind, dir: string) => ({
  consumer: participants.consumer,
  provider: providerOf(kind),
  dir,
  spec: SpecificationVersion.SPECIFICATION_VERSION_V4,
  logLevel: pactLogLevel,
});

/** Declares the provider states an interaction needs, with their parameters. */
export function givenStates<T extends Given<T>>(builder: T, states: readonly ProviderState[]): T {
  return states.reduce((current, state) => current.given(state.name, stateParams(state) as JsonMap | undefined), builder);
}

/** Turns a generated interaction into a Pact V4 HTTP interaction, ready for `executeTest`. */
export function declareHttpInteraction(pact: PactV4, interaction: HttpInteraction) {
  const { request, response } = interaction;
  return givenStates(pact.addInteraction(), interaction.states)
    .uponReceiving(interaction.description)
    .comment({ key: 'td448-row', value: String(interaction.row.number) })
    .comment({ key: 'td448-kind', value: interaction.kind })
    .withRequest(request.method, request.path as string, (builder) => {
      builder.headers(withPactHeaderNames(request.headers));
      if (request.query) builder.query(request.query as Record<string, string>);
      if (request.body && 'json' in request.body) builder.jsonBody(request.body.json);
      if (request.body && 'xml' in request.body) builder.xmlBody(request.body.xml);
    })
    .willRespondWith(response.status, (builder) => {
      builder.headers(withPactHeaderNames(response.headers));
      if (response.body && 'json' in response.body) builder.jsonBody(response.body.json);
      if (response.body && 'xml' in response.body) builder.xmlBody(response.body.xml);
    });
}
