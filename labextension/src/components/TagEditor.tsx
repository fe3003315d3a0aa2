/**
 * Tags of an iteration as removable chips plus a `key=value` input. Changes
 * are sent as the PATCH `tags` map, where null removes a key.
 */
import * as React from 'react';

interface IProps {
  tags: { [key: string]: string };
  onChange: (patch: { [key: string]: string | null }) => void;
}

export function TagEditor({ tags, onChange }: IProps): JSX.Element {
  const [text, setText] = React.useState('');
  const [invalid, setInvalid] = React.useState(false);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const raw = text.trim();
    if (!raw) {
      return;
    }
    // A bare word is a label-like tag with an empty value.
    const at = raw.indexOf('=');
    const key = (at === -1 ? raw : raw.slice(0, at)).trim();
    const value = at === -1 ? '' : raw.slice(at + 1).trim();
    if (!key) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setText('');
    onChange({ [key]: value });
  };

  const entries = Object.entries(tags ?? {});
  return (
    <div className="jp-mlops-tags">
      <ul aria-label="Tags">
        {entries.map(([key, value]) => (
          <li key={key} className="jp-mlops-chip jp-mlops-tag">
            <span>{value ? `${key}=${value}` : key}</span>
            <button aria-label={`Remove tag ${key}`} onClick={() => onChange({ [key]: null })}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="jp-mlops-tag-form">
        <input
          className="jp-mod-styled"
          aria-label="Add tag as key=value"
          aria-invalid={invalid}
          placeholder="tag or key=value"
          value={text}
          onChange={e => setText(e.target.value)}
        />
        <button type="submit" className="jp-mlops-button">
          Add tag
        </button>
      </form>
    </div>
  );
}
