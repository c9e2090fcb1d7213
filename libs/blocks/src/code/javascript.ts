import { defineBlock } from '@agentry/block-sdk';
import releaseSyncVariant from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  shouldInterruptAfterDeadline,
  type QuickJSContext,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from 'quickjs-emscripten';
import { z } from 'zod';

/**
 * The release build loaded with require(): the package's own loader uses a dynamic import(), which CommonJS
 * hosts such as jest's module runtime cannot run.
 */
const variant: QuickJSSyncVariant = {
  type: 'sync',
  importFFI: () => releaseSyncVariant.importFFI(),
  importModuleLoader: async () => require('@jitl/quickjs-wasmfile-release-sync/emscripten-module'),
};
let quickjs: Promise<QuickJSWASMModule> | undefined;
const getQuickJS = (): Promise<QuickJSWASMModule> => (quickjs ??= newQuickJSWASMModuleFromVariant(variant));

const MAX_LOG_LINES = 1000;
const MAX_OUTPUT_BYTES = 1024 * 1024;

export interface SandboxResult {
  ok: boolean;
  result?: unknown;
  error?: string;
  logs: string[];
}

/**
 * Runs JavaScript in a fresh QuickJS (WebAssembly) context: no host objects, no modules, no I/O, no timers;
 * only `inputs` (a JSON copy) and a `console` that collects lines. The code is a function body: `return` gives the result.
 * Time is bounded by an interrupt handler (deadline or cancel), memory and stack by the runtime's limits.
 */
export async function runInSandbox(
  code: string,
  inputs: unknown,
  limits: { timeoutMs: number; memoryBytes: number; signal?: AbortSignal },
): Promise<SandboxResult> {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  const logs: string[] = [];
  try {
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(512 * 1024);
    const pastDeadline = shouldInterruptAfterDeadline(Date.now() + limits.timeoutMs);
    runtime.setInterruptHandler((rt) => pastDeadline(rt) || Boolean(limits.signal?.aborted));
    const vm = runtime.newContext();
    try {
      installConsole(vm, logs);
      const program = `"use strict";\nJSON.stringify((function (inputs) {\n${code}\n})(JSON.parse(${JSON.stringify(JSON.stringify(inputs ?? {}))})) ?? null)`;
      const evaluated = vm.evalCode(program, 'block.js');
      if (evaluated.error) {
        const err = vm.dump(evaluated.error) as { name?: string; message?: string } | string;
        evaluated.error.dispose();
        const message = typeof err === 'string' ? err : `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`;
        return { ok: false, error: limits.signal?.aborted ? 'Cancelled' : message, logs };
      }
      const json = vm.getString(evaluated.value);
      evaluated.value.dispose();
      if (json.length > MAX_OUTPUT_BYTES) return { ok: false, error: `Result exceeds ${MAX_OUTPUT_BYTES} bytes`, logs };
      return { ok: true, result: JSON.parse(json), logs };
    } finally {
      vm.dispose();
    }
  } finally {
    runtime.dispose();
  }
}

function installConsole(vm: QuickJSContext, logs: string[]): void {
  const consoleHandle = vm.newObject();
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    const fn = vm.newFunction(level, (...args) => {
      if (logs.length < MAX_LOG_LINES) {
        logs.push(
          args
            .map((a) => {
              const v = vm.dump(a);
              return typeof v === 'string' ? v : JSON.stringify(v);
            })
            .join(' '),
        );
      }
    });
    vm.setProp(consoleHandle, level, fn);
    fn.dispose();
  }
  vm.setProp(vm.global, 'console', consoleHandle);
  consoleHandle.dispose();
}

export const JavaScriptCodeBlock = defineBlock({
  id: 'c595597a-e680-4289-b569-10fe3a9c357a',
  name: 'JavaScriptCodeBlock',
  description:
    'Runs a JavaScript function body in an isolated QuickJS sandbox (no network, files or host access; time and memory limited). `inputs` holds the input dictionary; the `return` value is yielded on `result`, console output on `stdout`.',
  categories: ['CODE', 'DEVELOPER_TOOLS'],
  input: z.object({
    code: z
      .string()
      .meta({ format: 'code' })
      .describe('Function body, e.g. `return inputs.items.filter(x => x > 2).length;`'),
    inputs: z
      .record(z.string(), z.any())
      .default({})
      .describe('Values available to the code as `inputs` (feed with `inputs_#_<name>`)'),
    timeout_ms: z.int().min(1).max(30_000).default(1000).describe('CPU time limit in milliseconds'),
    memory_limit_mb: z.int().min(1).max(256).default(32).describe('Memory limit in MiB'),
  }),
  output: z.object({
    result: z.any().describe('The returned value (JSON)'),
    stdout: z.string().describe('Console output, one line per call'),
  }),
  async *run(input, ctx) {
    const out = await runInSandbox(input.code, input.inputs, {
      timeoutMs: input.timeout_ms,
      memoryBytes: input.memory_limit_mb * 1024 * 1024,
      signal: ctx.signal,
    });
    if (!out.ok) {
      if (out.logs.length) yield ['stdout', out.logs.join('\n')];
      yield ['error', out.error ?? 'Execution failed'];
      return;
    }
    yield ['result', out.result];
    yield ['stdout', out.logs.join('\n')];
  },
  testCases: [
    {
      input: {
        code: 'console.log("n =", inputs.items.length);\nreturn { big: inputs.items.filter((x) => x > 2), sum: inputs.items.reduce((a, b) => a + b, 0) };',
        inputs: { items: [1, 2, 3, 4] },
      },
      output: [
        ['result', { big: [3, 4], sum: 10 }],
        ['stdout', 'n = 4'],
      ],
    },
    {
      name: 'dynamic input pins',
      input: {
        code: 'return `${inputs.greeting}, ${inputs.name}!`',
        'inputs_#_greeting': 'Hi',
        'inputs_#_name': 'Ada',
      },
      output: [
        ['result', 'Hi, Ada!'],
        ['stdout', ''],
      ],
    },
    {
      name: 'no host access',
      input: { code: 'return [typeof process, typeof require, typeof fetch, typeof setTimeout];' },
      output: [
        ['result', ['undefined', 'undefined', 'undefined', 'undefined']],
        ['stdout', ''],
      ],
    },
    {
      name: 'errors surface',
      input: { code: 'throw new TypeError("bad input")' },
      output: [['error', 'TypeError: bad input']],
    },
    {
      name: 'time limit',
      input: { code: 'while (true) {}', timeout_ms: 50 },
      output: [['error', (e: unknown) => /interrupted/i.test(String(e))]],
    },
    {
      name: 'memory limit',
      input: {
        code: 'const a = []; for (let i = 0; ; i++) a.push({ i, s: "y" + i });',
        memory_limit_mb: 4,
        timeout_ms: 10000,
      },
      output: [['error', (e: unknown) => /memory/i.test(String(e))]],
    },
  ],
});
