// Validates rendered Kubernetes objects with kubernetes-models (schemas of Kubernetes 1.27).
// Shared by the kustomize tests here and the Helm chart tests in charts/agentry/test.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** Parses a multi-document YAML stream, skipping empty documents; throws on a YAML error. */
export function parseManifests(text: string, source = 'manifest'): KubeObject[] {
  return parseAllDocuments(text).flatMap((doc, i) => {
    if (doc.errors.length > 0)
      throw new Error(`${source} document ${i}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS();
    return value == null ? [] : [value as KubeObject];
  });
}

export function readManifests(file: string): KubeObject[] {
  return parseManifests(readFileSync(file, 'utf8'), file);
}

// Custom resources that kubernetes-models does not ship: checked for the fields their controllers need.
const customResourceChecks: Record<string, (obj: KubeObject) => string[]> = {
  'monitoring.coreos.com/v1/ServiceMonitor': (obj) => [
    ...(obj.spec?.selector?.matchLabels ? [] : ['spec.selector.matchLabels is required']),
    ...(Array.isArray(obj.spec?.endpoints) && obj.spec.endpoints.length > 0
      ? []
      : ['spec.endpoints must not be empty']),
    ...(obj.spec?.endpoints ?? []).flatMap((e: any, i: number) =>
      e.port || e.targetPort ? [] : [`spec.endpoints[${i}] needs port`],
    ),
  ],
  'keda.sh/v1alpha1/ScaledObject': (obj) => [
    ...(obj.spec?.scaleTargetRef?.name ? [] : ['spec.scaleTargetRef.name is required']),
    ...(Array.isArray(obj.spec?.triggers) && obj.spec.triggers.length > 0 ? [] : ['spec.triggers must not be empty']),
    ...(obj.spec?.triggers ?? []).flatMap((t: any, i: number) =>
      typeof t.type === 'string' && t.metadata && typeof t.metadata === 'object'
        ? []
        : [`spec.triggers[${i}] needs type and metadata`],
    ),
  ],
};

/** kubernetes-models module path for an apiVersion: "v1" -> "v1", "apps/v1" -> "apps/v1". */
function modelModule(apiVersion: string): string {
  return `kubernetes-models/${apiVersion}`;
}

/**
 * Validates one object; returns a list of problems (empty when valid).
 * Known built-in kinds go through kubernetes-models; known CRDs through a structural check;
 * anything else is reported as unknown so a new kind is not silently unchecked.
 */
export function validateManifest(obj: KubeObject): string[] {
  const id = `${obj?.kind ?? '?'}/${obj?.metadata?.name ?? '?'}`;
  if (!obj || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string')
    return [`${id}: apiVersion and kind are required`];
  if (!obj.metadata?.name) return [`${id}: metadata.name is required`];
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(obj.metadata.name) || obj.metadata.name.length > 253) {
    return [`${id}: metadata.name is not a DNS subdomain`];
  }
  const crd = customResourceChecks[`${obj.apiVersion}/${obj.kind}`];
  if (crd) return crd(obj).map((p) => `${id}: ${p}`);

  let Model: (new (data: unknown) => { validate(): void }) | undefined;
  try {
    Model = require(modelModule(obj.apiVersion))[obj.kind];
  } catch {
    Model = undefined;
  }
  if (!Model) return [`${id}: no model for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [`${id}: ${(err as Error).message}`];
  }
}

export function validateManifests(objs: KubeObject[]): string[] {
  return objs.flatMap(validateManifest);
}
