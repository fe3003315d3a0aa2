/**
 * Formatting helpers shared by the components. Everything returns plain
 * strings that React renders as text nodes.
 */
import { MetricValue, ParamValue } from './tokens';

/** Decode the API's metric encoding into a JS number (NaN/inf kept). */
export function metricNumber(value: MetricValue | null | undefined): number {
  if (value === null || value === undefined) {
    return Number.NaN;
  }
  if (typeof value === 'number') {
    return value;
  }
  if (value === 'Infinity') {
    return Number.POSITIVE_INFINITY;
  }
  if (value === '-Infinity') {
    return Number.NEGATIVE_INFINITY;
  }
  return Number.NaN;
}

/** Four significant digits is enough to tell runs apart at a glance. */
export function formatMetric(value: MetricValue | null | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  const n = metricNumber(value);
  if (Number.isNaN(n)) {
    return 'NaN';
  }
  if (!Number.isFinite(n)) {
    return n > 0 ? '∞' : '-∞';
  }
  if (Number.isInteger(n) && Math.abs(n) < 1e9) {
    return String(n);
  }
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) {
    return n.toExponential(3);
  }
  return String(Number(n.toPrecision(4)));
}

export function formatParam(value: ParamValue | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Any JSON value as one line of text (environment and dataset columns). */
export function formatAny(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  return JSON.stringify(value);
}

/** `format(date)` of an ISO time; '' for none, the text itself when it is not a time. */
function withDate(iso: string | null | undefined, format: (date: Date) => string): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format(date);
}

/** Full local date and time, for tooltips. */
export function formatFullTime(iso: string | null | undefined): string {
  return withDate(iso, date => date.toLocaleString());
}

/** Compact local time for list rows: "14:03" today, "Nov 20" this year, else the date. */
export function formatShortTime(iso: string | null | undefined): string {
  return withDate(iso, date => {
    const now = new Date();
    if (date.toDateString() === now.toDateString()) {
      return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    }
    if (date.getFullYear() === now.getFullYear()) {
      return date.toLocaleDateString([], { month: 'short', day: 'numeric' });
    }
    return date.toISOString().slice(0, 10);
  });
}

/** "14:03:22" today, "2026-11-20 14:03" otherwise, in local time. */
export function formatTime(iso: string | null | undefined): string {
  return withDate(iso, date => {
    const pad = (n: number) => String(n).padStart(2, '0');
    const hms = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
    if (date.toDateString() === new Date().toDateString()) {
      return hms;
    }
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${hms.slice(0, 5)}`;
  });
}

/**
 * An iteration's duration as every surface prints it (the cell summary and
 * `%mlops runs` use the same rule, `mlops_jupyter.entities.format_duration`):
 * seconds with two decimals. The API already rounds `duration` to 0.01 s.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '';
  }
  return `${seconds.toFixed(2)} s`;
}

export function formatBytes(size: number | null | undefined): string {
  if (size === null || size === undefined) {
    return '';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = size;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/**
 * Whether lower is better for a metric, guessed from its name: losses and
 * errors are minimised, everything else (accuracy, f1, auc...) maximised.
 */
export function lowerIsBetter(key: string): boolean {
  return /loss|err|mse|mae|rmse|mape|perplexity|latency|time|duration|cost/i.test(key);
}
