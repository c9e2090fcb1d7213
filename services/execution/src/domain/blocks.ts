// The engine-run blocks live in the shared block library so that the graph service can validate them
// and the block catalogue lists them; the engine recognises them by `kind`.
export {
  AgentExecutorBlock,
  AGENT_EXECUTOR_BLOCK_ID,
  engineBlocks,
  HumanReviewBlock,
  HUMAN_REVIEW_BLOCK_ID,
} from '@agentry/blocks/src/engine';
