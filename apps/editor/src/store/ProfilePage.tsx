import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, describeError } from '../api/client';
import { useToast } from '../components/Toasts';
import { storeApi } from './api';
import { Link, StoreNav } from './parts';

const MAX_AVATAR_BYTES = 2 * 1024 * 1024;

/** My creator profile: handle, name, bio, links (one a line) and an avatar image, shown on my public creator page. */
export function ProfilePage() {
  const toast = useToast();
  const [form, setForm] = useState({ handle: '', name: '', bio: '', links: '', avatar: '' });
  const [saved, setSaved] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [uploading, setUploading] = useState(false);

  useEffect(() => {
    storeApi.myProfile().then(
      ({ creator }) => {
        setForm({ handle: creator.handle, name: creator.name, bio: creator.bio, links: creator.links.join('\n'), avatar: creator.avatar });
        setSaved(creator.handle);
        setLoaded(true);
      },
      (err: unknown) => {
        setLoaded(true);
        if (!(err instanceof ApiError && err.status === 404)) toast(describeError(err), 'error');
      },
    );
  }, [toast]);

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function upload(file: File | undefined) {
    if (!file) return;
    if (file.size > MAX_AVATAR_BYTES) {
      setErrors((e) => ({ ...e, avatar: 'At most 2 MB' }));
      return;
    }
    setUploading(true);
    try {
      const { mediaId } = await storeApi.uploadMedia(file);
      setForm((f) => ({ ...f, avatar: mediaId }));
      setErrors(({ avatar: _drop, ...rest }) => rest);
    } catch (err) {
      setErrors((e) => ({ ...e, avatar: describeError(err) }));
    } finally {
      setUploading(false);
    }
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    try {
      const creator = await storeApi.saveProfile({
        handle: form.handle.trim(),
        name: form.name.trim(),
        bio: form.bio,
        links: form.links.split('\n').map((l) => l.trim()).filter(Boolean),
        avatar: form.avatar,
      });
      setSaved(creator.handle);
      toast('Profile saved', 'success');
    } catch (err) {
      const p = err instanceof ApiError ? err.problem.errors : undefined;
      if (p && typeof p === 'object' && !Array.isArray(p)) setErrors(p as Record<string, string>);
      toast(describeError(err), 'error');
    }
  }

  const fieldError = (k: string) =>
    errors[k] ? (
      <span className="field-error" role="alert" data-testid={`profile-error-${k}`}>
        {errors[k]}
      </span>
    ) : null;

  return (
    <>
      <StoreNav />
      <main className="graph-list-page store-submit" data-testid="profile-page">
        <h1>My creator profile</h1>
        {saved && (
          <p>
            Public page: <Link to={`/store/creators/${encodeURIComponent(saved)}`} testId="profile-public-link">@{saved}</Link>
          </p>
        )}
        {!loaded ? (
          <p className="muted" role="status">Loading…</p>
        ) : (
          <form className="run-form" onSubmit={(e) => void save(e)} data-testid="profile-form">
            <label className="field">
              Handle
              <input value={form.handle} onChange={set('handle')} data-testid="profile-handle" autoComplete="off" />
            </label>
            {fieldError('handle')}
            <label className="field">
              Name
              <input value={form.name} onChange={set('name')} data-testid="profile-name" />
            </label>
            {fieldError('name')}
            <label className="field">
              Bio
              <textarea value={form.bio} onChange={set('bio')} data-testid="profile-bio" />
            </label>
            {fieldError('bio')}
            <label className="field">
              Links (one a line, up to 5)
              <textarea value={form.links} onChange={set('links')} data-testid="profile-links" />
            </label>
            {fieldError('links')}
            <div className="field">
              <label htmlFor="profile-avatar">Avatar (PNG, JPEG, GIF or WebP, up to 2 MB)</label>
              {form.avatar && <img src={`/api/v1/store/media/${form.avatar}`} alt="Current avatar" width={64} height={64} data-testid="profile-avatar-preview" />}
              <input id="profile-avatar" type="file" accept="image/*" onChange={(e) => void upload(e.target.files?.[0])} data-testid="profile-avatar" />
              {uploading && <span className="muted small" role="status">Uploading…</span>}
              {fieldError('avatar')}
            </div>
            <button type="submit" className="primary" disabled={uploading} data-testid="profile-save">
              Save profile
            </button>
          </form>
        )}
      </main>
    </>
  );
}
