import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import { api as rest, describeError } from '../api/client';
import {
  credentialLabel,
  credentialRef,
  matchingCredentials,
  selectedCredentialId,
  validateApiKeyForm,
  type CredentialsRequirement,
} from '../lib/credentials';
import { useEditorApi } from './context';

interface Props {
  nodeId: string;
  blockId: string;
  requirement: CredentialsRequirement;
  value: unknown;
}

/**
 * The credentials a block needs: pick one of the tenant's matching credentials, add an API key inline, or connect an
 * OAuth account (the provider's page opens in a new window; the list reloads when this window regains focus).
 * The node input holds a reference `{ id, provider, type, title }`; the engine resolves the secret when it runs.
 */
export const CredentialsPicker = memo(function CredentialsPicker({ nodeId, blockId, requirement, value }: Props) {
  const { credentials: store, setInput } = useEditorApi();
  const items = useSyncExternalStore(store.subscribe, store.get);
  const id = useId();
  const [adding, setAdding] = useState(false);
  const [form, setForm] = useState({ provider: requirement.providers[0] ?? '', title: '', apiKey: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    void store.load();
  }, [store]);

  const matches = useMemo(() => (items ? matchingCredentials(items, requirement) : []), [items, requirement]);
  const selected = selectedCredentialId(value);
  const missing = selected !== '' && items !== null && !matches.some((c) => c.id === selected);
  const allowsKey = requirement.types.includes('api_key');
  const allowsOAuth = requirement.types.includes('oauth2');

  function choose(credentialId: string) {
    const c = matches.find((m) => m.id === credentialId);
    setInput(nodeId, requirement.field, c ? credentialRef(c) : undefined);
  }

  async function createKey(e: FormEvent) {
    e.preventDefault();
    const errs = validateApiKeyForm(form);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setMessage(null);
    try {
      const created = await store.createApiKey(form.provider, form.title.trim(), form.apiKey);
      setInput(nodeId, requirement.field, credentialRef(created));
      setAdding(false);
      setForm((f) => ({ ...f, title: '', apiKey: '' }));
    } catch (err) {
      setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  // Ids present before an OAuth "Connect": the next reload picks the credential that appeared since, if any.
  const beforeConnect = useRef<Set<string> | null>(null);
  const reload = useCallback(async () => {
    await store.load(true);
    const before = beforeConnect.current;
    if (!before) return;
    const fresh = matchingCredentials(store.get() ?? [], requirement).find((c) => !before.has(c.id));
    if (fresh) {
      beforeConnect.current = null;
      setInput(nodeId, requirement.field, credentialRef(fresh));
    }
  }, [store, requirement, nodeId, setInput]);

  async function connect(provider: string) {
    setMessage(null);
    beforeConnect.current = new Set((store.get() ?? []).map((c) => c.id));
    // Opened synchronously in the click so no popup blocker steps in; pointed at the provider once the URL is known.
    const popup = window.open('about:blank', '_blank');
    try {
      const started = await rest.startOAuth(provider, { blockIds: [blockId], title: `${provider} account` });
      if (popup) {
        popup.opener = null;
        popup.location.href = started.authorizationUrl;
      } else window.location.assign(started.authorizationUrl);
      const onFocus = () => {
        window.removeEventListener('focus', onFocus);
        void reload();
      };
      window.addEventListener('focus', onFocus);
    } catch (err) {
      popup?.close();
      setMessage(`Could not connect ${provider}: ${describeError(err)}`);
    }
  }

  return (
    <div className="credentials-picker nodrag nowheel" data-testid="credentials-picker">
      <label htmlFor={`${id}-select`}>Credentials</label>
      <select
        id={`${id}-select`}
        value={selected}
        onChange={(e) => choose(e.target.value)}
        aria-invalid={missing || undefined}
        data-testid="credentials-select"
      >
        <option value="">{items === null ? 'Loading…' : matches.length ? '— choose —' : 'None yet'}</option>
        {missing && <option value={selected}>Unavailable credential ({selected.slice(0, 8)})</option>}
        {matches.map((c) => (
          <option key={c.id} value={c.id}>
            {credentialLabel(c)}
          </option>
        ))}
      </select>
      {missing && (
        <span className="field-error" role="alert">
          The chosen credential no longer exists; pick another.
        </span>
      )}
      <p className="credentials-hint small muted">
        {requirement.providers.join(', ')} ·{' '}
        {requirement.types.map((t) => (t === 'api_key' ? 'API key' : t === 'oauth2' ? 'OAuth' : t)).join(' or ')}
      </p>
      <div className="button-row">
        {allowsKey && !adding && (
          <button type="button" onClick={() => setAdding(true)} data-testid="credentials-new-key">
            + API key
          </button>
        )}
        <button type="button" className="ghost" onClick={() => void reload()} data-testid="credentials-refresh" title="Reload the list of credentials">
          Refresh
        </button>
        {allowsOAuth &&
          requirement.providers.map((p) => (
            <button key={p} type="button" onClick={() => void connect(p)} data-testid={`credentials-connect-${p}`}>
              Connect {p}
            </button>
          ))}
      </div>
      {adding && (
        <form className="credentials-form" onSubmit={(e) => void createKey(e)} aria-label="New API key">
          {requirement.providers.length > 1 && (
            <div className="field">
              <label htmlFor={`${id}-provider`}>Provider</label>
              <select
                id={`${id}-provider`}
                value={form.provider}
                onChange={(e) => setForm((f) => ({ ...f, provider: e.target.value }))}
                data-testid="credentials-key-provider"
              >
                {requirement.providers.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div className="field">
            <label htmlFor={`${id}-title`}>Name</label>
            <input
              id={`${id}-title`}
              value={form.title}
              placeholder={`My ${form.provider} key`}
              onChange={(e) => setForm((f) => ({ ...f, title: e.target.value }))}
              data-testid="credentials-key-title"
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-key`}>API key</label>
            <input
              id={`${id}-key`}
              type="password"
              autoComplete="off"
              value={form.apiKey}
              aria-invalid={errors.apiKey ? true : undefined}
              aria-describedby={errors.apiKey ? `${id}-key-err` : undefined}
              onChange={(e) => {
                setErrors({});
                setForm((f) => ({ ...f, apiKey: e.target.value }));
              }}
              data-testid="credentials-key-value"
            />
            {errors.apiKey && (
              <span className="field-error" id={`${id}-key-err`} role="alert">
                {errors.apiKey}
              </span>
            )}
          </div>
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy} data-testid="credentials-key-save">
              Save key
            </button>
            <button type="button" className="ghost" onClick={() => setAdding(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {(message ?? store.error) && (
        <p className="field-error" role="alert" data-testid="credentials-error">
          {message ?? store.error}
        </p>
      )}
    </div>
  );
});
