import { checkHealth } from '@agentry/grpc';
import { integrationV1 } from '@agentry/proto-ts';
import { serviceHarness } from '@agentry/testing';
import { loadSecretBox, startIntegrationService } from '../src';
import { LIST_BACKENDS } from './support/read-models';

describe.each(LIST_BACKENDS)('IntegrationService over a real socket ($name)', ({ open }) => {
  const h = serviceHarness('integration', async ({ events, logger, dir }) => {
    const readModels = open();
    const service = await startIntegrationService({ events, logger, box: loadSecretBox({ dataDir: dir, production: false }), readModels });
    return { ...service, close: async () => (await service.close(), await readModels?.close()) };
  });
  const client = () => h.client(integrationV1.IntegrationServiceClient);
  const alice = { tenantId: 'tenant-a', userId: 'alice', roles: [] };
  const SECRET = 'sk-test-9f8e7d6c5b4a';

  it('serves health, stores a secret encrypted and never returns it in metadata', async () => {
    expect(await checkHealth(h.service.address)).toBe('SERVING');
    const { credential } = await client().createCredential({
      caller: alice,
      provider: 'openai',
      type: 'api_key',
      title: 'mine',
      secret: { apiKey: SECRET },
      scopes: [],
    });
    expect(JSON.stringify(credential)).not.toContain(SECRET);
    const listed = await client().listCredentials({ caller: alice, provider: '' });
    expect(listed.items.map((c) => c.id)).toEqual([credential!.id]);
    expect(JSON.stringify(listed)).not.toContain(SECRET);
    // At rest: the raw log holds only ciphertext.
    const raw = JSON.stringify(await h.log.events.readAll({ categories: ['credential'] }));
    expect(raw).not.toContain(SECRET);
    const resolved = await client().resolveCredential({
      tenantId: 'tenant-a',
      credentialId: credential!.id,
      purpose: 'test',
      requiredScopes: [],
      blockName: '',
    });
    expect(resolved.secret).toEqual({ apiKey: SECRET });
  });

  it('keeps tenants apart and refuses incomplete secrets', async () => {
    const { credential } = await client().createCredential({
      caller: alice,
      provider: 'github',
      type: 'api_key',
      title: '',
      secret: { apiKey: 'ghp_x' },
      scopes: [],
    });
    await expect(
      client().resolveCredential({
        tenantId: 'tenant-b',
        credentialId: credential!.id,
        purpose: 'x',
        requiredScopes: [],
        blockName: '',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      client().createCredential({
        caller: alice,
        provider: 'github',
        type: 'api_key',
        title: '',
        secret: {},
        scopes: [],
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { errors: { 'secret.apiKey': 'required' } },
    });
  });
});
