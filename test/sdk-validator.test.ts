// The JSON Schema validator the bundle gives the MCP SDK in place of ajv (src/server/sdk-validator.ts): it must still
// accept what a schema allows and refuse the rest with a message, as the SDK expects of its validators.
import { describe, expect, it } from 'vitest';

import { AjvJsonSchemaValidator } from '../src/server/sdk-validator.js';

describe('the bundled SDK validator', () => {
  const validate = new AjvJsonSchemaValidator().getValidator<{ name: string; count?: number }>({
    type: 'object',
    properties: { name: { type: 'string', minLength: 1 }, count: { type: 'integer', minimum: 0 } },
    required: ['name'],
  });

  it('accepts a valid answer and returns it', () => {
    expect(validate({ name: 'relay', count: 2 })).toEqual({
      valid: true,
      data: { name: 'relay', count: 2 },
      errorMessage: undefined,
    });
  });

  it('refuses an invalid one with a message naming the place', () => {
    const result = validate({ count: -1 });
    expect(result.valid).toBe(false);
    expect(result.errorMessage).toMatch(/name|count/);
  });
});
