import { memo, useId, useState } from 'react';
import { displayValue, parseFieldInput, validateField, type FieldDescriptor } from '../lib/forms';

interface Props {
  nodeId: string;
  field: FieldDescriptor;
  value: unknown;
  linked: boolean;
  /** A dict input whose keys arrive through linked `<name>_#_<key>` pins: editable, but not "Required". */
  suppliedByPins?: boolean;
  serverError?: string;
  onChange(nodeId: string, name: string, value: unknown): void;
}

/**
 * One input of a node card. Numbers and JSON keep a local draft so a half-typed value is not lost;
 * only parseable values are committed to the graph.
 */
export const FieldControl = memo(function FieldControl({
  nodeId,
  field,
  value,
  linked,
  suppliedByPins = false,
  serverError,
  onChange,
}: Props) {
  const id = useId();
  const [draft, setDraft] = useState(() => displayValue(field, value));
  const [draftError, setDraftError] = useState<string | null>(null);

  // External change (undo, paste, load): resync the draft during render, unless the draft already
  // represents this value. No effect, so mounting a thousand cards schedules no extra renders.
  const [syncedValue, setSyncedValue] = useState(value);
  if (syncedValue !== value) {
    setSyncedValue(value);
    const parsed = parseFieldInput(field, draft);
    if (parsed.error || JSON.stringify(parsed.value) !== JSON.stringify(value)) setDraft(displayValue(field, value));
    setDraftError(null);
  }

  const message = draftError ?? validateField(field, value, linked || suppliedByPins) ?? serverError ?? null;
  const errorId = `${id}-err`;
  const common = {
    id,
    className: 'nodrag nowheel',
    'aria-invalid': message ? true : undefined,
    'aria-describedby': message ? errorId : undefined,
    'data-testid': `field-${field.name}`,
  } as const;

  function commitText(raw: string) {
    setDraft(raw);
    const parsed = parseFieldInput(field, raw);
    setDraftError(parsed.error ?? null);
    if (!parsed.error) onChange(nodeId, field.name, parsed.value);
  }

  let control;
  if (linked) {
    control = (
      <span className="linked-input" id={id}>
        connected
      </span>
    );
  } else {
    switch (field.kind) {
      case 'boolean':
        control = (
          <input
            {...common}
            type="checkbox"
            checked={Boolean(value ?? field.defaultValue)}
            onChange={(e) => onChange(nodeId, field.name, e.target.checked)}
          />
        );
        break;
      case 'select':
        control = (
          <select
            {...common}
            value={value === undefined ? '' : String(value)}
            onChange={(e) => commitText(e.target.value)}
          >
            <option value="">
              {field.defaultValue !== undefined ? `Default (${String(field.defaultValue)})` : '— choose —'}
            </option>
            {field.options?.map((o) => (
              <option key={String(o)} value={String(o)}>
                {String(o)}
              </option>
            ))}
          </select>
        );
        break;
      case 'json':
      case 'textarea':
        control = (
          <textarea
            {...common}
            rows={field.kind === 'json' ? 3 : 2}
            spellCheck={field.kind !== 'json'}
            value={draft}
            placeholder={
              field.defaultValue !== undefined
                ? displayValue(field, field.defaultValue)
                : field.jsonShape === 'array'
                  ? '[]'
                  : field.jsonShape === 'object'
                    ? '{}'
                    : field.kind === 'json'
                      ? 'text or JSON'
                      : ''
            }
            onChange={(e) => commitText(e.target.value)}
          />
        );
        break;
      default:
        control = (
          <input
            {...common}
            type={
              field.kind === 'password'
                ? 'password'
                : field.kind === 'number' || field.kind === 'integer'
                  ? 'text'
                  : 'text'
            }
            inputMode={field.kind === 'number' ? 'decimal' : field.kind === 'integer' ? 'numeric' : undefined}
            autoComplete={field.kind === 'password' ? 'off' : undefined}
            value={draft}
            placeholder={field.defaultValue !== undefined ? String(field.defaultValue) : ''}
            onChange={(e) => commitText(e.target.value)}
          />
        );
    }
  }

  return (
    <div className={`field field-${field.kind}${message ? ' has-error' : ''}`}>
      <label htmlFor={id} title={field.description}>
        {field.label}
        {field.required && !linked && !suppliedByPins && <span aria-hidden="true"> *</span>}
      </label>
      {control}
      {message && (
        <span className="field-error" id={errorId} role="alert" data-testid={`field-error-${field.name}`}>
          {message}
        </span>
      )}
    </div>
  );
});
