import { createContext, useContext } from 'react';
import type { BlockCatalog } from '../lib/blockModel';
import type { CredentialsStore } from '../lib/credentials';
import type { NodeRunState } from '../lib/executionState';
import type { KeyedStore } from '../lib/keyedStore';

/** Stable callbacks and stores for node cards; the value never changes while a graph is open. */
export interface EditorApi {
  catalog: BlockCatalog;
  runStates: KeyedStore<NodeRunState>;
  /** Field → message from the server's last validation answer. */
  serverErrors: KeyedStore<Record<string, string>>;
  /** The tenant's credentials (metadata), loaded when the first card that needs them mounts. */
  credentials: CredentialsStore;
  setInput(nodeId: string, name: string, value: unknown): void;
  addDictKey(nodeId: string, base: string, key: string): void;
  removeDictKey(nodeId: string, base: string, key: string): void;
}

export const EditorContext = createContext<EditorApi | null>(null);

export function useEditorApi(): EditorApi {
  const v = useContext(EditorContext);
  if (!v) throw new Error('EditorContext missing');
  return v;
}
