// Bundled in place of the MCP SDK's ajv-provider module (scripts/build.mjs resolves the SDK's own import of it
// here): the SDK's validator built on @cfworker/json-schema, an optional peer dependency the SDK supports, under
// the name the SDK imports. Ajv's code generation costs about 10 ms of CPU at every start; the SDK only uses the
// validator to check elicitation answers. Nothing else belongs here; relay's own code never imports this file.
export { CfWorkerJsonSchemaValidator as AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
