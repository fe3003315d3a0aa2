/**
 * The one function that talks to the mlops-jupyter server extension.
 *
 * Every call goes through `ServerConnection.makeRequest` so the token, the
 * XSRF header and the base URL of this JupyterLab are handled by JupyterLab
 * itself, and every failure becomes an `MlopsApiError` so the rest of the UI
 * can branch on `status`/`reason` instead of parsing strings.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IErrorBody } from './tokens';

/** Where the server extension mounts its routes, below the base URL. */
export const API_NAMESPACE = 'mlops/api';

/** What the user must run when the server extension is not enabled. */
export const ENABLE_COMMAND = 'jupyter server extension enable mlops_jupyter';

/**
 * A failed API call. `status` is 0 when the server could not be reached.
 * `reason` is the machine code from the JSON error body (e.g. `not_found`,
 * `not_available`), or '' when the body was not ours (e.g. Tornado's HTML 404
 * page when no handler is registered).
 */
export class MlopsApiError extends Error {
  readonly status: number;
  readonly reason: string;
  /** The request field a 400 names (e.g. `recipients`), or ''. */
  readonly field: string;

  constructor(status: number, reason: string, message: string, field = '') {
    super(message);
    this.name = 'MlopsApiError';
    this.status = status;
    this.reason = reason;
    this.field = field;
  }
}

/** Query values; arrays become repeated parameters (`status=a&status=b`). */
export type QueryParams = {
  [key: string]: string | number | boolean | null | undefined | string[];
};

function queryString(query: QueryParams | undefined): string {
  if (!query) {
    return '';
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') {
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach(v => params.append(key, v));
    } else {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Call `{baseUrl}mlops/api/{path}` and return the decoded JSON body
 * (`undefined` for 204 answers).
 *
 * @throws {MlopsApiError} on network failures and non-2xx answers.
 */
export async function requestAPI<T>(
  path: string,
  init: RequestInit = {},
  query?: QueryParams,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, path) + queryString(query);
  const headers = new Headers(init.headers);
  if (init.body && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, { ...init, headers }, settings);
  } catch (error) {
    throw new MlopsApiError(0, 'network', `Cannot reach the Jupyter server: ${String(error)}`);
  }

  const text = await response.text();
  let body: unknown = undefined;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined; // HTML error pages from Tornado are not ours
    }
  }

  if (!response.ok) {
    const err = (body && typeof body === 'object' ? body : {}) as IErrorBody;
    const message =
      typeof err.message === 'string' && err.message
        ? err.message
        : `${response.status} ${response.statusText || 'error'} on ${path}`;
    throw new MlopsApiError(
      response.status,
      typeof err.reason === 'string' ? err.reason : '',
      message,
      typeof err.field === 'string' ? err.field : ''
    );
  }
  return body as T;
}

/** Send a JSON body with the given method. */
export function jsonInit(method: string, body?: unknown): RequestInit {
  return body === undefined ? { method } : { method, body: JSON.stringify(body) };
}
