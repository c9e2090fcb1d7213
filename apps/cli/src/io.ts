import readline from 'node:readline';
import type { Io } from './context';

/** The real terminal: stdout for results, stderr for prompts, notes and progress. */
export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    prompt,
    readStdin,
  };
}

function prompt(question: string, secret: boolean): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let muted = false;
    // readline has no hidden-input mode: swallow the echo while the secret is typed.
    const internals = rl as unknown as { _writeToOutput: (s: string) => void };
    internals._writeToOutput = (s) => {
      if (!muted) process.stderr.write(s);
    };
    rl.question(question, (answer) => {
      rl.close();
      if (secret) process.stderr.write('\n');
      resolve(answer);
    });
    muted = secret;
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
