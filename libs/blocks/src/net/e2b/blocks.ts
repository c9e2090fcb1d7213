import { defineBlock, type BlockContext } from '@agentry/block-sdk';
import { z } from 'zod';
import { ProviderError } from '../errors';
import { callProvider, openProvider, providerBaseUrl, requireSecret } from '../http';
import { credentialsInput } from '../llm/blocks';
import { testApiKey, withErrorPin } from '../support';

/**
 * E2B cloud sandboxes (https://e2b.dev/docs): the control API creates and kills a sandbox; code runs through the
 * sandbox's code-interpreter endpoint, which streams NDJSON events (stdout, stderr, result, error, end).
 */
const e2bKey = testApiKey('e2b');

interface Sandbox {
  sandboxID: string;
  domain?: string | null;
  envdAccessToken?: string | null;
}
interface ExecutionEvent {
  type: 'stdout' | 'stderr' | 'result' | 'error' | 'end_of_execution' | 'number_of_executions';
  text?: string;
  name?: string;
  value?: string;
  traceback?: string;
  is_main_result?: boolean;
  [format: string]: unknown;
}
interface Execution {
  results: Array<Record<string, unknown>>;
  stdout: string;
  stderr: string;
  error?: { name: string; value: string; traceback?: string };
}

const LANGUAGES = ['python', 'js', 'bash', 'r', 'java'] as const;

function sandboxUrl(sandbox: Sandbox): string {
  return providerBaseUrl('e2b_sandbox')
    .replace('{sandbox}', encodeURIComponent(sandbox.sandboxID))
    .replace('{domain}', sandbox.domain || 'e2b.app');
}

async function execute(ctx: BlockContext, sandbox: Sandbox, code: string, language: string, timeoutMs: number): Promise<Execution> {
  const response = await openProvider(ctx, {
    provider: 'e2b',
    url: `${sandboxUrl(sandbox)}/execute`,
    method: 'POST',
    headers: {
      accept: 'application/x-ndjson',
      ...(sandbox.envdAccessToken ? { 'x-access-token': sandbox.envdAccessToken } : {}),
    },
    json: { code, language },
    timeoutMs,
    secrets: [sandbox.envdAccessToken ?? undefined],
  });
  const execution: Execution = { results: [], stdout: '', stderr: '' };
  for (const line of (await response.text()).split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as ExecutionEvent;
    if (event.type === 'stdout') execution.stdout += event.text ?? '';
    else if (event.type === 'stderr') execution.stderr += event.text ?? '';
    else if (event.type === 'error')
      execution.error = { name: event.name ?? 'Error', value: event.value ?? '', traceback: event.traceback };
    else if (event.type === 'result') {
      const { type: _type, ...result } = event;
      execution.results.push(result);
    }
  }
  return execution;
}

export const executeCodeBlock = defineBlock({
  id: '0b02b072-abe7-11ef-8372-fb5d162dd712',
  name: 'ExecuteCodeBlock',
  description: 'Run code (Python, JavaScript, Bash, R, Java) in an isolated E2B cloud sandbox with internet access.',
  categories: ['DEVELOPER_TOOLS'],
  sideEffects: true,
  credentials: { field: 'credentials', providers: ['e2b'], types: ['api_key'] },
  input: z.object({
    credentials: credentialsInput,
    setup_commands: z.array(z.string()).default([]).describe('Shell commands run first, e.g. "pip install cowsay"'),
    code: z.string().describe('Code to run'),
    language: z.enum(LANGUAGES).default('python'),
    timeout: z.number().int().min(1).default(300).describe('Sandbox lifetime in seconds'),
    template_id: z.string().default('').describe('E2B sandbox template; empty for the default code interpreter'),
  }),
  output: z.object({
    main_result: z.record(z.string(), z.unknown()).describe('The value of the last expression, in every format'),
    results: z.array(z.record(z.string(), z.unknown())).describe('Every displayed result'),
    response: z.string().describe('Text of the main result'),
    stdout_logs: z.string(),
    stderr_logs: z.string(),
    files: z
      .array(z.record(z.string(), z.unknown()))
      .describe('Files the code wrote (newest AutoGPT); not collected from the sandbox yet, so never yielded'),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const apiHeaders = { 'x-api-key': requireSecret(ctx, 'e2b') };
      const { data: sandbox } = await callProvider<Sandbox>(ctx, {
        provider: 'e2b',
        url: `${providerBaseUrl('e2b')}/sandboxes`,
        method: 'POST',
        headers: apiHeaders,
        json: { templateID: input.template_id || 'code-interpreter-v1', timeout: input.timeout },
      });
      let execution: Execution;
      try {
        const timeoutMs = input.timeout * 1000;
        for (const command of input.setup_commands) {
          const setup = await execute(ctx, sandbox, command, 'bash', timeoutMs);
          if (setup.error) throw new Error(`Setup command failed (${command}): ${setup.error.name}: ${setup.error.value}`);
        }
        execution = await execute(ctx, sandbox, input.code, input.language, timeoutMs);
      } finally {
        // Do not leave a paid sandbox running; a failure to kill it only shortens nothing (it times out anyway).
        await callProvider(ctx, {
          provider: 'e2b',
          url: `${providerBaseUrl('e2b')}/sandboxes/${encodeURIComponent(sandbox.sandboxID)}`,
          method: 'DELETE',
          headers: apiHeaders,
        }).catch((err: unknown) => ctx.logger.warn('could not kill the E2B sandbox', { error: String(err) }));
      }
      const main = execution.results.find((r) => r.is_main_result);
      if (execution.results.length) yield ['results', execution.results];
      if (main) {
        const { is_main_result: _main, ...mainResult } = main;
        yield ['main_result', mainResult];
        if (typeof main.text === 'string') yield ['response', main.text];
      }
      if (execution.stdout) yield ['stdout_logs', execution.stdout];
      if (execution.stderr) yield ['stderr_logs', execution.stderr];
      if (execution.error)
        throw new ProviderError(
          'e2b',
          'PROVIDER_REJECTED',
          `${execution.error.name}: ${execution.error.value}`,
          undefined,
          false,
        );
    }),
  testCases: [
    {
      needs: ['e2b'],
      credentials: e2bKey,
      input: { code: 'print("hello")\n6 * 7', setup_commands: ['pip install cowsay'] },
      output: [
        ['results', [{ text: '42', is_main_result: true }]],
        ['main_result', { text: '42' }],
        ['response', '42'],
        ['stdout_logs', 'hello\n'],
      ],
    },
    {
      name: 'code raises',
      needs: ['e2b'],
      credentials: e2bKey,
      input: { code: 'raise ValueError("boom")' },
      output: [
        ['stderr_logs', 'Traceback (most recent call last)\n'],
        ['error', 'ValueError: boom'],
      ],
    },
    {
      name: 'bad key',
      needs: ['e2b'],
      credentials: { ...e2bKey, apiKey: 'e2b_invalid_000000' } as never,
      input: { code: '1' },
      output: [['error', 'e2b API error 401: Invalid API key']],
    },
  ],
});

export const e2bBlocks = [executeCodeBlock];
