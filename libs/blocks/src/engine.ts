import type { BlockDefinition } from '@agentry/block-sdk';

/**
 * Blocks the execution engine runs itself (no block-runner): kind 'agent' starts a child execution,
 * kind 'review' parks the node in REVIEW. Their `run` is never called by the engine; a runner that
 * receives one by mistake fails the attempt.
 */
async function* runByEngine(): AsyncGenerator<[string, unknown]> {
  throw new Error('this block is run by the execution engine, not by a block-runner');
}

/** AutoGPT's AgentExecutorBlock (same id): its output pins are the child graph's output names (dynamic). */
export const AGENT_EXECUTOR_BLOCK_ID = 'e189baac-8c20-45a1-94a7-55177ea42565';

export const AgentExecutorBlock: BlockDefinition = {
  id: AGENT_EXECUTOR_BLOCK_ID,
  name: 'AgentExecutorBlock',
  description: 'Executes another agent (graph) of the same tenant as a sub-agent and yields its outputs, one pin per output name.',
  categories: ['AGENT'],
  kind: 'agent',
  inputSchema: {
    type: 'object',
    properties: {
      user_id: { type: 'string', description: 'User running the sub-agent.' },
      graph_id: { type: 'string', description: 'Graph id of the sub-agent.' },
      graph_version: { type: 'integer', description: 'Graph version of the sub-agent.' },
      inputs: { type: 'object', additionalProperties: true, default: {}, description: 'Input data for the sub-agent, by input name.' },
      input_schema: { type: 'object', additionalProperties: true, default: {}, description: "The sub-agent's input schema." },
      output_schema: { type: 'object', additionalProperties: true, default: {}, description: "The sub-agent's output schema." },
    },
    required: ['graph_id'],
  },
  outputSchema: { type: 'object', properties: {}, additionalProperties: true },
  run: runByEngine,
  testCases: [],
};

export const HUMAN_REVIEW_BLOCK_ID = '8b2a7b3f-4d0e-4c3a-9f53-0d7c1f9e2a61';

export const HumanReviewBlock: BlockDefinition = {
  id: HUMAN_REVIEW_BLOCK_ID,
  name: 'HumanInTheLoopBlock',
  description: 'Pauses the execution until a person approves (optionally editing the data) or rejects it.',
  categories: ['BASIC', 'SAFETY'],
  kind: 'review',
  inputSchema: {
    type: 'object',
    properties: {
      data: { description: 'The data to review.' },
      message: { type: 'string', default: '', description: 'What the reviewer should check.' },
    },
    required: ['data'],
  },
  outputSchema: {
    type: 'object',
    properties: {
      approved_data: { description: 'The data as approved (possibly edited by the reviewer).' },
      rejected: { description: 'The data that was rejected.' },
    },
  },
  run: runByEngine,
  testCases: [],
};

export const engineBlocks: BlockDefinition[] = [AgentExecutorBlock, HumanReviewBlock];
