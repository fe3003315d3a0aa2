/**
 * Search, status and threshold filters, sort order and the key metric shown
 * in each row. Everything is translated into the `GET iterations` query so
 * the server does the filtering (the list can hold 100,000 rows).
 */
import * as React from 'react';

import { MlopsModel } from '../model';
import { FILTER_OPS, FilterOp, ITERATION_STATUSES, IterationStatus } from '../tokens';

/** Typing in the search box should not fire a request per key stroke. */
const SEARCH_DEBOUNCE_MS = 250;

const BASE_SORTS: Array<[string, string]> = [
  ['started_at', 'Start time'],
  ['name', 'Name'],
  ['number', 'Number'],
  ['status', 'Status']
];

export function Filters({ model }: { model: MlopsModel }): JSX.Element {
  const query = model.query;
  const [text, setText] = React.useState(query.text);
  const [field, setField] = React.useState('');
  const [op, setOp] = React.useState<FilterOp>('>=');
  const [value, setValue] = React.useState('');

  React.useEffect(() => {
    if (text === model.query.text) {
      return;
    }
    const timer = window.setTimeout(() => model.setQuery({ text }), SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [text]);

  const metricFields = model.metricKeys.map(k => `metrics.${k}`);
  const paramFields = model.paramKeys.map(k => `params.${k}`);
  const chosenField = field || metricFields[0] || paramFields[0] || '';

  const toggleStatus = (status: IterationStatus) => {
    const has = query.statuses.includes(status);
    model.setQuery({
      statuses: has ? query.statuses.filter(s => s !== status) : [...query.statuses, status]
    });
  };

  const addFilter = (event: React.FormEvent) => {
    event.preventDefault();
    if (!chosenField || value.trim() === '') {
      return;
    }
    const filter = `${chosenField}${op}${value.trim()}`;
    if (!query.filters.includes(filter)) {
      model.setQuery({ filters: [...query.filters, filter] });
    }
    setValue('');
  };

  const descending = query.sort.startsWith('-');
  const sortKey = query.sort.replace(/^-/, '');
  const sortOptions: Array<[string, string]> = [
    ...BASE_SORTS,
    ...metricFields.map((f): [string, string] => [f, f.slice('metrics.'.length)]),
    ...paramFields.map((f): [string, string] => [f, `param ${f.slice('params.'.length)}`])
  ];
  if (!sortOptions.some(([v]) => v === sortKey)) {
    sortOptions.push([sortKey, sortKey]);
  }

  return (
    <div className="jp-mlops-filters">
      <input
        type="search"
        className="jp-mlops-search jp-mod-styled"
        placeholder="Search iterations by name"
        aria-label="Search iterations by name"
        value={text}
        onChange={e => setText(e.target.value)}
      />
      <div className="jp-mlops-status-filters" role="group" aria-label="Filter by status">
        {ITERATION_STATUSES.map(status => (
          <button
            key={status}
            className="jp-mlops-chip"
            data-status={status}
            aria-pressed={query.statuses.includes(status)}
            onClick={() => toggleStatus(status)}
          >
            {status}
          </button>
        ))}
        <label className="jp-mlops-inline">
          <input
            type="checkbox"
            checked={query.deletedOnly}
            onChange={e => model.setQuery({ deletedOnly: e.target.checked })}
          />
          deleted
        </label>
      </div>
      <form className="jp-mlops-threshold" onSubmit={addFilter} aria-label="Add a threshold filter">
        <select
          className="jp-mod-styled"
          aria-label="Filter field"
          value={chosenField}
          onChange={e => setField(e.target.value)}
          disabled={!chosenField}
        >
          {metricFields.map(f => (
            <option key={f} value={f}>
              {f.slice('metrics.'.length)}
            </option>
          ))}
          {paramFields.map(f => (
            <option key={f} value={f}>
              {`param ${f.slice('params.'.length)}`}
            </option>
          ))}
        </select>
        <select
          className="jp-mod-styled jp-mlops-op"
          aria-label="Comparison"
          value={op}
          onChange={e => setOp(e.target.value as FilterOp)}
        >
          {FILTER_OPS.map(o => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <input
          className="jp-mod-styled jp-mlops-threshold-value"
          aria-label="Threshold value"
          placeholder="value"
          value={value}
          onChange={e => setValue(e.target.value)}
        />
        <button
          type="submit"
          className="jp-mlops-button"
          aria-label="Add filter"
          title="Add filter"
          disabled={!chosenField}
        >
          Add
        </button>
      </form>
      {query.filters.length > 0 && (
        <ul className="jp-mlops-active-filters" aria-label="Active filters">
          {query.filters.map(f => (
            <li key={f} className="jp-mlops-chip jp-mlops-filter-chip">
              <span>{f}</span>
              <button
                aria-label={`Remove filter ${f}`}
                onClick={() => model.setQuery({ filters: query.filters.filter(x => x !== f) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="jp-mlops-sort">
        <label className="jp-mlops-inline">
          Sort
          <select
            className="jp-mod-styled"
            aria-label="Sort by"
            value={sortKey}
            onChange={e => model.setQuery({ sort: `${descending ? '-' : ''}${e.target.value}` })}
          >
            {sortOptions.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button
          className="jp-mlops-button"
          aria-label={descending ? 'Sorted descending; switch to ascending' : 'Sorted ascending; switch to descending'}
          onClick={() => model.setQuery({ sort: `${descending ? '' : '-'}${sortKey}` })}
        >
          {descending ? '↓' : '↑'}
        </button>
        <label className="jp-mlops-inline">
          Show
          <select
            className="jp-mod-styled"
            aria-label="Key metric shown in the list"
            value={model.keyMetric ?? ''}
            onChange={e => model.setKeyMetric(e.target.value || null)}
            disabled={sortKey.startsWith('metrics.') || model.metricKeys.length === 0}
          >
            {model.metricKeys.length === 0 && <option value="">no metric</option>}
            {model.metricKeys.map(k => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
      </div>
    </div>
  );
}
