// Validates what the adapter sends against the Debug Adapter Protocol's own JSON schema (committed
// under schema/): a response against `<Command>Response` (an error against `ErrorResponse`), an event
// against `<Name>Event`, custom ones against the base `Response` and `Event`.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";

const json = (path: string): object => JSON.parse(readFileSync(path, "utf8")) as object;
const schema = json(join(__dirname, "schema", "debugAdapterProtocol.json"));
const draft04 = json(require.resolve("ajv/lib/refs/json-schema-draft-04.json"));

const ajv = new Ajv({ schemaId: "auto", allErrors: true, unknownFormats: "ignore", logger: false });
ajv.addMetaSchema(draft04);
ajv.addSchema(schema, "dap");
const definitions = (schema as { definitions: Record<string, unknown> }).definitions;

function definitionOf(message: Record<string, unknown>): string {
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  if (message.type === "response") {
    if (message.success === false) return "ErrorResponse";
    const name = `${cap(String(message.command))}Response`;
    return name in definitions ? name : "Response";
  }
  if (message.type === "event") {
    const name = `${cap(String(message.event))}Event`;
    return name in definitions ? name : "Event";
  }
  return "ProtocolMessage";
}

/** The schema violations of one message the adapter sent (empty: it conforms). */
export function violations(message: unknown): string[] {
  if (message === null || typeof message !== "object") return ["not a JSON object"];
  const m = message as Record<string, unknown>;
  const def = definitionOf(m);
  const validate = ajv.getSchema(`dap#/definitions/${def}`);
  if (!validate) return [`no schema definition ${def}`];
  if (validate(m)) return [];
  const what = m.type === "response" ? `${String(m.command)} response` : `${String(m.event)} event`;
  return (validate.errors ?? []).map(
    (e) => `${what} (${def}): ${e.dataPath || "(message)"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
  );
}
