/** OAuth 2.0 error keys (RFC 6749 §5.2) that token-endpoint errors carry besides `code` and `message`. */
export interface OAuthErrorKeys {
  error: string;
  description: string;
}

/** An error response. The server turns it into `{"code":status,"message":…}` with its headers. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly oauth: OAuthErrorKeys | undefined;
  readonly errors: unknown;

  constructor(
    status: number,
    message: string,
    extra: { headers?: Record<string, string>; oauth?: OAuthErrorKeys; errors?: unknown } = {},
  ) {
    super(message);
    this.status = status;
    this.headers = extra.headers ?? {};
    this.oauth = extra.oauth;
    this.errors = extra.errors;
  }

  /** Builds the JSON error body. */
  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { code: this.status, message: this.message };
    if (this.errors !== undefined) {
      body['errors'] = this.errors;
    }
    if (this.oauth !== undefined) {
      body['error'] = this.oauth.error;
      body['error_description'] = this.oauth.description;
    }
    return body;
  }
}

/** Creates the 400 `Invalid input` error, with the offending fields in `errors`. */
export function invalidInput(errors?: Record<string, string>): ApiError {
  return new ApiError(400, 'Invalid input', errors === undefined ? {} : { errors });
}

/** Creates the 401 `Invalid credentials` error. */
export function invalidCredentials(): ApiError {
  return new ApiError(401, 'Invalid credentials');
}

/** Creates the 404 `Not found` error. */
export function notFound(): ApiError {
  return new ApiError(404, 'Not found');
}
