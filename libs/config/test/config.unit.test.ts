import { ConfigError, loadConfig } from '../src';

describe('loadConfig', () => {
  it('gives sensible embedded defaults', () => {
    const c = loadConfig({});
    expect(c.AGENTRY_MODE).toBe('embedded');
    expect(c.PORT).toBe(8080);
    expect(c.AGENTRY_EVENT_LOG).toBe('sqlite');
    expect(c.grpcPort('graph')).toBe(0);
    expect(c.grpcPort('gateway')).toBe(50058);
  });

  it('uses the fixed service ports outside embedded mode and honours overrides', () => {
    const c = loadConfig({ AGENTRY_MODE: 'distributed', AGENTRY_EXECUTION_GRPC_PORT: '6000', AGENTRY_GRAPH_GRPC_URL: 'graph:50051' });
    expect(c.grpcPort('block-runner')).toBe(50053);
    expect(c.grpcPort('execution')).toBe(6000);
    expect(c.grpcUrl('graph')).toBe('graph:50051');
    expect(c.grpcUrl('execution')).toBe('127.0.0.1:6000');
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['LOG_LEVEL', 'PORT']);
    }
  });

  it('refuses production without keys, naming them', () => {
    expect(() => loadConfig({ AGENTRY_MODE: 'production' })).toThrow(/AGENTRY_ENCRYPTION_KEY.*required in production/);
    expect(() => loadConfig({ AGENTRY_MODE: 'production' })).toThrow(/AGENTRY_JWT_PRIVATE_KEY/);
  });
});
